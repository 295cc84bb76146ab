#!/bin/bash

# Parameters
#SBATCH --cpus-per-task=1
#SBATCH --error=/shared/store/submitit/%j/%j_0_log.err
#SBATCH --job-name=reproduce
#SBATCH --mem=2GB
#SBATCH --nodes=1
#SBATCH --open-mode=append
#SBATCH --output=/shared/store/submitit/%j/%j_0_log.out
#SBATCH --partition=debug
#SBATCH --signal=USR2@60
#SBATCH --time=60
#SBATCH --wckey=submitit

# command
export SUBMITIT_EXECUTOR=slurm
srun --unbuffered --output /shared/store/submitit/%j/%j_%t_log.out --error /shared/store/submitit/%j/%j_%t_log.err python -u -m submitit.core._submit /shared/store/submitit/%j
