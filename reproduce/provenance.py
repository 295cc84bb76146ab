"""What a run records about where and how it ran."""

from __future__ import annotations

import platform
import socket
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

_PACKAGES = ("torch", "torchvision", "numpy", "scipy", "scikit-learn", "pandas", "submitit",
             "clean-fid")
_REPO = Path(__file__).resolve().parents[1]


def git_commit() -> str:
    """The repository's commit (with '+dirty' when the tree has changes), or ''."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=_REPO, capture_output=True,
                                text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=_REPO, capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+dirty" if commit and dirty.strip() else "")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def device_name() -> str:
    """The device this process trained on: the current GPU's name when CUDA was
    initialised here (a trainer put tensors on it), else the CPU (a GPU that is merely
    visible, as under ``--device cpu``, is not named)."""
    try:
        import torch

        if torch.cuda.is_initialized():
            return torch.cuda.get_device_name(torch.cuda.current_device())
    except ImportError:  # pragma: no cover
        pass
    return f"cpu ({platform.processor() or platform.machine()})"


def collect_provenance(config: dict[str, Any], wall_seconds: float,
                       threads: int) -> dict[str, Any]:
    """Git commit, package versions, device, host, seed, profile, thread count and wall
    time of a run (``wall_seconds``: summed over every training segment, resumes included)."""
    return {
        "git_commit": git_commit(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "device": device_name(),
        "host": socket.gethostname(),
        "seed": config.get("seed"),
        "profile": config.get("profile"),
        "threads": threads,
        "finished": time.time(),
        "wall_seconds": round(float(wall_seconds), 3),
    }
