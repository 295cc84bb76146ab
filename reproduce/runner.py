"""Execute one run from the store: the function every executor (local, debug, SLURM) calls."""

from __future__ import annotations

import math
import os
import random
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from methods import registry
from methods.base import ConfigAccess, RunFailed
from reproduce.provenance import collect_provenance
from reproduce.store import Store, atomic_write_bytes

PROGRESS_INTERVAL_S = 2.0


class StoreRunContext(ConfigAccess):
    """The RunContext (methods/base.py) backed by a run's folder in the store."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.run_dir: Path = store.run_dir(run_id)
        config = store.config(run_id)
        if config is None:
            raise FileNotFoundError(f"{self.run_dir}: no config.json; was the run planned?")
        self.config: dict[str, Any] = config
        self._last_progress = 0.0

    def log_eval(self, step: int, metrics: dict[str, float]) -> None:
        self.store.log_eval(self.run_id, step, metrics)

    def save_checkpoint(self, state: dict[str, Any]) -> None:
        import io

        import torch

        buffer = io.BytesIO()
        torch.save(state, buffer)
        atomic_write_bytes(self.run_dir / "checkpoint.pt", buffer.getvalue())

    def load_checkpoint(self) -> dict[str, Any] | None:
        """The last saved state; evaluations logged after it are dropped (recomputed)."""
        state = self.load_checkpoint_readonly()
        if isinstance(state, dict) and "step" in state:
            self.store.truncate_log(self.run_id, int(state["step"]))
        return state

    def finished_run_like(self, ignore_params: Iterable[str]) -> Path | None:
        rid = self.store.finished_like(self.config, set(ignore_params), exclude=self.run_id)
        return self.store.run_dir(rid) if rid else None

    def load_checkpoint_readonly(self) -> dict[str, Any] | None:
        """The last saved state, leaving the metrics log untouched (for `eval`)."""
        path = self.run_dir / "checkpoint.pt"
        if not path.exists():
            return None
        import torch

        return torch.load(path, map_location="cpu", weights_only=False)

    def progress(self, step: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_INTERVAL_S or step >= total:
            self._last_progress = now
            self.store.update_progress(self.run_id, step, total)


def execute_run(store_root: str | Path, run_id: str, reraise: bool = True) -> str:
    """Train and evaluate one run unless it is done or owned by a live process.

    Returns the run's state afterwards. A trainer's RunFailed, non-finite final metrics or
    any exception marks the run failed with its reason; exceptions are re-raised when
    ``reraise`` (so the scheduler sees the task fail too). An interruption (Ctrl-C, or
    submitit's exit after a preemption checkpoint) leaves the run pending: it resumes.
    """
    store = Store(store_root)
    if store.state(run_id) == "done":
        return "done"
    if not store.claim(run_id):
        return "running"  # another live process trains it: never train a run twice at once
    try:
        return _train_claimed(store, run_id, reraise)
    finally:
        store.release(run_id)


def _train_claimed(store: Store, run_id: str, reraise: bool) -> str:
    ctx = StoreRunContext(store, run_id)
    store.mark_running(run_id)
    _seed_everything(ctx.seed)
    started = time.time()
    try:
        trainer = registry.get(ctx.config["method"]).load_trainer()
        metrics = trainer(ctx)
        bad = [k for k, v in metrics.items() if isinstance(v, int | float | np.floating)
               and not math.isfinite(float(v))]
        if bad:
            raise RunFailed(f"non-finite final metrics: {', '.join(bad)}")
    except RunFailed as err:
        store.set_status(run_id, "failed", reason=str(err))
        return "failed"
    except Exception as err:
        store.set_status(run_id, "failed", reason=f"{type(err).__name__}: {err}".strip(),
                         traceback=traceback.format_exc(limit=8))
        if reraise:
            raise
        return "failed"
    except BaseException:  # KeyboardInterrupt, SystemExit after a preemption checkpoint
        store.set_status(run_id, "pending", reason="interrupted; resumes from its checkpoint")
        raise
    provenance = collect_provenance(ctx.config, started)
    store.write_result(run_id, metrics, provenance)
    return "done"


def execute_runs(store_root: str | Path, run_ids: list[str]) -> dict[str, str]:
    """Run several runs one after another (a local worker's share); failures don't stop it."""
    threads = os.environ.get("REPRODUCE_THREADS_PER_WORKER")
    if threads:
        import torch

        torch.set_num_threads(int(threads))
    return {rid: execute_run(store_root, rid, reraise=False) for rid in run_ids}


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:  # pragma: no cover
        pass
    import torch

    torch.manual_seed(seed)


class SlurmRunTask:
    """A SLURM array task for one run; on preemption or timeout submitit requeues it and
    the trainer resumes from its last checkpoint (submitit's Checkpointable protocol)."""

    def __call__(self, store_root: str, run_id: str) -> str:
        return execute_run(store_root, run_id, reraise=True)

    def checkpoint(self, store_root: str, run_id: str) -> Any:
        import submitit

        Store(store_root).set_status(run_id, "pending", reason="requeued; resumes from checkpoint")
        return submitit.helpers.DelayedSubmission(self, store_root, run_id)
