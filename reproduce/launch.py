"""Submit runs through submitit (local, debug or SLURM executors) and wait on the store."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reproduce.errors import UserError
from reproduce.interrupts import local_controllers, sigterm_as_interrupt, stop_local_jobs
from reproduce.plan import RunSpec
from reproduce.store import Store
from reproduce.submissions import queued_alive, record_submission

EXECUTORS = ("local", "debug", "slurm")


def open_store(path: str | os.PathLike[str], for_writing: bool) -> Store:
    """:meth:`Store.open` with SLURM jobs judged by SLURM's accounting."""
    from reproduce.slurm_state import job_alive

    return Store.open(path, for_writing, job_alive=job_alive)


def _chunks(items: Sequence[str], n: int) -> list[list[str]]:
    n = max(1, min(n, len(items)))
    return [list(items[i::n]) for i in range(n)]


@dataclass
class Submission:
    """The submitit jobs of one `submit` call and the runs it handed to them."""

    jobs: list[Any] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)


def submit(runs: Sequence[RunSpec], store: Store, executor: str = "local",
           workers: int | None = None, slurm_profile: dict[str, Any] | None = None,
           device: str = "auto") -> Submission:
    """Prepare each run's folder and submit the runs that are not done, not running and
    not queued in a live job (so no run is trained twice at once).

    A corrupt run's folder is moved aside (bytes kept) and the run trained afresh.
    ``local``: ``workers`` processes, each training its share of runs one after another.
    ``debug``: in this process (runs when waited on). ``slurm``: one array task per run.
    """
    if executor not in EXECUTORS:
        raise UserError(f"--executor: unknown executor {executor!r}; allowed: "
                        f"{', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise UserError(f"--workers: {workers}; allowed: an integer >= 1")
    from reproduce import devices

    gpus = devices.job_gpus(executor, device, [] if executor == "slurm" else
                            devices.visible_gpus())
    devices.export_device(device)
    for run in runs:
        _set_aside_if_corrupt(store, run.run_id)
        store.prepare(run.run_id, run.config)
    states = {r.run_id: store.state(r.run_id) for r in runs}
    pending = [rid for rid, s in states.items() if s == "pending"]
    queued = queued_alive(store, pending) if pending else {}
    todo = [rid for rid, s in states.items()
            if s in ("missing", "failed") or (s == "pending" and not queued.get(rid))]
    todo = [rid for rid in todo if _reset_to_pending(store, rid)]
    if not todo:
        return Submission()
    # announced before any job exists, so a concurrent `wait` follows these runs meanwhile
    record = record_submission(store, executor, dict.fromkeys(todo, ""))
    if executor == "slurm":
        jobs, owners = _submit_slurm(store, todo, slurm_profile or {})
    else:
        jobs, owners = _submit_local(store, todo, executor,
                                     workers or devices.default_workers(gpus), gpus)
    record_submission(store, executor, owners, record)
    return Submission(list(jobs), todo)


def _set_aside_if_corrupt(store: Store, run_id: str) -> None:
    status = store.status(run_id)
    if status["state"] != "corrupt":
        return
    moved = store.quarantine(run_id)
    if moved is not None:
        print(f"run {run_id}: {status['reason']}; its folder was moved to {moved} and the "
              "run is trained again as a fresh attempt", file=sys.stderr)


def _reset_to_pending(store: Store, run_id: str) -> bool:
    """Mark a run to be tried (again) as pending, under its claim; False when another
    live process holds the claim (it trains the run: follow it instead)."""
    if not store.claim(run_id):
        return False
    try:
        if store.state(run_id) in ("done", "corrupt"):
            return False
        store.set_status(run_id, "pending", reason="submitted")
        return True
    finally:
        store.release(run_id)


def _submit_local(store: Store, todo: list[str], executor: str, workers: int,
                  gpus: Sequence[str] = ()) -> tuple[list[Any], dict[str, str]]:
    from reproduce import devices, runner

    chunks = _chunks(todo, 1 if executor == "debug" else workers)
    with local_controllers():  # worker i sees GPU gpus[i % len(gpus)] only (devices.py)
        jobs = devices.map_local(executor, store.root / "submitit" / "%j", runner.execute_runs,
                                 str(store.root), chunks, gpus, 60 * 24 * 7)
    owners = {rid: str(job.job_id) for chunk, job in zip(chunks, jobs, strict=True)
              for rid in chunk}
    return jobs, owners


def _submit_slurm(store: Store, todo: list[str], profile: dict[str, Any]
                  ) -> tuple[list[Any], dict[str, str]]:
    """One array task per run; a failed sbatch returns the runs to what they were."""
    import submitit

    from reproduce import runner
    from reproduce.slurm_profile import executor_parameters

    try:
        ex = submitit.AutoExecutor(folder=store.root / "submitit" / "%j", cluster="slurm")
        ex.update_parameters(**executor_parameters(profile))
        with contextlib.redirect_stderr(io.StringIO()):  # sbatch's message goes in the error
            jobs = ex.map_array(runner.SlurmRunTask(), [str(store.root)] * len(todo), todo)
    except Exception as err:  # noqa: BLE001 - sbatch's own message is what the user needs
        for rid in todo:
            store.forget(rid)
        raise UserError(f"--executor slurm: submission failed: {_sbatch_message(err)}; "
                        f"{len(todo)} run(s) not submitted") from None
    return jobs, {rid: str(job.job_id) for rid, job in zip(todo, jobs, strict=True)}


def _sbatch_message(err: BaseException) -> str:
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    picked = next((ln for ln in lines if "sbatch:" in ln or "error" in ln.lower()),
                  lines[-1] if lines else type(err).__name__)
    return picked[:300]


def wait(run_ids: Sequence[str], store: Store, submission: Submission | None = None,
         poll_s: float = 1.0, progress: bool = True) -> dict[str, str]:
    """Wait until every run is done, failed or corrupt, showing a progress bar.

    With a ``submission``, its jobs are followed; without one (or once they have ended),
    the store is: runs running (in any invocation), or queued in a live job, are waited
    for. Ctrl-C or SIGTERM stops this submission's local workers, leaves their runs
    pending and re-raises KeyboardInterrupt.
    """
    jobs: Sequence[Any] = submission.jobs if submission else ()
    try:
        with sigterm_as_interrupt():
            return _follow(list(dict.fromkeys(run_ids)), store, jobs, submission, poll_s,
                           progress)
    except KeyboardInterrupt:
        if submission:
            stop_local_jobs(submission.jobs)
            _leave_pending(store, submission.run_ids)
        raise


def _follow(run_ids: list[str], store: Store, jobs: Sequence[Any],
            submission: Submission | None, poll_s: float, progress: bool) -> dict[str, str]:
    from tqdm import tqdm

    for job in [j for j in jobs if type(j).__name__ == "DebugJob"]:
        _result_or_none(job)  # debug jobs run in this process when their result is asked for
    bar = tqdm(total=len(run_ids), unit="run", disable=not progress, dynamic_ncols=True,
               mininterval=0.5 if sys.stderr.isatty() else 30)
    try:
        while True:
            statuses = {rid: store.status(rid) for rid in run_ids}
            states = {rid: st["state"] for rid, st in statuses.items()}
            bar.n = sum(s in ("done", "failed", "corrupt") for s in states.values())
            bar.set_postfix_str(_running_progress(statuses), refresh=False)
            bar.refresh()
            if bar.n == len(run_ids):
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


def _running_progress(statuses: dict[str, dict[str, Any]]) -> str:
    parts = [f"{rid[:6]} {100 * st.get('step', 0) / st['total']:.0f}%"
             for rid, st in statuses.items() if st["state"] == "running" and st.get("total")]
    return " ".join(parts[:4])


def _result_or_none(job: Any) -> Any:
    try:
        return job.result()
    except Exception as err:  # noqa: BLE001 - the store records the reason
        return err


def _mark_orphans(store: Store, run_ids: Sequence[str], jobs: Sequence[Any]) -> None:
    """Runs of this submission left pending when its jobs ended, that no live process
    holds and no live job of another submission will take, are failed with the jobs'
    error. Runs another invocation trains are running, not failed: they are followed."""
    errors = [r for r in map(_result_or_none, jobs) if isinstance(r, Exception)]
    reason = next((str(e).strip().splitlines()[-1] for e in errors if str(e).strip()), "")
    left = [rid for rid in run_ids if store.state(rid) in ("pending", "missing")]
    queued = queued_alive(store, left) if left else {}
    for rid in left:
        if queued.get(rid) or not store.claim(rid):
            continue
        try:
            if store.state(rid) in ("pending", "missing"):
                store.set_status(rid, "failed",
                                 reason=f"job ended without a result: {reason or 'killed'}"[:300])
        finally:
            store.release(rid)


def _leave_pending(store: Store, run_ids: Sequence[str]) -> None:
    """After an interrupt: runs whose worker is gone are pending again, not running."""
    for rid in run_ids:
        status = store.status(rid)
        gone = status["state"] == "failed" and status.get("stale")
        unstarted = status["state"] == "pending" and status.get("reason") == "submitted"
        if (gone or unstarted) and store.claim(rid):
            try:
                reason = ("interrupted; resumes from its checkpoint" if store.has_checkpoint(rid)
                          else "interrupted before its first checkpoint" if gone
                          else "not started: interrupted")
                store.set_status(rid, "pending", reason=reason)
            finally:
                store.release(rid)
