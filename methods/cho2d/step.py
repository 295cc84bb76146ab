"""One training step of ``cho2d`` (Algorithm 1 for VCAGAN; Eqs. 1-6 for InfoGAN), written
once for the plain loop (tensors ``(B, F)``) and the batched trainer (``(M, B, F)``).

All gradients come from the same forward pass (the simultaneous update of Algorithm 1):
D and Q gradients by one ``autograd.grad`` call, G's by back-propagating
``d L_g / d x'`` through G, where the adversarial part of ``d L_g / d x'`` reuses the
input gradient that R2 already computed (no second pass through D).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from methods.cho2d import losses as L
from methods.cho2d.common import HP

Net = Callable[..., Tensor]


@dataclass
class Models:
    """Everything a step updates (plain or batched)."""

    G: Net  # G(z, c) -> x'
    D: Net  # D(x) -> a  (K outputs for VCAGAN, else 1)
    Q: Net | None  # Q(x) -> logits
    G_ema: Net  # G with the EMA weights (sampling)
    g_params: list[Tensor]
    d_params: list[Tensor]
    q_params: list[Tensor]
    g_ema: list[Tensor]
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    opt_q: torch.optim.Optimizer | None
    prior: Tensor  # P(C), (..., K): fixed, or VCAGAN's EMA estimate
    lambda_creg: Tensor  # (...) per member
    prior_logits: Tensor | None = None  # Elastic-InfoGAN's learned logits (..., K)
    opt_prior: torch.optim.Optimizer | None = None

    def current_prior(self) -> Tensor:
        """P(C) as reported: softmax of the logits for Elastic-InfoGAN."""
        if self.prior_logits is not None:
            return torch.softmax(self.prior_logits.detach(), -1)
        return self.prior


def _autocast(enabled: bool) -> contextlib.AbstractContextManager:
    return torch.autocast("cpu", dtype=torch.bfloat16) if enabled else contextlib.nullcontext()


def _apply(opt: torch.optim.Optimizer, params: list[Tensor], grads: tuple[Tensor, ...]) -> None:
    for p, g in zip(params, grads, strict=True):
        p.grad = g.to(p.dtype)
    opt.step()


def _real_value(m: Models, hp: HP, a_r: Tensor, x_real: Tensor, c_f: Tensor, early: bool,
                loss_q: Tensor) -> tuple[Tensor, Tensor]:
    """D's value on the reals and Q's loss so far. VCAGAN (lines 8-14, 18): the real label
    is argmax of Q(x) (prob-normalized early, Eq. 13), ``a_r . c_r`` (Eq. 11), L_creg
    (Eq. 10) joins Q's loss and P(C) moves towards the batch mean of Q(x); the others
    score the reals with the fake's code."""
    if not hp.cagan:
        return L.adversarial_value(a_r, c_f), loss_q
    x_r = x_real.detach().requires_grad_(True)
    q_r = m.Q(x_r)  # line 8
    p_lab = torch.softmax(q_r.detach().float(), -1)
    if early:
        p_lab = L.prob_normalize(p_lab)  # lines 9-11, Eq. 13
    c_r = L.argmax_onehot(p_lab)  # line 12
    s_r = L.adversarial_value(a_r, c_r)  # a_r . c_r (Eq. 11)
    creg = L.creg_per_sample(q_r, x_r, c_r)  # line 14, Eq. 10
    loss_q = loss_q + m.lambda_creg * creg.mean(-1)  # Eq. 7, second term
    with torch.no_grad():  # line 18
        m.prior.copy_(L.pc_ema(m.prior, p_lab, hp.pc_ema))
    return s_r, loss_q


def train_step(m: Models, hp: HP, x_real: Tensor, z: Tensor, gumbel: Tensor, step: int
               ) -> dict[str, Tensor]:
    """One step; returns the per-member losses (detached)."""
    early = step < hp.update_step  # Algorithm 1 line 9: "early in training"
    train_prior = m.prior_logits is not None and not early
    with _autocast(hp.bf16):
        # line 3: c_f ~ P(C) (Gumbel-max; Elastic-InfoGAN: Gumbel-softmax relaxation)
        if m.prior_logits is not None:
            logits = m.prior_logits if train_prior else m.prior_logits.detach()
            c_in = L.gumbel_softmax(logits, gumbel, hp.gumbel_temperature)
            c_f = L.argmax_onehot(c_in.detach())
        else:
            c_f = L.gumbel_onehot(torch.log(m.prior.clamp_min(1e-30)), gumbel)
            c_in = c_f
        x_f = m.G(z, c_in)  # line 4
        x_d = x_f.detach().requires_grad_(True)
        s_f = L.adversarial_value(m.D(x_d), c_f)  # line 5, a_f . c_f (Eq. 11)
        r2, grad_s = L.input_grad_sqnorm(s_f, x_d)  # R2 on fakes
        a_r = m.D(x_real)  # line 7
        s_r, loss_q = _real_value(m, hp, a_r, x_real, c_f, early,
                                  torch.zeros_like(s_f[..., 0]))
        loss_d = L.d_loss(s_r, s_f, r2, hp.lambda_r2)  # line 15 (Eqs. 2, 5, 8, 11) + R2
        ce = torch.zeros_like(loss_q)
        x_q = x_f.detach().requires_grad_(hp.g_uses_cls)
        if hp.has_q:
            ce = L.cross_entropy(m.Q(x_q), c_f).mean(-1)  # line 13, Eq. 4
            loss_q = loss_q + hp.lambda_cls * ce  # Eqs. 1, 7
        wrt = m.d_params + m.q_params + ([x_q] if hp.g_uses_cls else [])
        grads = torch.autograd.grad(loss_d.sum() + loss_q.sum(), wrt)
        # line 17 / Eqs. 6, 9, 12: d L_g / d x' (plus lambda_cls d L_cls / d x', Eq. 3)
        gx = L.g_adv_input_grad(s_f.detach(), grad_s.detach())
        if hp.g_uses_cls:
            gx = gx + grads[-1]
        g_wrt = m.g_params + ([m.prior_logits] if train_prior else [])
        g_grads = torch.autograd.grad(x_f, g_wrt, grad_outputs=gx.to(x_f.dtype))
    nd, nq = len(m.d_params), len(m.q_params)
    _apply(m.opt_d, m.d_params, grads[:nd])
    if m.opt_q is not None:
        _apply(m.opt_q, m.q_params, grads[nd:nd + nq])
    _apply(m.opt_g, m.g_params, g_grads[:len(m.g_params)])
    if train_prior:
        assert m.opt_prior is not None and m.prior_logits is not None
        _apply(m.opt_prior, [m.prior_logits], g_grads[len(m.g_params):])
    with torch.no_grad():
        torch._foreach_lerp_(m.g_ema, m.g_params, 1.0 - hp.g_ema)
    loss_g = L.g_loss(s_f.detach().float()) + hp.lambda_cls * ce.detach() * hp.g_uses_cls
    return {"loss_d": loss_d.detach(), "loss_g": loss_g, "loss_q": loss_q.detach()}


def run_epoch(m: Models, hp: HP, draws: dict[str, Tensor], epoch: int) -> dict[str, Tensor]:
    """Train one epoch from pre-drawn noise ``draws[key][s]`` (one step per index)."""
    out: dict[str, Tensor] = {}
    for s in range(hp.steps_per_epoch):
        out = train_step(m, hp, draws["x"][s], draws["z"][s], draws["gumbel"][s],
                         epoch * hp.steps_per_epoch + s)
    return out
