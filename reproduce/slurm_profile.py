"""SLURM profiles (``slurm/<name>.toml``): validated and turned into submitit parameters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reproduce.errors import SpecError, UserError
from reproduce.specs import REPO_ROOT, read_toml
from reproduce.validate import Fields

_SAFE = re.compile(r"^[A-Za-z0-9_.,:=@/+-]*$")
DEFAULT_PROFILE = "default"


def load_slurm_profile(name: str = DEFAULT_PROFILE, root: Path | None = None) -> dict[str, Any]:
    """Read and validate ``slurm/<name>.toml``; every string must be free of shell syntax."""
    if not re.match(r"^[A-Za-z0-9_-]+$", name):
        raise UserError(f"--slurm-profile: invalid name {name!r}; allowed: letters, digits, -, _")
    path = (root or REPO_ROOT) / "slurm" / f"{name}.toml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.toml"))
        raise UserError(f"--slurm-profile: no profile {name!r}; allowed: {', '.join(known)}")
    f = Fields(read_toml(path), path, "")
    f.check_keys({"partition", "gpus_per_task", "cpus_per_task", "mem_gb", "time_min",
                  "array_parallelism", "additional"})
    profile = {
        "partition": f.get("partition", str, ""),
        "gpus_per_task": f.get("gpus_per_task", int, 0),
        "cpus_per_task": f.get("cpus_per_task", int, 1),
        "mem_gb": f.get("mem_gb", int, 4),
        "time_min": f.get("time_min", int, 60),
        "array_parallelism": f.get("array_parallelism", int, 16),
        "additional": f.get("additional", dict, {}),
    }
    _check_safe(path, "partition", profile["partition"])
    for key, value in profile["additional"].items():
        _check_safe(path, f"additional.{key}", key)
        if not isinstance(value, str | int):
            raise SpecError(path, f"additional.{key}", "expected a string or an integer")
        _check_safe(path, f"additional.{key}", str(value))
    for key in ("cpus_per_task", "mem_gb", "time_min", "array_parallelism"):
        if profile[key] < 1:
            raise SpecError(path, key, "must be at least 1")
    return profile


def _check_safe(path: Path, field: str, value: str) -> None:
    if not _SAFE.match(value):
        raise SpecError(path, field, f"value {value!r} has characters not allowed in an sbatch "
                        "option; allowed: letters, digits and _ . , : = @ / + -")


def executor_parameters(profile: dict[str, Any]) -> dict[str, Any]:
    """submitit ``update_parameters`` keywords for a validated profile."""
    params: dict[str, Any] = {
        "timeout_min": profile.get("time_min", 60),
        "cpus_per_task": profile.get("cpus_per_task", 1),
        "mem_gb": profile.get("mem_gb", 4),
        "slurm_array_parallelism": profile.get("array_parallelism", 16),
        "slurm_signal_delay_s": 60,
        "name": "reproduce",
    }
    if profile.get("partition"):
        params["slurm_partition"] = profile["partition"]
    if profile.get("gpus_per_task"):
        params["gpus_per_node"] = profile["gpus_per_task"]
    if profile.get("additional"):
        params["slurm_additional_parameters"] = dict(profile["additional"])
    return params


def sbatch_preview(profile: dict[str, Any], folder: str = "/shared/store/submitit/%j") -> str:
    """The sbatch script submitit writes for one task with this profile (for review)."""
    import submitit

    executor = submitit.AutoExecutor(folder=folder, cluster="slurm")
    executor.update_parameters(**executor_parameters(profile))
    return executor._executor._make_submission_file_text(
        f"python -u -m submitit.core._submit {folder}", "UID")
