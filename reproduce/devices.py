"""Which GPUs local jobs get, and which device trainers use (torch-free at import).

Policy of the local executor: one worker per visible GPU, each job seeing only its own
GPU; ``--workers N`` overrides the count, and more workers than GPUs share them round
robin (several runs on one GPU). Without GPUs, or with ``--device cpu``, no job sees a
GPU and the worker count is the CPU count. ``--device`` reaches every trainer through
``$REPRODUCE_DEVICE`` (read by ``methods.engine.resolve_device`` for a method whose own
``device`` parameter is ``auto``); it is not part of a run's config, so a finished run
is reused whatever device asked for it, and the device it trained on is recorded in its
provenance.

submitit's local executor always sets the job's ``CUDA_VISIBLE_DEVICES`` to
``visible_gpus[:gpus_per_node]`` (``range(gpus_per_node)`` without ``visible_gpus``; ''
when no GPU is asked for), replacing the parent's value. Indices are therefore passed as
the parent's own entries (``CUDA_VISIBLE_DEVICES=2,3`` gives workers GPU 2 and GPU 3);
entries that are not integers (``GPU-<uuid>``, ``MIG-<uuid>``) are exported by a
``setup`` line, since ``visible_gpus`` takes integers only.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reproduce.errors import UserError

DEVICES = ("auto", "cpu", "cuda")
DEVICE_ENV = "REPRODUCE_DEVICE"
_PROC_GPUS = Path("/proc/driver/nvidia/gpus")
_NVIDIACTL = Path("/dev/nvidiactl")


def parse_visible(value: str) -> list[str]:
    """The entries of a ``CUDA_VISIBLE_DEVICES`` value, as CUDA reads them: up to the
    first empty or negative entry (CUDA ignores everything after an invalid one)."""
    out: list[str] = []
    for raw in value.split(","):
        tok = raw.strip()
        if not tok or tok.startswith("-"):
            break
        out.append(tok)
    return out


def physical_gpu_count() -> int:
    """GPUs on this machine, without initialising CUDA: ``nvidia-smi -L``, else the
    driver's /proc listing, else (driver present but neither answers) torch."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20)
            if out.returncode == 0:
                return sum(line.startswith("GPU ") for line in out.stdout.splitlines())
        except (OSError, subprocess.SubprocessError):
            pass
    if _PROC_GPUS.is_dir():
        return sum(1 for _ in _PROC_GPUS.iterdir())
    if not _NVIDIACTL.exists():
        return 0  # no NVIDIA driver: CUDA cannot see a GPU
    try:
        import torch

        return int(torch.cuda.device_count())
    except ImportError:  # pragma: no cover
        return 0


def visible_gpus(environ: Mapping[str, str] | None = None,
                 count: Callable[[], int] = physical_gpu_count) -> list[str]:
    """The GPUs this process may hand out, as ``CUDA_VISIBLE_DEVICES`` entries."""
    env = os.environ if environ is None else environ
    n = count()
    if n <= 0:
        return []
    if "CUDA_VISIBLE_DEVICES" in env:
        return parse_visible(env["CUDA_VISIBLE_DEVICES"])
    return [str(i) for i in range(n)]


def check_device(device: str) -> str:
    """``device`` if it is one of DEVICES, else a one-line error."""
    if device not in DEVICES:
        raise UserError(f"--device: unknown device {device!r}; allowed: {', '.join(DEVICES)}")
    return device


def job_gpus(executor: str, device: str, gpus: Sequence[str]) -> list[str]:
    """The GPUs local jobs are given: none for ``cpu`` or the debug executor (in-process);
    ``--device cuda`` without a GPU is an error."""
    check_device(device)
    if device == "cuda" and not gpus and executor in ("local", "debug"):
        raise UserError("--device cuda: no GPU is visible here (nvidia-smi -L lists none, "
                        "or CUDA_VISIBLE_DEVICES hides them); use --device auto or cpu")
    if device == "cpu" or executor != "local":
        return []
    return list(gpus)


def default_workers(gpus: Sequence[str]) -> int:
    """One worker per GPU, else one per CPU."""
    return len(gpus) if gpus else max(1, os.cpu_count() or 1)


def worker_gpu(index: int, gpus: Sequence[str]) -> str | None:
    """The GPU of worker ``index``: round robin, so extra workers share GPUs."""
    return gpus[index % len(gpus)] if gpus else None


def local_parameters(gpu: str | None) -> dict[str, Any]:
    """submitit LocalExecutor parameters giving a job exactly ``gpu`` (None: no GPU)."""
    if gpu is None:
        return {"gpus_per_node": 0, "visible_gpus": (), "setup": ()}
    if gpu.isdigit():
        return {"gpus_per_node": 1, "visible_gpus": (int(gpu),), "setup": ()}
    return {"gpus_per_node": 0, "visible_gpus": (),
            "setup": (f"export CUDA_VISIBLE_DEVICES={shlex.quote(gpu)}",)}


def export_device(device: str, environ: dict[str, str] | None = None) -> None:
    """Make ``device`` reach the trainers of jobs started from this process (local jobs
    inherit the environment; sbatch exports it by default; debug jobs run here)."""
    env = os.environ if environ is None else environ
    env[DEVICE_ENV] = check_device(device)


def map_local(executor: str, folder: Path, fn: Callable[..., Any], store_root: str,
              chunks: Sequence[list[str]], gpus: Sequence[str],
              timeout_min: int) -> list[Any]:
    """Submit ``fn(store_root, chunk)`` per chunk; chunk ``i`` runs on worker ``i``'s
    GPU. Returns the jobs in the order of ``chunks``."""
    import submitit

    if executor != "local" or not gpus:
        ex = submitit.AutoExecutor(folder=folder, cluster=executor)
        ex.update_parameters(timeout_min=timeout_min)  # no GPU asked: CUDA_VISIBLE_DEVICES=''
        return list(ex.map_array(fn, [store_root] * len(chunks), list(chunks)))
    local = submitit.LocalExecutor(folder=folder)  # visible_gpus is no AutoExecutor key
    jobs: list[Any] = [None] * len(chunks)
    for gpu in dict.fromkeys(worker_gpu(i, gpus) for i in range(len(chunks))):
        idx = [i for i in range(len(chunks)) if worker_gpu(i, gpus) == gpu]
        local.update_parameters(timeout_min=timeout_min, **local_parameters(gpu))
        mapped = local.map_array(fn, [store_root] * len(idx), [chunks[i] for i in idx])
        for i, job in zip(idx, mapped, strict=True):
            jobs[i] = job
    return jobs
