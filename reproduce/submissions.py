"""The store's record of submissions: which job carries which run, so that `status` and
`wait` reattach later and concurrent invocations follow each other's runs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reproduce.liveness import owner_alive, owner_record, process_start
from reproduce.store import Store
from reproduce.storeio import atomic_write_json, read_json


def record_submission(store: Store, executor: str, owners: dict[str, str],
                      path: Path | None = None) -> Path:
    """Remember which job carries which run, so `status` and `wait` can reattach later
    (a local job is its controller's pid with that process's start time; a run whose job
    is not started yet ("") is carried by the submitting process while it lives)."""
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.json"
    path = path or store.root / "submissions" / name
    job_ids = sorted(set(owners.values()) - {""})
    starts = {j: process_start(int(j)) for j in job_ids if executor == "local" and j.isdigit()}
    atomic_write_json(path, {"executor": executor, "submitted": time.time(), "runs": owners,
                             "job_ids": job_ids, "starts": starts, "submitter": owner_record(),
                             "folder": str(store.root / "submitit")})
    return path


def queued_alive(store: Store, run_ids: Iterable[str]) -> dict[str, bool]:
    """For each of ``run_ids`` that was submitted: whether its job may still run it."""
    wanted = set(run_ids)
    alive: dict[str, bool] = {}
    for sub in submissions(store):
        for rid, job_id in (sub.get("runs") or {}).items():
            if rid in wanted and isinstance(job_id, str):
                alive[rid] = alive.get(rid, False) or _job_alive(sub, job_id)
    return alive


def _job_alive(sub: dict[str, Any], job_id: str) -> bool:
    from reproduce.slurm_state import job_alive

    if not job_id:
        submitter = sub.get("submitter")
        return isinstance(submitter, dict) and owner_alive(submitter)
    if sub.get("executor") == "slurm":
        return job_alive(job_id)
    if sub.get("executor") == "local" and job_id.isdigit():
        start = process_start(int(job_id))
        return start is not None and (sub.get("starts") or {}).get(job_id) in (None, start)
    return False


def submissions(store: Store) -> list[dict[str, Any]]:
    folder = store.root / "submissions"
    if not folder.is_dir():
        return []
    records = [read_json(p, {}) for p in sorted(folder.glob("*.json"))]
    return [r for r in records if isinstance(r, dict)]
