"""The plain (one member) ``cho2d`` loop with ``torch.nn`` modules: the reference the
batched trainer is tested against, and the baseline of benchmarks/bench_cho2d.py."""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from methods.cho2d.common import HP, draw_epoch, init_weights
from methods.cho2d.step import Models


class EqLinear(nn.Module):
    """Linear layer with equalized learning rate: N(0, 1) weights scaled by 1/sqrt(in)."""

    def __init__(self, w: np.ndarray):
        super().__init__()
        self.weight = nn.Parameter(torch.from_numpy(w.T.copy()))  # (out, in)
        self.bias = nn.Parameter(torch.zeros(w.shape[1]))
        self.scale = w.shape[0] ** -0.5

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


class MLP(nn.Module):
    """EqLinear layers with LeakyReLU(0.2) between them."""

    def __init__(self, weights: list[np.ndarray]):
        super().__init__()
        self.layers = nn.ModuleList(EqLinear(w) for w in weights)

    def forward(self, x: Tensor) -> Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.leaky_relu(x, 0.2)
        return x


class Generator(MLP):
    """G(z, c) = MLP([z, c])."""

    def forward(self, z: Tensor, c: Tensor) -> Tensor:  # type: ignore[override]
        return super().forward(torch.cat([z, c.to(z.dtype)], -1))


def build(hp: HP, rng: np.random.Generator, lambda_creg: float) -> Models:
    """One member's models, initialised from ``rng`` exactly like a batched member."""
    w = init_weights(rng, hp)
    g, d = Generator(w["G"]), MLP(w["D"])
    q = MLP(w["Q"]) if hp.has_q else None
    g_ema = copy.deepcopy(g).requires_grad_(False)

    def adam(params: list[Tensor], lr: float) -> torch.optim.Adam:
        return torch.optim.Adam(params, lr=lr, betas=(hp.beta1, hp.beta2))

    logits = torch.zeros(hp.n_cat, requires_grad=True) if hp.variant == "elastic" else None
    gp, dp = list(g.parameters()), list(d.parameters())
    qp = list(q.parameters()) if q is not None else []
    return Models(G=g, D=d, Q=q, G_ema=g_ema, g_params=gp, d_params=dp, q_params=qp,
                  g_ema=list(g_ema.parameters()), opt_g=adam(gp, hp.lr),
                  opt_d=adam(dp, hp.lr), opt_q=adam(qp, hp.lr) if q is not None else None,
                  prior=torch.tensor(hp.prior, dtype=torch.float32),
                  lambda_creg=torch.tensor(float(lambda_creg)), prior_logits=logits,
                  opt_prior=adam([logits], hp.prior_lr) if logits is not None else None)


def draw(rng: np.random.Generator, hp: HP) -> dict[str, Tensor]:
    """One epoch of this member's draws as tensors ``(steps, B, .)``."""
    return {k: torch.from_numpy(v) for k, v in draw_epoch(rng, hp).items()}
