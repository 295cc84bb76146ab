"""The training loop every method runs under (torch).

A method hands the loop a :class:`Model` (its networks, optimisers and one training step;
a step may train many members at once) and a :class:`Schedule`. The loop owns the rest:
resuming from the last checkpoint with every global random state, the steps, the
finiteness check of the losses, evaluation and checkpoint cadence, progress reports, the
final evaluation and the final checkpoint (for ``reproduce eval``).

Seeds and threads are not the loop's business: the harness seeds the global generators
with the run's seed and sets the thread count before a trainer starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from methods.base import RunContext, RunFailed
from methods.engine.state import rng_states, set_rng_states

Metrics = dict[str, Any]  # floats, plus strings naming extractors


class Model(Protocol):
    """What a method gives the loop."""

    def train_step(self, step: int) -> Mapping[str, torch.Tensor]:
        """Take training step ``step`` (1-based); its losses, detached (any shape: a batched
        model returns one value per member)."""

    def evaluate(self, step: int) -> Metrics:
        """The metrics of the current model (the loop restores every global random state
        afterwards, so evaluating never changes training)."""

    def state_dict(self) -> dict[str, Any]:
        """Everything of the model a resume needs besides the global random states."""

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""


@dataclass(frozen=True)
class Schedule:
    """When the loop evaluates, checkpoints, reports progress and checks the losses."""

    steps: int
    eval_every: int
    checkpoint_every: int
    progress_every: int = 50
    check_every: int = 10  # finiteness check of the losses (also before evals, checkpoints)


def checkpoint(model: Model, step: int) -> dict[str, Any]:
    """The checkpoint after ``step``: the model's state and every global random state."""
    return {"step": step, "rng": rng_states(), "model": model.state_dict()}


def restore(model: Model, state: dict[str, Any]) -> int:
    """Load a :func:`checkpoint` into ``model`` and the global generators; its step."""
    model.load_state_dict(state["model"])
    set_rng_states(state["rng"])
    return int(state["step"])


def check_finite(step: int, losses: Mapping[str, torch.Tensor]) -> None:
    """RunFailed naming the losses that hold a NaN or an infinity."""
    bad = {k: torch.as_tensor(v).tolist() for k, v in losses.items()
           if not bool(torch.isfinite(torch.as_tensor(v)).all())}
    if bad:
        raise RunFailed(f"non-finite loss at step {step}: {bad}")


def evaluate(model: Model, step: int) -> Metrics:
    """``model.evaluate(step)`` with every global random state left as it was."""
    saved = rng_states()
    try:
        return dict(model.evaluate(step))
    finally:
        set_rng_states(saved)


def train_loop(model: Model, sched: Schedule, ctx: RunContext,
               state: dict[str, Any] | None) -> Metrics:
    """Train ``model`` to ``sched.steps``, resuming from ``state`` (a :func:`checkpoint`,
    or None for a fresh run); returns the metrics of the last evaluation."""
    start = restore(model, state) if state is not None else 0
    metrics: Metrics = {}
    for step in range(start + 1, sched.steps + 1):
        losses = model.train_step(step)
        do_eval = step % sched.eval_every == 0 or step == sched.steps
        do_ckpt = step % sched.checkpoint_every == 0
        if do_eval or do_ckpt or step % sched.check_every == 0:
            check_finite(step, losses)
        if do_eval:
            metrics = evaluate(model, step)
            ctx.log_eval(step, metrics)
        if do_ckpt:
            ctx.save_checkpoint(checkpoint(model, step))
        if step % sched.progress_every == 0 or step == sched.steps:
            ctx.progress(step, sched.steps)
    if not metrics:  # resumed at (or past) the end: evaluate the restored model
        metrics = evaluate(model, sched.steps)
        ctx.log_eval(sched.steps, metrics)
    elif sched.steps % sched.checkpoint_every:
        ctx.save_checkpoint(checkpoint(model, sched.steps))  # the final model, for `eval`
    return metrics
