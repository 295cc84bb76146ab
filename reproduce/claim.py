"""A run's claim: at most one live process trains (or rewrites) a run at a time.

The claim is the file ``.lock`` in the run folder, created exclusively with its owner
already written in it (:func:`reproduce.storeio.create_exclusive`). A lock whose owner is
provably gone is taken over under an ``flock`` on ``.lock.guard``: the guard serialises
take-overs, and the lock is read again under it, so two claimants never both remove a
stale lock and both believe they own the run.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from reproduce.liveness import JobAlive, is_me, owner_alive, owner_record, same_slurm_job
from reproduce.storeio import create_exclusive, dumps, read_json

LOCK = ".lock"


def lock_owner(run_dir: Path) -> dict[str, Any] | None:
    """The owner written in the run's lock, or None when there is no lock; an unreadable
    lock reads as ``{}`` (an owner that cannot be alive)."""
    path = run_dir / LOCK
    if not path.exists():
        return None
    owner = read_json(path, {})
    return owner if isinstance(owner, dict) else {}


def _stale(owner: dict[str, Any] | None, job_alive: JobAlive | None) -> bool:
    if owner is None:
        return False
    return not owner or same_slurm_job(owner) or not owner_alive(owner, job_alive)


def claim(run_dir: Path, job_alive: JobAlive | None = None) -> bool:
    """Take the run's lock for this process; False when a live owner holds it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = run_dir / LOCK
    me = dumps(owner_record())
    for _ in range(3):  # the lock may vanish (released) between the tries
        if create_exclusive(lock, me):
            return True
        owner = lock_owner(run_dir)
        if owner is not None:
            break
    else:
        return False
    if owner and is_me(owner):
        return True
    if not _stale(owner, job_alive):
        return False
    with _guard(run_dir):
        current = lock_owner(run_dir)
        if current is not None and current != owner:
            return False  # someone else took it over meanwhile
        if current is not None:
            lock.unlink(missing_ok=True)
        return create_exclusive(lock, me)


def release(run_dir: Path) -> None:
    """Drop the run's lock if this process holds it."""
    owner = lock_owner(run_dir)
    if owner and is_me(owner):
        (run_dir / LOCK).unlink(missing_ok=True)


def holder_alive(run_dir: Path, job_alive: JobAlive | None = None) -> dict[str, Any] | None:
    """The owner of the run's lock when that owner is alive, else None."""
    owner = lock_owner(run_dir)
    return owner if owner and not _stale(owner, job_alive) else None


class _guard:
    """An exclusive ``flock`` on ``.lock.guard`` in the run folder, held for a take-over."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / f"{LOCK}.guard"

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o666)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def describe(owner: dict[str, Any]) -> str:
    """The owner in words, for messages."""
    job = f", SLURM job {owner['job_id']}" if owner.get("job_id") else ""
    return f"pid {owner.get('pid')} on {owner.get('host')}{job}" if owner else json.dumps(owner)
