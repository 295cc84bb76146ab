"""The training loop shared by the image GAN methods (torch).

A method plugs in through :class:`GANMethod`: its networks and optimisers (checkpointed
by name), ``d_step(batch)`` and ``g_step(batch)`` (each one update, returning its
losses as detached tensors) and ``sample(n, seed, G)``. Evaluation goes through an
:class:`Evaluator`. The engine owns everything else: D steps per G step, the staircase
learning-rate decay, the EMA of G, periodic evaluation into ``ctx.log_eval``,
checkpoints (networks, optimisers, EMA, step, data order, every RNG state) so that a
resumed run ends with the same metrics as an uninterrupted one, progress reports, and
divergence detection (a non-finite loss, or generated samples collapsed to one image,
raise :class:`methods.base.RunFailed`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Protocol

import torch
from torch import nn

from methods.base import RunContext, RunFailed
from methods.engine.state import EMA, BatchStream, rng_states, set_rng_states, staircase_lr

Batch = tuple[torch.Tensor, torch.Tensor]
Metrics = dict[str, Any]  # floats, plus strings naming extractors


class GANMethod(Protocol):
    """What an image GAN method gives the engine."""

    nets: dict[str, nn.Module]  # checkpointed by name; "G" is the generator
    optimizers: dict[str, torch.optim.Optimizer]

    def d_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        """One discriminator (and classifier) update on a real batch; detached losses."""

    def g_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        """One generator update (``batch`` is the last D step's real batch)."""

    def sample(self, n: int, seed: int, G: nn.Module) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``n`` images in [-1, 1] from generator ``G`` (and their target labels, if any),
        from random generators seeded by ``seed`` only."""


class Evaluator(Protocol):
    """Computes one evaluation's metrics; must draw randomness from its own seeds only."""

    def __call__(self, step: int, method: GANMethod, G: nn.Module) -> Metrics: ...


@dataclass(frozen=True)
class EngineConfig:
    """Schedule of one run (the names are the methods' parameter names)."""

    steps: int
    d_steps: int = 1  # D updates per G update
    eval_every: int = 1000
    checkpoint_every: int = 1000
    ema_decay: float = 0.0  # 0: no EMA of G
    ema_start: int = 0  # before this step the EMA is a copy of G
    lr_decay: float = 1.0  # staircase factor ...
    lr_decay_every: int = 0  # ... every this many G steps (0: constant)
    progress_every: int = 50
    check_every: int = 10  # finiteness check of the losses
    collapse_std: float = 1e-4  # mean per-pixel std over samples below this: collapsed
    collapse_samples: int = 64
    seed: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, Any], seed: int) -> EngineConfig:
        """The fields found in ``params`` (same names), the rest at their defaults."""
        kw: dict[str, Any] = {f.name: type(getattr(cls, f.name, 0))(params[f.name])
                              for f in fields(cls) if f.name in params and f.name != "seed"}
        return cls(steps=int(params["steps"]), **{k: v for k, v in kw.items() if k != "steps"},
                   seed=seed)


class Engine:
    """Runs a :class:`GANMethod` to ``cfg.steps`` G steps under a RunContext."""

    def __init__(self, method: GANMethod, stream: BatchStream, cfg: EngineConfig,
                 evaluator: Evaluator) -> None:
        self.method, self.stream, self.cfg, self.evaluator = method, stream, cfg, evaluator
        self.ema = EMA(method.nets["G"], cfg.ema_decay) if cfg.ema_decay > 0 else None
        for opt in method.optimizers.values():
            for group in opt.param_groups:
                group.setdefault("initial_lr", group["lr"])
        self.last_losses: dict[str, float] = {}

    # --- state ----------------------------------------------------------------------------
    def state(self, step: int) -> dict[str, Any]:
        """Everything needed to resume exactly after ``step``."""
        m = self.method
        extra = getattr(m, "extra_state", None)
        return {
            "step": step,
            "nets": {k: v.state_dict() for k, v in m.nets.items()},
            "optimizers": {k: v.state_dict() for k, v in m.optimizers.items()},
            "ema": self.ema.module.state_dict() if self.ema else None,
            "stream": self.stream.state(),
            "rng": rng_states(),
            "method": extra() if extra else None,
        }

    def load(self, state: dict[str, Any]) -> int:
        """Restore a :meth:`state`; returns its step."""
        m = self.method
        for k, net in m.nets.items():
            net.load_state_dict(state["nets"][k])
        for k, opt in m.optimizers.items():
            opt.load_state_dict(state["optimizers"][k])
        if self.ema is not None and state.get("ema") is not None:
            self.ema.module.load_state_dict(state["ema"])
        self.stream.load(state["stream"])
        set_rng_states(state["rng"])
        if state.get("method") is not None:
            m.load_extra_state(state["method"])  # type: ignore[attr-defined]
        return int(state["step"])

    # --- pieces of a step -----------------------------------------------------------------
    def _set_lr(self, done: int) -> None:
        for opt in self.method.optimizers.values():
            for group in opt.param_groups:
                group["lr"] = staircase_lr(group["initial_lr"], done, self.cfg.lr_decay,
                                           self.cfg.lr_decay_every)

    def _check(self, step: int, losses: dict[str, torch.Tensor]) -> None:
        values = {k: float(v) for k, v in losses.items()}
        self.last_losses = values
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if bad:
            raise RunFailed(f"non-finite loss at step {step}: {bad}")

    def generator_for_eval(self) -> nn.Module:
        """The EMA generator when enabled, else the trained one."""
        return self.ema.module if self.ema is not None else self.method.nets["G"]

    def evaluate(self, step: int) -> Metrics:
        """Collapse check and the evaluator's metrics (under ``torch.no_grad``; forward-mode
        derivatives still work), with every net in eval mode and every global random state
        left as it was (so evaluations never change training)."""
        modes = {k: n.training for k, n in self.method.nets.items()}
        saved = rng_states()
        try:
            for n in self.method.nets.values():
                n.eval()
            G = self.generator_for_eval()
            with torch.no_grad():
                x, _ = self.method.sample(self.cfg.collapse_samples, 7919 + step, G)
                metrics = dict(self.evaluator(step, self.method, G))
            spread = float(x.float().std(dim=0).mean())
            if not math.isfinite(spread):
                raise RunFailed(f"non-finite generated samples at step {step}")
            if spread < self.cfg.collapse_std:
                raise RunFailed(f"generator collapsed at step {step}: mean per-pixel std over "
                                f"{len(x)} samples {spread:.2e} < {self.cfg.collapse_std:g}")
            metrics["sample_std"] = spread
            return metrics
        finally:
            set_rng_states(saved)
            for k, n in self.method.nets.items():
                n.train(modes[k])

    # --- the loop -------------------------------------------------------------------------
    def run(self, ctx: RunContext) -> Metrics:
        """Train (resuming from ``ctx``'s checkpoint if any); returns the last metrics."""
        cfg, m = self.cfg, self.method
        start = 0
        state = ctx.load_checkpoint()
        if state is not None:
            start = self.load(state)
        metrics: Metrics = {}
        for step in range(start + 1, cfg.steps + 1):
            self._set_lr(step - 1)
            for _ in range(cfg.d_steps):
                batch = self.stream.next()
                d_losses = m.d_step(batch)
            g_losses = m.g_step(batch)
            if self.ema is not None:
                self.ema.update(copy_only=step <= cfg.ema_start)
            do_eval = step % cfg.eval_every == 0 or step == cfg.steps
            do_ckpt = step % cfg.checkpoint_every == 0
            if do_eval or do_ckpt or step % cfg.check_every == 0:
                self._check(step, {**d_losses, **g_losses})
            if do_eval:
                metrics = self.evaluate(step)
                ctx.log_eval(step, metrics)
            if do_ckpt:
                ctx.save_checkpoint(self.state(step))
            if step % cfg.progress_every == 0 or step == cfg.steps:
                ctx.progress(step, cfg.steps)
        if not metrics:  # resumed at (or past) the end: evaluate the restored model
            metrics = self.evaluate(cfg.steps)
            ctx.log_eval(cfg.steps, metrics)
        elif cfg.steps % cfg.checkpoint_every:
            ctx.save_checkpoint(self.state(cfg.steps))  # the final model, for `reproduce eval`
        return metrics
