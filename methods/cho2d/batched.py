"""The batched ``cho2d`` trainer core: M members (seeds and/or lambda_creg values) of one
architecture as stacked weights ``(M, in, out)``, every layer one ``torch.baddbmm``.

Because every member's loss depends only on its own weights and the optimised objective
is the sum of the members' losses, the stacked gradients are the per-member gradients;
Adam is elementwise, so one Adam over the stacked tensors equals M separate Adams. The
batched trainer therefore matches M plain loops (tests/test_cho2d.py checks it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from methods.cho2d.common import HP, draw_epoch, init_weights
from methods.cho2d.step import Models


def stacked_mlp(params: list[Tensor], x: Tensor) -> Tensor:
    """MLP over stacked members: ``x (M, B, in)``; params ``[W0, b0, W1, b1, ...]`` with
    ``W (M, in, out)`` ~ N(0, 1) scaled at run time by 1/sqrt(in) (equalized lr)."""
    n = len(params) // 2
    h = x
    for i in range(n):
        w, b = params[2 * i], params[2 * i + 1]
        # the equalized-lr scale multiplies the (small) activations, not the weights:
        # baddbmm's alpha would cost a weight-sized multiply in every backward pass
        h = torch.baddbmm(b, h * w.shape[-2] ** -0.5, w)
        if i < n - 1:
            h = F.leaky_relu(h, 0.2)
    return h


def _stack(weights: list[list[np.ndarray]]) -> list[Tensor]:
    """Per-member lists of ``(in, out)`` weights -> stacked ``[W, b, ...]`` leaf tensors."""
    out: list[Tensor] = []
    for layer in zip(*weights, strict=True):
        w = torch.from_numpy(np.stack(layer)).contiguous()
        out += [w.requires_grad_(True),
                torch.zeros(w.shape[0], 1, w.shape[2]).requires_grad_(True)]
    return out


def _adam(params: list[Tensor], lr: float, hp: HP) -> torch.optim.Adam:
    return torch.optim.Adam(params, lr=lr, betas=(hp.beta1, hp.beta2), fused=True)


def build(hp: HP, rngs: list[np.random.Generator], lambda_creg: list[float]) -> Models:
    """Stacked models of ``len(rngs)`` members; each member initialised from its stream."""
    inits = [init_weights(rng, hp) for rng in rngs]
    g = _stack([w["G"] for w in inits])
    d = _stack([w["D"] for w in inits])
    q = _stack([w["Q"] for w in inits]) if hp.has_q else []
    g_ema = [p.detach().clone() for p in g]
    n = len(rngs)
    prior = torch.tensor(hp.prior, dtype=torch.float32).repeat(n, 1)
    logits = (torch.zeros(n, hp.n_cat, requires_grad=True) if hp.variant == "elastic"
              else None)

    def gen(z: Tensor, c: Tensor) -> Tensor:
        return stacked_mlp(g, torch.cat([z, c.to(z.dtype)], -1))

    def gen_ema(z: Tensor, c: Tensor) -> Tensor:
        return stacked_mlp(g_ema, torch.cat([z, c.to(z.dtype)], -1))

    return Models(
        G=gen, D=lambda x: stacked_mlp(d, x),
        Q=(lambda x: stacked_mlp(q, x)) if hp.has_q else None, G_ema=gen_ema,
        g_params=g, d_params=d, q_params=q, g_ema=g_ema,
        opt_g=_adam(g, hp.lr, hp), opt_d=_adam(d, hp.lr, hp),
        opt_q=_adam(q, hp.lr, hp) if hp.has_q else None, prior=prior,
        lambda_creg=torch.tensor(lambda_creg, dtype=torch.float32),
        prior_logits=logits,
        opt_prior=_adam([logits], hp.prior_lr, hp) if logits is not None else None)


def draw_batched(rngs: list[np.random.Generator], hp: HP) -> dict[str, Tensor]:
    """One epoch of every member's draws, stacked ``(steps, M, B, .)``."""
    per = [draw_epoch(rng, hp) for rng in rngs]
    return {k: torch.from_numpy(np.stack([d[k] for d in per], axis=1)) for k in per[0]}


def state_dict(m: Models) -> dict[str, Any]:
    """Every tensor and optimiser state of the models (for checkpoints)."""
    out: dict[str, Any] = {
        "g": [p.detach().clone() for p in m.g_params],
        "d": [p.detach().clone() for p in m.d_params],
        "q": [p.detach().clone() for p in m.q_params],
        "g_ema": [p.clone() for p in m.g_ema],
        "prior": m.prior.clone(),
        "opt_g": m.opt_g.state_dict(), "opt_d": m.opt_d.state_dict(),
        "opt_q": m.opt_q.state_dict() if m.opt_q is not None else None,
    }
    if m.prior_logits is not None and m.opt_prior is not None:
        out["prior_logits"] = m.prior_logits.detach().clone()
        out["opt_prior"] = m.opt_prior.state_dict()
    return out


def load_state(m: Models, state: dict[str, Any]) -> None:
    """Restore :func:`state_dict` in place."""
    with torch.no_grad():
        for key, params in (("g", m.g_params), ("d", m.d_params), ("q", m.q_params),
                            ("g_ema", m.g_ema)):
            for p, v in zip(params, state[key], strict=True):
                p.copy_(v)
        m.prior.copy_(state["prior"])
        if m.prior_logits is not None:
            m.prior_logits.copy_(state["prior_logits"])
    m.opt_g.load_state_dict(state["opt_g"])
    m.opt_d.load_state_dict(state["opt_d"])
    if m.opt_q is not None:
        m.opt_q.load_state_dict(state["opt_q"])
    if m.opt_prior is not None:
        m.opt_prior.load_state_dict(state["opt_prior"])
