"""SLURM profiles (``slurm/<name>.toml``): validated and turned into submitit parameters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reproduce.errors import SpecError, UserError
from reproduce.specs import REPO_ROOT, read_toml
from reproduce.validate import Fields

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_VALUE = re.compile(r"[A-Za-z0-9_.,:=@+-]+")
_VALUE_TEXT = "letters, digits and _ . , : = @ + -"
DEFAULT_PROFILE = "default"
# sbatch options a profile may add; none of them moves the job's files or environment
# (no export, chdir, output, error, wrap, array, dependency).
ADDITIONAL = ("account", "qos", "constraint", "reservation", "exclude", "nodelist", "gres",
              "mail_type", "mail_user", "comment", "licenses", "hint", "cluster")
# count: (default, least allowed)
_COUNTS = {"gpus_per_task": (0, 0), "cpus_per_task": (1, 1), "mem_gb": (4, 1),
           "time_min": (60, 1), "array_parallelism": (16, 1)}


def load_slurm_profile(name: str = DEFAULT_PROFILE, root: Path | None = None) -> dict[str, Any]:
    """Read and validate ``slurm/<name>.toml``: every value matched whole against its
    pattern, counts in range, extra sbatch options from :data:`ADDITIONAL` only."""
    if not _NAME.fullmatch(name):
        raise UserError(f"--slurm-profile: invalid name {name!r}; allowed: letters, digits, -, _")
    path = (root or REPO_ROOT) / "slurm" / f"{name}.toml"
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.toml"))
        raise UserError(f"--slurm-profile: no profile {name!r}; allowed: {', '.join(known)}")
    f = Fields(read_toml(path), path, "")
    f.check_keys({"partition", *_COUNTS, "additional"})
    profile: dict[str, Any] = {"partition": f.get("partition", str, ""),
                               "additional": f.get("additional", dict, {})}
    for key, (default, least) in _COUNTS.items():
        profile[key] = f.get(key, int, default)
        if profile[key] < least:
            raise SpecError(path, key, f"got {profile[key]}; allowed: an integer >= {least}")
    if profile["partition"]:
        _check_value(path, "partition", profile["partition"])
    for key, value in profile["additional"].items():
        if key not in ADDITIONAL:
            raise SpecError(path, f"additional.{key}", "not an sbatch option a profile may "
                            f"set; allowed: {', '.join(ADDITIONAL)}")
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise SpecError(path, f"additional.{key}", "expected a string or an integer")
        _check_value(path, f"additional.{key}", str(value))
    return profile


def _check_value(path: Path, field: str, value: str) -> None:
    if not _VALUE.fullmatch(value):
        raise SpecError(path, field, f"value {value!r} has characters not allowed in an sbatch "
                        f"option; allowed: {_VALUE_TEXT}")


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
