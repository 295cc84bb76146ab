"""The loss pieces of cho (VCAGAN), shape-agnostic.

Every function works on tensors shaped ``(..., B, F)`` (a batch of ``B`` rows, optional
leading member dimensions): reductions over the batch use dim ``-2`` (or ``-1`` for
per-sample scalars shaped ``(..., B)``), so the same code serves the plain loop
(``(B, F)``) and the batched trainer (``(M, B, F)``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def adversarial_value(a: Tensor, c: Tensor) -> Tensor:
    """D's adversarial value: ``a . c`` for a CAGAN D with K outputs (Eqs. 11-12), else
    the single output ``a[..., 0]``. Shape ``(..., B)``."""
    if a.shape[-1] == 1:
        return a[..., 0]
    return (a * c).sum(-1)


def argmax_onehot(p: Tensor) -> Tensor:
    """1 at the row maximum, 0 elsewhere (Eq. 10-11, Algorithm 1 line 12)."""
    return F.one_hot(p.argmax(-1), p.shape[-1]).to(p.dtype)


def prob_normalize(p: Tensor) -> Tensor:
    """Eq. 13: ``p - batch_average(p) + 1/d_c`` (the paper writes 1/d_z; 1/d_c is meant)."""
    return p - p.mean(-2, keepdim=True) + 1.0 / p.shape[-1]


def pc_ema(prior: Tensor, p: Tensor, decay: float) -> Tensor:
    """Algorithm 1 line 18: ``P(C) <- decay P(C) + (1 - decay) mean_batch(p)``."""
    return decay * prior + (1.0 - decay) * p.mean(-2)


def input_grad_sqnorm(y: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
    """``||d y_b / d x_b||^2`` per row and the gradient itself (graph kept, for penalties).

    Rows are independent (every net is row-wise), so the gradient of ``y.sum()`` gives
    each row's own gradient."""
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return (g * g).sum(-1), g


def creg_per_sample(q_logits: Tensor, x: Tensor, c_r: Tensor) -> Tensor:
    """Eq. 10 / Algorithm 1 line 14: ``||grad_x (1 - Q(x) . c_r)^2||^2`` per row.

    ``q_logits = Q(x)`` must be computed from ``x`` (requires grad); ``c_r`` is the
    (constant) argmax-onehot real label."""
    y = (1.0 - (torch.softmax(q_logits, -1) * c_r).sum(-1)) ** 2
    return input_grad_sqnorm(y, x)[0]


def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Eq. 4 per row: ``-sum_k target_k log softmax(logits)_k``; shape ``(..., B)``."""
    return -(target * torch.log_softmax(logits, -1)).sum(-1)


def d_loss(s_real: Tensor, s_fake: Tensor, r2: Tensor, lambda_r2: float) -> Tensor:
    """Eq. 11 with the non-saturating f_d plus R2: per member, shape ``(...)``.

    ``softplus(-s_real) + softplus(s_fake) + lambda_r2 ||grad s_fake||^2``, batch means."""
    return (F.softplus(-s_real).mean(-1) + F.softplus(s_fake).mean(-1)
            + lambda_r2 * r2.mean(-1))


def g_loss(s_fake: Tensor) -> Tensor:
    """Eq. 12 with the non-saturating f_g: ``mean softplus(-s_fake)`` per member."""
    return F.softplus(-s_fake).mean(-1)


def g_adv_input_grad(s_fake: Tensor, grad_s: Tensor) -> Tensor:
    """d g_loss / d x' without a second pass through D: per row
    ``-sigmoid(-s) grad_x s / B`` (``grad_s`` from the R2 computation)."""
    batch = s_fake.shape[-1]
    return (-torch.sigmoid(-s_fake) / batch).unsqueeze(-1) * grad_s


def entropy(p: Tensor) -> Tensor:
    """Entropy in nats over the last dim (Figure 11's measure of P(C))."""
    return -(p * torch.log(p.clamp_min(1e-30))).sum(-1)


def gumbel_onehot(log_prior: Tensor, gumbel: Tensor) -> Tensor:
    """A categorical sample ``argmax(log P + g)`` as one-hot (Gumbel-max trick)."""
    return argmax_onehot(log_prior.unsqueeze(-2) + gumbel)


def gumbel_softmax(logits: Tensor, gumbel: Tensor, temperature: float) -> Tensor:
    """Elastic-InfoGAN's relaxed sample ``softmax((log_softmax(logits) + g) / t)``: the soft
    code G sees in training, through which P(C)'s logits get gradients. Evaluation samples
    use hard one-hot codes drawn from P(C) (:func:`gumbel_onehot`); docs/DEVIATIONS.md."""
    return torch.softmax((torch.log_softmax(logits, -1).unsqueeze(-2) + gumbel) / temperature,
                         -1)
