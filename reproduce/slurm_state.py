"""Ask SLURM's accounting whether a job is still alive (for runs marked running)."""

from __future__ import annotations

import shutil
import subprocess
import time

# States in which a job may still write its result (a requeued job goes back to pending).
ALIVE = {"PENDING", "RUNNING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING",
         "SUSPENDED", "CONFIGURING", "COMPLETING", "SIGNALING", "STAGE_OUT",
         "RESV_DEL_HOLD", "STOPPED"}
_CACHE: dict[str, tuple[float, str]] = {}
_TTL_S = 2.0


def job_state(job_id: str) -> str:
    """The job's state from ``sacct`` (e.g. RUNNING, FAILED), '' when unknown."""
    now = time.monotonic()
    if job_id in _CACHE and now - _CACHE[job_id][0] < _TTL_S:
        return _CACHE[job_id][1]
    if not shutil.which("sacct"):
        return ""
    try:
        out = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "State", "-j", job_id],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = [line.split()[0] for line in out.splitlines() if line.strip()]
    state = lines[-1] if lines else _squeue_state(job_id)
    _CACHE[job_id] = (now, state)
    return state


def _squeue_state(job_id: str) -> str:
    """The queue's view when accounting has no record: a state, or GONE when not queued."""
    if not shutil.which("squeue"):
        return ""
    try:
        out = subprocess.run(["squeue", "-h", "-o", "%T", "-j", job_id], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    states = out.stdout.split()
    if states:
        return states[-1]
    return "GONE" if out.returncode == 0 or "Invalid job id" in out.stderr else ""


def job_alive(job_id: str) -> bool:
    """False only when accounting says the job has ended; unknown counts as alive."""
    state = job_state(job_id)
    return not state or state in ALIVE
