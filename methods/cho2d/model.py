"""The ``cho2d`` model: a sweep of members trained batched (see methods/cho2d/config.py),
its evaluation and samples, and ``build`` for the engine.

Every epoch's real points and noise are drawn from each member's stream when the epoch
starts (as Algorithm 1's epochs); a checkpoint inside an epoch keeps the streams as they
were before that epoch's draw and draws it again on resume, so any step can resume.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from methods.cho2d import batched, graph
from methods.cho2d.common import make_hp, member_rng
from methods.cho2d.evaluate import combine, evaluate, samples
from methods.engine.core import Schedule
from methods.engine.protocol import Built
from methods.engine.state import resolve_device


def members(p: Any) -> list[tuple[float, int]]:
    """``(lambda_creg, repeat)`` of every member of the run's sweep."""
    lams = list(p.sweep_lambda_creg) or [p.lambda_creg]
    return [(lam, p.repeat + r) for lam in lams for r in range(p.sweep_repeats)]


class Cho2dModel:
    """The batched members of one run on ``device`` (cuda steps replay CUDA graphs)."""

    def __init__(self, p: Any, seed: int, device: str = "cpu") -> None:
        self.hp = make_hp(p)
        mem = members(p)
        self.rngs = [member_rng(seed, r) for _, r in mem]
        self.m = batched.build(self.hp, self.rngs, [lam for lam, _ in mem])
        self.step_fn = graph.make_step(self.m, self.hp, device)
        self.device, self.seed, self.n_samples = device, seed, p.n_eval_samples
        self.draws: dict[str, torch.Tensor] = {}
        self.rng_before_draw: list[dict[str, Any]] = []
        self.done = 0
        self.losses: dict[str, torch.Tensor] = {}

    def _draw(self) -> None:
        self.rng_before_draw = [rng.bit_generator.state for rng in self.rngs]
        draws = batched.draw_batched(self.rngs, self.hp)
        self.draws = {k: v.to(self.device, non_blocking=True) for k, v in draws.items()}

    def train_step(self, step: int) -> dict[str, torch.Tensor]:
        """Step ``step`` of Algorithm 1 for every member; per-member losses."""
        s = (step - 1) % self.hp.steps_per_epoch
        if s == 0:
            self._draw()
        d = self.draws
        self.losses = self.step_fn(d["x"][s], d["z"][s], d["gumbel"][s], step - 1)
        self.done = step
        return self.losses

    def _cpu(self) -> Any:
        return self.m if self.device == "cpu" else graph.cpu_models(self.m, self.hp)

    def evaluate(self, step: int) -> dict[str, float]:
        """Member means, ``n_recovered`` and every member's metrics (``<key>_m<j>``)."""
        losses = {k: v.detach().cpu() for k, v in self.losses.items()}
        return combine(evaluate(self._cpu(), self.hp, losses))

    def artifacts(self) -> dict[str, dict[str, np.ndarray]]:
        """``samples_m<j>.npz`` per member and ``samples.npz`` (member 0): points of G_ema."""
        pts, codes = samples(self._cpu(), self.hp, self.n_samples, self.seed)
        out = {f"samples_m{j}.npz": {"points": pts[j].astype(np.float32),
                                     "codes": codes[j].astype(np.int64)}
               for j in range(len(pts))}
        out["samples.npz"] = out["samples_m0.npz"]
        return out

    def state_dict(self) -> dict[str, Any]:
        """Models, optimisers, the member streams and the last losses."""
        mid_epoch = self.done % self.hp.steps_per_epoch != 0
        rng = (self.rng_before_draw if mid_epoch
               else [r.bit_generator.state for r in self.rngs])
        return {"models": batched.state_dict(self.m), "done": self.done, "rng": rng,
                "losses": {k: v.detach().clone() for k, v in self.losses.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` (drawing the current epoch again inside one)."""
        batched.load_state(self.m, state["models"])
        for rng, rs in zip(self.rngs, state["rng"], strict=True):
            rng.bit_generator.state = rs
        self.done, self.losses = int(state["done"]), dict(state["losses"])
        if self.done % self.hp.steps_per_epoch:
            self._draw()


def build(p: Any, seed: int, dataset: str) -> Built:
    """The run's model; epochs expressed as step cadences (evaluation, checkpoints and the
    finiteness check at epoch ends: no host synchronisation inside an epoch)."""
    spe = p.steps_per_epoch
    schedule = Schedule(steps=p.epochs * spe, eval_every=p.eval_every_epochs * spe,
                        checkpoint_every=p.checkpoint_every_epochs * spe,
                        progress_every=spe, check_every=spe)
    return Built(Cho2dModel(p, seed, resolve_device("auto")), schedule)  # --device, or cuda if seen
