"""The losses of slcGAN (Noroozi, section 3.2 and Algorithm 1); equation numbers are the
paper's. ``u`` is D's unary (image-only) output and ``s`` its joint (image, label vector)
output; ``s`` is None for an unconditional D (uGAN), whose losses keep the unary terms."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def d_hinge(u_real: torch.Tensor, s_real: torch.Tensor | None, u_fake: torch.Tensor,
            s_fake: torch.Tensor | None) -> torch.Tensor:
    """Algorithm 1, lines 14-15: the hinge on the unary and the joint term, real and fake,
    ``mean[max(0, 1 - u_r) + max(0, 1 - s_r) + max(0, 1 + u_f) + max(0, 1 + s_f)]``."""
    loss = F.relu(1.0 - u_real) + F.relu(1.0 + u_fake)
    if s_real is not None and s_fake is not None:
        loss = loss + F.relu(1.0 - s_real) + F.relu(1.0 + s_fake)
    return loss.mean()


def g_adversarial(u_fake: torch.Tensor, s_fake: torch.Tensor | None) -> torch.Tensor:
    """Algorithm 1, line 20: ``mean[-u_f - s_f]``."""
    return -(u_fake + s_fake).mean() if s_fake is not None else -u_fake.mean()


def mutual_information(c_logits_fake: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Eq. 4 (Algorithm 1, line 21): ``E -log p(y = c | G(z, c))``, p = softmax(C(.)).

    Only G is updated by it: the caller runs C with its parameters frozen."""
    return F.cross_entropy(c_logits_fake, c)


def c_adversarial(s_real: torch.Tensor) -> torch.Tensor:
    """Algorithm 1, line 27: C lowers D's joint term on real pairs ``mean[s_r]`` (C plays
    with G against D; D's parameters are not updated by it)."""
    return s_real.mean()


def multi_view(c_logits: torch.Tensor, c_logits_view: torch.Tensor) -> torch.Tensor:
    """Eq. 5 (Algorithm 1, line 28): ``mean_x sum_c -q_c(x_t) log p_c(x)``, with q the
    soft label of the augmented view x_t and p that of x; gradients flow through both (the
    paper shows no stop-gradient)."""
    q = F.softmax(c_logits_view, dim=1)
    return -(q * F.log_softmax(c_logits, dim=1)).sum(dim=1).mean()
