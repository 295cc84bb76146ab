"""Execute one run from the store: the function every executor (local, debug, SLURM) calls.

The runner alone sets what a run's numbers may depend on besides its config: the thread
count (:func:`run_threads`, fixed per run) and the global seeds.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from methods import registry
from methods.base import ConfigAccess, RunFailed, seed_all
from reproduce.checkpoints import CheckpointError
from reproduce.errors import UserError
from reproduce.interrupts import raise_interrupt
from reproduce.provenance import collect_provenance
from reproduce.store import Store

PROGRESS_INTERVAL_S = 2.0
DEFAULT_THREADS = 1


def run_threads(config: dict[str, Any]) -> int:
    """The intra-op thread count a run trains with: its ``threads`` param, else 1.

    It never depends on the machine or on how many workers share it, so one run id gives
    the same numbers under ``--workers 1`` and ``--workers 8``.
    """
    threads = config.get("params", {}).get("threads", DEFAULT_THREADS)
    return int(threads) if isinstance(threads, int) and threads >= 1 else DEFAULT_THREADS


class StoreRunContext(ConfigAccess):
    """The RunContext (methods/base.py) backed by a run's folder in the store."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.run_dir: Path = store.run_dir(run_id)
        config = store.config(run_id)
        if config is None:
            raise UserError(f"run {run_id}: no valid config in the store; was it planned?")
        self.config: dict[str, Any] = config
        self.threads = run_threads(config)
        self.notes: list[str] = []
        self._last_progress = 0.0

    def log_eval(self, step: int, metrics: dict[str, float]) -> None:
        self.store.log_eval(self.run_id, step, metrics)

    def save_checkpoint(self, state: dict[str, Any]) -> None:
        self.store.save_checkpoint(self.run_id, state, self.config, self.threads)

    def load_checkpoint(self) -> dict[str, Any] | None:
        """The last saved state; evaluations logged after it are dropped (recomputed).

        A damaged checkpoint (empty, truncated) is set aside and the run starts from
        scratch, said in one line; another run's checkpoint, one with pickled objects, or
        one trained under another thread count fails the run with the reason.
        """
        try:
            state = self.store.load_checkpoint(self.run_id, self.config, self.threads)
        except CheckpointError as err:
            if err.kind != "damaged":
                raise RunFailed(f"{err}; delete it to train from scratch") from None
            kept = self.store.set_aside_checkpoint(self.run_id)
            self._note(f"{err}; set aside as {kept}, training from scratch")
            state = None
        self.store.truncate_log(self.run_id, int(state.get("step", -1)) if state else -1)
        return state

    def load_checkpoint_readonly(self) -> dict[str, Any] | None:
        """The last saved state, leaving the metrics log untouched (for `eval`)."""
        try:
            return self.store.load_checkpoint(self.run_id, self.config, None)
        except CheckpointError as err:
            raise UserError(f"{self.run_dir}/{err}") from None

    def finished_state_like(self, ignore_params: Iterable[str]
                            ) -> tuple[str, dict[str, Any]] | None:
        """(run id, checked checkpoint) of a finished run whose config equals this run's but
        for ``ignore_params`` (evaluation-time parameters), or None."""
        rid = self.store.finished_like(self.config, set(ignore_params), exclude=self.run_id)
        if rid is None:
            return None
        config = self.store.config(rid)
        try:
            return rid, self.store.load_checkpoint(rid, config or {}, None)
        except CheckpointError as err:
            self._note(f"finished run {rid}: {err}; not reused")
            return None

    def save_artifact(self, name: str, data: bytes | None = None, **arrays: Any) -> None:
        self.store.save_artifact(self.run_id, name, data, **arrays)

    def read_artifact(self, name: str) -> dict[str, Any]:
        return self.store.read_artifact(self.run_id, name)

    def progress(self, step: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL_S or step >= total:
            self._last_progress = now
            self.store.update_progress(self.run_id, step, total)

    def notes_record(self) -> dict[str, list[str]]:
        """``{"notes": [...]}`` for the status record when something was recovered."""
        return {"notes": self.notes} if self.notes else {}

    def _note(self, text: str) -> None:
        self.notes.append(text)
        print(f"run {self.run_id}: {text}", file=sys.stderr)


def execute_run(store_root: str | Path, run_id: str, reraise: bool = True,
                store: Store | None = None) -> str:
    """Train and evaluate one run unless it is done, corrupt or owned by a live process.

    Returns the run's state afterwards. A trainer's RunFailed, non-finite final metrics or
    any exception marks the run failed with its reason; exceptions are re-raised when
    ``reraise`` (so the scheduler sees the task fail too). An interruption (Ctrl-C,
    SIGTERM, or submitit's exit after a preemption checkpoint) leaves the run pending.
    """
    store = store or Store(store_root)
    state = store.state(run_id)
    if state in ("done", "corrupt"):
        return state
    if not store.claim(run_id):
        return "running"  # another live process trains it: never train a run twice at once
    try:
        state = store.state(run_id)
        if state in ("done", "corrupt"):  # finished while we were claiming
            return state
        return _train_claimed(store, run_id, reraise)
    finally:
        store.release(run_id)


def _train_claimed(store: Store, run_id: str, reraise: bool) -> str:
    ctx = StoreRunContext(store, run_id)
    damage = store.metrics_damage(run_id)
    if damage:
        kept = store.metrics_log(run_id)
        store.truncate_log(run_id, kept[-1]["step"] if kept else -1)
        ctx._note(f"metrics.jsonl: {damage}; kept the {len(kept)} evaluation(s) before it")
    store.mark_running(run_id)
    _fix_threads(ctx.threads)
    seed_all(ctx.seed)
    try:
        trainer = registry.get(ctx.config["method"]).load_trainer()
        metrics = trainer(ctx)
        bad = [k for k, v in metrics.items() if isinstance(v, int | float | np.floating)
               and not math.isfinite(float(v))]
        if bad:
            raise RunFailed(f"non-finite final metrics: {', '.join(bad)}")
    except RunFailed as err:
        store.set_status(run_id, "failed", reason=str(err), **ctx.notes_record())
        return "failed"
    except Exception as err:
        store.set_status(run_id, "failed", reason=f"{type(err).__name__}: {err}".strip(),
                         traceback=traceback.format_exc(limit=8), **ctx.notes_record())
        if reraise:
            raise
        return "failed"
    except BaseException:  # KeyboardInterrupt, SystemExit after a preemption checkpoint
        store.set_status(run_id, "pending", reason=_interrupted(store, run_id),
                         **ctx.notes_record())
        raise
    provenance = collect_provenance(ctx.config, store.wall_seconds(run_id), ctx.threads)
    provenance["segments"] = len(store.status(run_id).get("segments", [])) or 1
    provenance.update(ctx.notes_record())
    store.write_result(run_id, metrics, provenance)
    return "done"


def _interrupted(store: Store, run_id: str) -> str:
    if store.has_checkpoint(run_id):
        return "interrupted; resumes from its checkpoint"
    return "interrupted before its first checkpoint; restarts from scratch"


def execute_runs(store_root: str | Path, run_ids: list[str]) -> dict[str, str]:
    """Run several runs one after another (a local worker's share); failures don't stop it.

    In a local worker, SIGTERM (sent when the main process is interrupted) stops the run
    in hand like Ctrl-C: it is left pending, to resume from its checkpoint.
    """
    if os.environ.get("SUBMITIT_EXECUTOR") == "local":
        signal.signal(signal.SIGTERM, raise_interrupt)
    return {rid: execute_run(store_root, rid, reraise=False) for rid in run_ids}


def _fix_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


class SlurmRunTask:
    """A SLURM array task for one run; on preemption or timeout submitit requeues it and
    the trainer resumes from its last checkpoint (submitit's Checkpointable protocol)."""

    def __call__(self, store_root: str, run_id: str) -> str:
        from reproduce.slurm_state import job_alive

        return execute_run(store_root, run_id, reraise=True,
                           store=Store(store_root, job_alive=job_alive))

    def checkpoint(self, store_root: str, run_id: str) -> Any:
        import submitit

        Store(store_root).set_status(run_id, "pending", reason="requeued; resumes from checkpoint")
        return submitit.helpers.DelayedSubmission(self, store_root, run_id)
