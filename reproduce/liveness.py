"""Who owns a run, and whether that owner still exists.

An owner is named by host, pid and the process's start time (``/proc/<pid>/stat``,
field 22, in clock ticks since boot) together with the boot id, so a pid that the
kernel has handed to another process, or a pid from before a reboot, is never taken for
the owner. Owners on other hosts are judged through their SLURM job, by a checker that
the launch layer hands in (the store itself knows nothing of SLURM).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

JobAlive = Callable[[str], bool]


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def process_start(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot; None when there is no such process
    (or it is a zombie, killed and not yet reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def owner_record() -> dict[str, Any]:
    """This process as an owner."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "start": process_start(os.getpid()), "boot": boot_id(),
            "job_id": os.environ.get("SLURM_JOB_ID", "")}


def is_me(owner: dict[str, Any]) -> bool:
    me = owner_record()
    return all(owner.get(k) == me[k] for k in ("host", "pid", "start", "boot"))


def owner_alive(owner: dict[str, Any], job_alive: JobAlive | None = None) -> bool:
    """False only when the owner is provably gone.

    Same host: its pid must exist with the recorded start time and boot id. Another
    host: its SLURM job is asked about when ``job_alive`` is given; otherwise the owner
    cannot be judged and counts as alive.
    """
    if not isinstance(owner, dict):
        return False
    if owner.get("host") == socket.gethostname() and isinstance(owner.get("pid"), int):
        if owner.get("boot") and owner["boot"] != boot_id():
            return False
        start = process_start(owner["pid"])
        if start is None:
            return False
        return owner.get("start") in (None, start)
    if owner.get("job_id") and job_alive is not None:
        return job_alive(str(owner["job_id"]))
    return True


def same_slurm_job(owner: dict[str, Any]) -> bool:
    """Whether ``owner`` was this very SLURM job before a requeue (its lock is stale)."""
    job = os.environ.get("SLURM_JOB_ID", "")
    return bool(job) and owner.get("job_id") == job and not is_me(owner)
