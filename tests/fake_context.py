"""An in-memory RunContext (methods/base.py) for trainer tests, with simulated kills."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from methods.base import ConfigAccess


class Stop(Exception):
    """Raised by FakeCtx to simulate a process killed mid-run."""


class FakeCtx(ConfigAccess):
    """Metrics in memory, checkpoints through ``torch.save`` into ``run_dir``.

    ``stop_after``: raise :class:`Stop` once a checkpoint (``stop_on="checkpoint"``) or a
    progress report (``stop_on="progress"``) reaches that step.
    """

    def __init__(self, run_dir: Path, params: dict[str, Any] | None = None, seed: int = 0, *,
                 method: str = "toy", dataset: str = "toy", stop_after: int | None = None,
                 stop_on: str = "checkpoint") -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.config = {"method": method, "dataset": dataset, "params": params or {},
                       "seed": seed, "profile": "test"}
        self.logged: dict[int, dict[str, Any]] = {}
        self.progressed: list[int] = []
        self.stop_after, self.stop_on = stop_after, stop_on
        self.similar_run: Path | None = None  # the finished run finished_state_like answers with

    def log_eval(self, step: int, metrics: dict[str, Any]) -> None:
        self.logged[step] = dict(metrics)

    def save_checkpoint(self, state: dict[str, Any]) -> None:
        tmp = self.run_dir / "checkpoint.pt.tmp"
        torch.save(state, tmp)
        tmp.replace(self.run_dir / "checkpoint.pt")
        self._maybe_stop("checkpoint", int(state["step"]))

    def load_checkpoint(self) -> dict[str, Any] | None:
        path = self.run_dir / "checkpoint.pt"
        if not path.exists():
            return None
        state = torch.load(path, weights_only=True)
        self.logged = {s: m for s, m in self.logged.items() if s <= state["step"]}
        return state

    def progress(self, step: int, total: int) -> None:
        self.progressed.append(step)
        self._maybe_stop("progress", step)

    def finished_state_like(self, ignore_params: Any) -> tuple[str, dict[str, Any]] | None:
        if self.similar_run is None:
            return None
        state = torch.load(self.similar_run / "checkpoint.pt", weights_only=True)
        return self.similar_run.name, state

    def save_artifact(self, name: str, **arrays: Any) -> None:
        tmp = self.run_dir / f"{name}.tmp.npz"
        np.savez(tmp, **arrays)
        tmp.replace(self.run_dir / name)

    def _maybe_stop(self, event: str, step: int) -> None:
        if event == self.stop_on and self.stop_after is not None and step >= self.stop_after:
            raise Stop(f"simulated kill at step {step}")


def train_as_harness(ctx: FakeCtx) -> dict[str, Any]:
    """Train ``ctx``'s run as the harness does: the global generators seeded with the run's
    seed, then the method's trainer."""
    from methods import registry
    from methods.engine.state import seed_all

    seed_all(ctx.seed)
    return registry.get(ctx.config["method"]).load_trainer()(ctx)
