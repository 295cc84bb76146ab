"""The contract between the harness and a trainer (torch-free).

A trainer is a function ``train(ctx: RunContext) -> dict[str, float]``; every method with
a ``build`` is trained by the engine's (methods/engine/protocol.py). It reads its resolved
configuration from ``ctx.config`` (keys: method, dataset, params, seed, profile), logs
every evaluation with ``ctx.log_eval(step, metrics)``, saves and restores its state
through ``ctx.save_checkpoint`` / ``ctx.load_checkpoint`` so that an interrupted run
resumes, writes arrays with ``ctx.save_artifact``, reports progress with ``ctx.progress``,
and returns the final metrics. A diverged run raises :class:`RunFailed` with its reason.

Before a trainer is called the harness has set the thread count and seeded Python's,
numpy's and torch's global generators with the run's seed; a trainer sets neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol


class RunFailed(RuntimeError):
    """Raised by a trainer when a run diverged (NaN, collapse): the run is marked failed."""


class RunContext(Protocol):
    """What the harness hands to a trainer."""

    run_dir: Path
    config: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]: ...

    @property
    def seed(self) -> int: ...

    def log_eval(self, step: int, metrics: dict[str, float]) -> None:
        """Append one evaluation to the run's metrics log (idempotent per step)."""

    def save_checkpoint(self, state: dict[str, Any]) -> None:
        """Atomically save the trainer's state (models, optimizers, step, RNG states)."""

    def load_checkpoint(self) -> dict[str, Any] | None:
        """The last saved state, or None for a fresh run."""

    def save_artifact(self, name: str, **arrays: Any) -> None:
        """Atomically write numpy arrays as the run's artifact ``name`` (``*.npz``)."""

    def progress(self, step: int, total: int) -> None:
        """Report training progress (shown as a progress bar by the harness)."""

    def finished_state_like(self, ignore_params: Iterable[str]
                            ) -> tuple[str, dict[str, Any]] | None:
        """(run id, checked final state) of a finished run whose config equals this run's
        but for ``ignore_params`` (evaluation-time parameters), or None."""


class ConfigAccess:
    """``params`` and ``seed`` read from ``self.config``, for RunContext implementations."""

    config: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        return self.config["params"]

    @property
    def seed(self) -> int:
        return int(self.config["seed"])


def seed_all(seed: int) -> None:
    """Seed Python's, numpy's legacy global and torch's (CPU and CUDA) generators with a
    run's seed: what the harness does before a trainer starts."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
