"""Submit runs through submitit (local, debug or SLURM executors) and wait on the store."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reproduce.errors import UserError
from reproduce.plan import RunSpec
from reproduce.store import Store, atomic_write_json, read_json

EXECUTORS = ("local", "debug", "slurm")


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _chunks(items: Sequence[str], n: int) -> list[list[str]]:
    n = max(1, min(n, len(items)))
    return [list(items[i::n]) for i in range(n)]


@dataclass
class Submission:
    """The submitit jobs of one `submit` call and the runs it handed to them."""

    jobs: list[Any] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)


def submit(runs: Sequence[RunSpec], store: Store, executor: str = "local",
           workers: int | None = None, slurm_profile: dict[str, Any] | None = None
           ) -> Submission:
    """Prepare each run's folder and submit the runs that are not done, not running and
    not queued in a live job (so no run is trained twice at once).

    ``local``: ``workers`` processes, each training its share of runs one after another.
    ``debug``: in this process (runs when waited on). ``slurm``: one array task per run.
    """
    import submitit

    from reproduce import runner

    if executor not in EXECUTORS:
        raise UserError(f"--executor: unknown executor {executor!r}; allowed: "
                        f"{', '.join(EXECUTORS)}")
    for run in runs:
        store.prepare(run.run_id, run.config)
    states = {r.run_id: store.state(r.run_id) for r in runs}
    pending = [rid for rid, s in states.items() if s == "pending"]
    queued = queued_alive(store, pending) if pending else {}
    todo = [rid for rid, s in states.items()
            if s in ("missing", "failed") or (s == "pending" and not queued.get(rid))]
    if not todo:
        return Submission()
    for rid in todo:  # a failed or interrupted run is tried again, resuming from its checkpoint
        store.set_status(rid, "pending", reason="submitted")
    folder = store.root / "submitit" / "%j"
    if executor == "slurm":
        from reproduce.slurm_profile import executor_parameters

        ex = submitit.AutoExecutor(folder=folder, cluster="slurm")
        ex.update_parameters(**executor_parameters(slurm_profile or {}))
        jobs = ex.map_array(runner.SlurmRunTask(), [str(store.root)] * len(todo), todo)
        owners = {rid: str(job.job_id) for rid, job in zip(todo, jobs, strict=True)}
    else:
        ex = submitit.AutoExecutor(folder=folder, cluster=executor)
        ex.update_parameters(timeout_min=60 * 24 * 7)
        n = workers or default_workers()
        os.environ.setdefault("REPRODUCE_THREADS_PER_WORKER",
                              str(max(1, (os.cpu_count() or 1) // n)))
        chunks = _chunks(todo, 1 if executor == "debug" else n)
        jobs = ex.map_array(runner.execute_runs, [str(store.root)] * len(chunks), chunks)
        owners = {rid: str(job.job_id) for chunk, job in zip(chunks, jobs, strict=True)
                  for rid in chunk}
    record_submission(store, executor, owners)
    return Submission(list(jobs), todo)


def record_submission(store: Store, executor: str, owners: dict[str, str]) -> Path:
    """Remember which job carries which run, so `status` and `wait` can reattach later."""
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.json"
    path = store.root / "submissions" / name
    atomic_write_json(path, {"executor": executor, "submitted": time.time(), "runs": owners,
                             "job_ids": sorted(set(owners.values())),
                             "folder": str(store.root / "submitit")})
    return path


def queued_alive(store: Store, run_ids: Iterable[str]) -> dict[str, bool]:
    """For each of ``run_ids`` that was submitted: whether its job may still run it."""
    from reproduce.slurm_state import job_alive
    from reproduce.store import pid_alive

    wanted = set(run_ids)
    alive: dict[str, bool] = {}
    for sub in submissions(store):
        for rid, job_id in sub.get("runs", {}).items():
            if rid not in wanted:
                continue
            if sub["executor"] == "slurm":
                alive[rid] = job_alive(job_id)
            elif sub["executor"] == "local" and job_id.isdigit():
                alive[rid] = pid_alive(int(job_id))
            else:
                alive[rid] = False
    return alive


def submissions(store: Store) -> list[dict[str, Any]]:
    folder = store.root / "submissions"
    if not folder.is_dir():
        return []
    return [read_json(p, {}) for p in sorted(folder.glob("*.json"))]


def wait(run_ids: Sequence[str], store: Store, submission: Submission | None = None,
         poll_s: float = 1.0, progress: bool = True) -> dict[str, str]:
    """Wait until every run is done or failed, showing a progress bar; returns the states.

    With a ``submission``, its jobs are followed; without one (or once they have ended),
    the store is: runs running, or queued in a live job, are waited for."""
    from tqdm import tqdm

    run_ids = list(dict.fromkeys(run_ids))
    jobs: Sequence[Any] = submission.jobs if submission else ()
    debug_jobs = [j for j in jobs if type(j).__name__ == "DebugJob"]
    for job in debug_jobs:  # debug jobs run in this process when their result is asked for
        _result_or_none(job)
    import sys

    bar = tqdm(total=len(run_ids), unit="run", disable=not progress, dynamic_ncols=True,
               mininterval=0.5 if sys.stderr.isatty() else 30)
    try:
        while True:
            states = {rid: store.state(rid) for rid in run_ids}
            finished = sum(s in ("done", "failed") for s in states.values())
            bar.n = finished
            bar.set_postfix_str(_running_progress(store, states), refresh=False)
            bar.refresh()
            if finished == len(run_ids):
                break
            if jobs and all(j.done() for j in jobs):
                _mark_orphans(store, submission.run_ids if submission else [], jobs)
                jobs = ()  # from now on, follow the store as a reattached wait does
                continue
            if not jobs and not _any_alive(store, states):
                break
            time.sleep(poll_s)
    finally:
        bar.close()
    return {rid: store.state(rid) for rid in run_ids}


def _any_alive(store: Store, states: dict[str, str]) -> bool:
    """Without job handles: is any run running, or queued in a job that is still alive?"""
    if any(s == "running" for s in states.values()):
        return True
    queued = [rid for rid, s in states.items() if s == "pending"]
    if not queued:
        return False
    alive = queued_alive(store, queued)
    return any(alive.get(rid, False) for rid in queued)


def _running_progress(store: Store, states: dict[str, str]) -> str:
    parts = []
    for rid, state in states.items():
        if state == "running":
            st = store.status(rid)
            if st.get("total"):
                parts.append(f"{rid[:6]} {100 * st.get('step', 0) / st['total']:.0f}%")
    return " ".join(parts[:4])


def _result_or_none(job: Any) -> Any:
    try:
        return job.result()
    except Exception as err:  # noqa: BLE001 - the store records the reason
        return err


def _mark_orphans(store: Store, run_ids: Sequence[str], jobs: Sequence[Any]) -> None:
    """Runs of this submission whose jobs ended without a result are failed, with the
    job's error (runs of other submissions are left to their own jobs)."""
    errors = [r for r in map(_result_or_none, jobs) if isinstance(r, Exception)]
    reason = next((str(e).strip().splitlines()[-1] for e in errors if str(e).strip()), "")
    for rid in run_ids:
        status = store.status(rid)
        if status["state"] in ("pending", "missing") or (
                status["state"] == "running" and not status.get("job_id")
                and status.get("pid") not in (None, os.getpid())):
            store.set_status(rid, "failed",
                             reason=f"job ended without a result: {reason or 'killed'}"[:300])
