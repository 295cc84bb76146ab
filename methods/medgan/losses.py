"""The losses of MED-GAN, one function per equation of liu et al. (torch).

D outputs a logit l, D = sigmoid(l). Every function returns a batch mean.

Adversarial forms (``form``): ``"minimax"`` is the text's Eqs. 6 and 11 as written
(G minimises log(1 - D(G(z))); D minimises mu * log(1 - D(x_hat)), i.e. raises D on
the constructed images); ``"nonsaturating"`` uses -log D for both, which moves D the
same way with gradients that do not vanish where D is small (Goodfellow et al.).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def d_real(logit: torch.Tensor) -> torch.Tensor:
    """-log D(x, m, y): the real terms of Eq. 12 (labelled, and unlabelled with pseudo
    labels), negated for minimisation."""
    return F.softplus(-logit).mean()


def d_fake(logit: torch.Tensor) -> torch.Tensor:
    """-log(1 - D(G(z), m, y_z)): D's side of L_advs in Eq. 12, negated."""
    return F.softplus(logit).mean()


def g_adv(logit: torch.Tensor, form: str) -> torch.Tensor:
    """Eq. 6, L_advs for G: log(1 - D) (minimax) or -log D (non-saturating)."""
    return -F.softplus(logit).mean() if form == "minimax" else F.softplus(-logit).mean()


def identification(logit: torch.Tensor, form: str) -> torch.Tensor:
    """Eq. 11, L_idnt on the constructed images x_hat_{z, lambda} with the real image's
    label, as D minimises it: log(1 - D) (minimax) or -log D (non-saturating), the
    same function of the logit as G's L_advs."""
    return g_adv(logit, form)


def feature_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per sample, the squared L2 distance ||a - b||_2^2 of two feature maps."""
    return (a - b).pow(2).flatten(1).sum(dim=1)


def consistency(f_1: torch.Tensor, f_2: torch.Tensor) -> torch.Tensor:
    """Eq. 4, L_cons: distance of D^_f of two constructed images whose masks differ by
    less than epsilon."""
    return feature_distance(f_1, f_2).mean()


def contrastive(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
                gamma: float) -> torch.Tensor:
    """Eq. 5, L_ctrs: max(d(x, x_hat) - d(x, x_z) + gamma, 0) on D^_f with the mixing
    mask; anchor x, positive x_hat_{z, lambda}, negative x_z."""
    gap = feature_distance(anchor, positive) - feature_distance(anchor, negative)
    return F.relu(gap + gamma).mean()


def soft_target_ce(logits: torch.Tensor, y: torch.Tensor, y_other: torch.Tensor,
                   lam: torch.Tensor) -> torch.Tensor:
    """Eq. 9: -(1 - lambda) y log C(x_hat) - lambda y' log C(x_hat), with lambda the share
    of the image that comes from the second image (label ``y_other``)."""
    logp = F.log_softmax(logits, dim=1)
    first = logp.gather(1, y[:, None]).squeeze(1)
    second = logp.gather(1, y_other[:, None]).squeeze(1)
    return -((1.0 - lam) * first + lam * second).mean()


def recognition(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Eq. 7, L_recg: -y_z log C(G(z, y_z))."""
    return F.cross_entropy(logits, y)
