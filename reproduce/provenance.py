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
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except ImportError:  # pragma: no cover
        pass
    return f"cpu ({platform.processor() or platform.machine()})"


def collect_provenance(config: dict[str, Any], started: float) -> dict[str, Any]:
    """Git commit, package versions, device, host, seed, profile and wall time of a run."""
    return {
        "git_commit": git_commit(),
        "packages": package_versions(),
        "python": platform.python_version(),
        "device": device_name(),
        "host": socket.gethostname(),
        "seed": config.get("seed"),
        "profile": config.get("profile"),
        "started": started,
        "wall_seconds": round(time.time() - started, 3),
    }
