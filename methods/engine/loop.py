"""The image GAN engine (torch): a :class:`GANMethod` run as a :class:`core.Model`.

A method plugs in through :class:`GANMethod`: its networks and optimisers (checkpointed
by name), ``d_step(batch)`` and ``g_step(batch)`` (each one update, returning its losses
as detached tensors) and ``sample(n, seed, G)``. Evaluation goes through an
:class:`Evaluator`. :class:`Engine` adds what every image GAN shares: D steps per G step
on a seeded batch stream, the staircase learning-rate decay, the EMA of G, and a collapse
check before every evaluation (non-finite or collapsed samples raise
:class:`methods.base.RunFailed`). The loop itself (resume, cadences, checkpoints,
progress) is :func:`methods.engine.core.train_loop`, the same for every method.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Any, Protocol

import torch
from torch import nn

from methods.base import RunContext, RunFailed
from methods.engine import core
from methods.engine.core import Metrics
from methods.engine.state import EMA, BatchStream, rng_states, set_rng_states, staircase_lr

Batch = tuple[torch.Tensor, torch.Tensor]


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

    @classmethod
    def from_params(cls, params: Any) -> EngineConfig:
        """The fields found in ``params`` (a mapping or a method's typed parameters; same
        names), the rest at their defaults."""
        values = (dataclasses.asdict(params) if dataclasses.is_dataclass(params)
                  else dict(params))
        names = {f.name: type(f.default) for f in fields(cls) if f.name != "steps"}
        kw = {k: cast(values[k]) for k, cast in names.items() if k in values}
        return cls(steps=int(values["steps"]), **kw)

    def schedule(self) -> core.Schedule:
        """The loop's cadences."""
        return core.Schedule(steps=self.steps, eval_every=self.eval_every,
                             checkpoint_every=self.checkpoint_every,
                             progress_every=self.progress_every, check_every=self.check_every)


class Engine:
    """Runs a :class:`GANMethod` to ``cfg.steps`` G steps under a RunContext."""

    def __init__(self, method: GANMethod, stream: BatchStream, cfg: EngineConfig,
                 evaluator: Evaluator) -> None:
        self.method, self.stream, self.cfg, self.evaluator = method, stream, cfg, evaluator
        self.ema = EMA(method.nets["G"], cfg.ema_decay) if cfg.ema_decay > 0 else None
        for opt in method.optimizers.values():
            for group in opt.param_groups:
                group.setdefault("initial_lr", group["lr"])

    # --- core.Model ---------------------------------------------------------------------
    def train_step(self, step: int) -> dict[str, torch.Tensor]:
        """``d_steps`` D updates, one G update, the EMA; the losses of the last of each."""
        cfg, m = self.cfg, self.method
        self._set_lr(step - 1)
        for _ in range(cfg.d_steps):
            batch = self.stream.next()
            d_losses = m.d_step(batch)
        g_losses = m.g_step(batch)
        if self.ema is not None:
            self.ema.update(copy_only=step <= cfg.ema_start)
        return {**d_losses, **g_losses}

    def state_dict(self) -> dict[str, Any]:
        """Nets, optimisers, EMA, data order and the method's extra state."""
        m = self.method
        extra = getattr(m, "extra_state", None)
        return {
            "nets": {k: v.state_dict() for k, v in m.nets.items()},
            "optimizers": {k: v.state_dict() for k, v in m.optimizers.items()},
            "ema": self.ema.module.state_dict() if self.ema else None,
            "stream": self.stream.state(),
            "method": extra() if extra else None,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        m = self.method
        for k, net in m.nets.items():
            net.load_state_dict(state["nets"][k])
        for k, opt in m.optimizers.items():
            opt.load_state_dict(state["optimizers"][k])
        if self.ema is not None and state.get("ema") is not None:
            self.ema.module.load_state_dict(state["ema"])
        self.stream.load(state["stream"])
        if state.get("method") is not None:
            m.load_extra_state(state["method"])  # type: ignore[attr-defined]

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

    # --- the rest -----------------------------------------------------------------------
    def artifacts(self) -> dict[str, dict[str, Any]]:
        """The method's ``artifacts()`` (file name -> arrays), written after training."""
        make = getattr(self.method, "artifacts", None)
        return make() if make else {}

    def generator_for_eval(self) -> nn.Module:
        """The EMA generator when enabled, else the trained one."""
        return self.ema.module if self.ema is not None else self.method.nets["G"]

    def _set_lr(self, done: int) -> None:
        for opt in self.method.optimizers.values():
            for group in opt.param_groups:
                group["lr"] = staircase_lr(group["initial_lr"], done, self.cfg.lr_decay,
                                           self.cfg.lr_decay_every)

    def run(self, ctx: RunContext) -> Metrics:
        """Train (resuming from ``ctx``'s checkpoint if any); returns the last metrics."""
        return core.train_loop(self, self.cfg.schedule(), ctx, ctx.load_checkpoint())
