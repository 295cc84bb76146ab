"""The batched ``cho2d`` step on a GPU, replayed from CUDA graphs.

A 2-D member step is a few hundred tiny kernels, so eager execution is bound by kernel
launches; a captured graph launches them all at once. :class:`GraphStep` has the call
signature of ``train_step(m, hp, x, z, gumbel, step)`` without ``m`` and ``hp``:

- the first ``warmup`` steps of each phase (before P(C) updates begin, and after: the
  step differs, so each phase has its own graph) run eagerly on a side stream (they are
  real training steps; they also create the optimisers' state outside any capture);
- the next step of the phase is captured (capture runs no kernel) and replayed, and so
  is every later step of that phase: inputs are copied into static tensors first;
- where capture fails, the reason is logged once and every step runs eagerly.

The step itself holds no host synchronisation (tests/test_cho2d_graph.py checks it), the
optimisers are fused Adams with ``capturable=True`` (their step counts live on the GPU),
and the returned losses are the graph's static outputs: clone them to keep them past
the next step.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from methods.cho2d import batched
from methods.cho2d.common import HP
from methods.cho2d.step import Models, train_step

log = logging.getLogger(__name__)
StepFn = Callable[[Tensor, Tensor, Tensor, int], dict[str, Tensor]]


def _moved(params: list[Tensor], device: torch.device) -> None:
    for i, p in enumerate(params):  # in place: batched.build's closures read these lists
        params[i] = p.detach().to(device, copy=True).requires_grad_(p.requires_grad)


def _adam_like(old: torch.optim.Optimizer, params: list[Tensor], capturable: bool
               ) -> torch.optim.Adam:
    group = old.param_groups[0]
    opt = torch.optim.Adam(params, lr=group["lr"], betas=group["betas"], fused=True,
                           capturable=capturable)
    opt.load_state_dict(old.state_dict())  # moves the state (step counts too) to params
    return opt


def move_(m: Models, device: str | torch.device) -> None:
    """Move batched models (from ``batched.build``) to ``device`` in place, with fused
    Adams carrying the optimiser state over (capturable on cuda)."""
    dev = torch.device(device)
    cap = dev.type == "cuda"
    for params in (m.g_params, m.d_params, m.q_params, m.g_ema):
        _moved(params, dev)
    m.prior = m.prior.to(dev, copy=True)
    m.lambda_creg = m.lambda_creg.to(dev)
    m.opt_g = _adam_like(m.opt_g, m.g_params, cap)
    m.opt_d = _adam_like(m.opt_d, m.d_params, cap)
    if m.opt_q is not None:
        m.opt_q = _adam_like(m.opt_q, m.q_params, cap)
    if m.prior_logits is not None and m.opt_prior is not None:
        logits = [m.prior_logits]
        _moved(logits, dev)
        m.prior_logits = logits[0]
        m.opt_prior = _adam_like(m.opt_prior, logits, cap)


def cpu_models(m: Models, hp: HP) -> Models:
    """A CPU copy of batched models on any device (for evaluation and sampling)."""
    lams = m.lambda_creg.detach().cpu().reshape(-1).tolist()
    rngs = [np.random.default_rng(0) for _ in lams]  # weights overwritten below
    out = batched.build(hp, rngs, lams)
    batched.load_state(out, batched.state_dict(m))
    return out


class GraphStep:
    """``train_step`` of batched models on cuda, one CUDA graph per phase."""

    def __init__(self, m: Models, hp: HP, warmup: int = 3) -> None:
        self.m, self.hp, self.warmup = m, hp, warmup
        self.graphs: dict[bool, tuple[torch.cuda.CUDAGraph, dict[str, Tensor]]] = {}
        self.eager_steps = {True: 0, False: 0}
        self.static: dict[str, Tensor] = {}
        self.fallback: str | None = None  # why every step runs eagerly, once capture failed
        self.side = torch.cuda.Stream()

    def __call__(self, x: Tensor, z: Tensor, gumbel: Tensor, step: int
                 ) -> dict[str, Tensor]:
        phase = step < self.hp.update_step
        eager = functools.partial(train_step, self.m, self.hp, x, z, gumbel, step)
        if self.fallback is not None:
            return eager()
        if phase not in self.graphs and self.eager_steps[phase] < self.warmup:
            self.eager_steps[phase] += 1
            return self._on_side_stream(eager)
        for key, value in (("x", x), ("z", z), ("gumbel", gumbel)):
            if key not in self.static:
                self.static[key] = torch.empty_like(value)
            self.static[key].copy_(value, non_blocking=True)
        if phase not in self.graphs:
            try:
                self.graphs[phase] = self._capture(step)
            except RuntimeError as err:
                self.fallback = f"{type(err).__name__}: {err}".splitlines()[0][:300]
                log.warning("cho2d: CUDA graph capture failed, training eagerly: %s",
                            self.fallback)
                return eager()
        graph, out = self.graphs[phase]
        graph.replay()
        return out

    def _on_side_stream(self, fn: Callable[[], dict[str, Tensor]]) -> dict[str, Tensor]:
        self.side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(self.side):
            out = fn()
        torch.cuda.current_stream().wait_stream(self.side)
        return out

    def _capture(self, step: int) -> tuple[torch.cuda.CUDAGraph, dict[str, Tensor]]:
        graph = torch.cuda.CUDAGraph()
        s = self.static
        with torch.cuda.graph(graph):
            out = train_step(self.m, self.hp, s["x"], s["z"], s["gumbel"], step)
        return graph, out


def make_step(m: Models, hp: HP, device: str) -> StepFn:
    """The step function for batched models on ``device`` (moved there): graph-replayed
    on cuda, the eager ``train_step`` elsewhere."""
    if torch.device(device).type != "cuda":
        return functools.partial(train_step, m, hp)
    move_(m, device)
    return GraphStep(m, hp)


def run_epoch(step_fn: StepFn, hp: HP, draws: dict[str, Tensor], epoch: int,
              device: str | torch.device) -> dict[str, Tensor]:
    """One epoch through ``step_fn`` from the epoch's draws ``(steps, M, B, .)`` (moved to
    ``device`` in one copy); returns the last step's losses, cloned."""
    dev = {k: v.to(device, non_blocking=True) for k, v in draws.items()}
    out: dict[str, Tensor] = {}
    for s in range(hp.steps_per_epoch):
        out = step_fn(dev["x"][s], dev["z"][s], dev["gumbel"][s],
                      epoch * hp.steps_per_epoch + s)
    return {k: v.clone() for k, v in out.items()}
