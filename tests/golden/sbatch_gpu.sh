#!/bin/bash

# Parameters
#SBATCH --cpus-per-task=8
#SBATCH --error=/shared/store/submitit/%j/%j_0_log.err
#SBATCH --gpus-per-node=1
#SBATCH --job-name=reproduce
#SBATCH --mem=32GB
#SBATCH --nodes=1
#SBATCH --open-mode=append
#SBATCH --output=/shared/store/submitit/%j/%j_0_log.out
#SBATCH --partition=gpu
#SBATCH --qos=normal
#SBATCH --signal=USR2@60
#SBATCH --time=2880
#SBATCH --wckey=submitit

# command
export SUBMITIT_EXECUTOR=slurm
srun --unbuffered --output /shared/store/submitit/%j/%j_%t_log.out --error /shared/store/submitit/%j/%j_%t_log.err python -u -m submitit.core._submit /shared/store/submitit/%j
