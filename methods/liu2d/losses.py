"""Losses of the liu2d family: Triple-GAN's game (Li et al. 2017) between D, C and G, the
recognition loss (Eq. 7) and the triplet margin (contrastive) loss (Eq. 5) adapted to 2-D
points.

Logits are raw discriminator outputs; ``D(x, y) = sigmoid(logit)``, so
``-log D = softplus(-logit)`` and ``-log(1 - D) = softplus(logit)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def d_loss(logit_lab: torch.Tensor, logits_cls: torch.Tensor, probs_cls: torch.Tensor,
           logit_fake: torch.Tensor, alpha: float) -> torch.Tensor:
    """Triple-GAN's discriminator loss: labelled real pairs (x, y) are real; the
    classifier's pairs (x_u, y ~ C(x_u)) and the generator's pairs (G(z, y), y) are fake,
    weighted ``alpha`` and ``1 - alpha``:

    ``-E[log D(x, y)] - alpha E_{x_u} sum_k C(k|x_u) log(1 - D(x_u, k))
    - (1 - alpha) E[log(1 - D(G(z, y), y))]``

    ``logits_cls`` (B x K) holds ``D(x_u, k)`` for every class k and ``probs_cls`` (B x K)
    C's label distribution (no gradient to C here): the expectation over C's labels is
    exact, not sampled."""
    cls_term = (probs_cls * F.softplus(logits_cls)).sum(dim=1).mean()
    return (F.softplus(-logit_lab).mean() + alpha * cls_term
            + (1.0 - alpha) * F.softplus(logit_fake).mean())


def g_adv_loss(logit_fake: torch.Tensor) -> torch.Tensor:
    """Generator adversarial loss, non-saturating form ``-log D(G(z, y), y)`` of Eq. 6."""
    return F.softplus(-logit_fake).mean()


def recognition_loss(class_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Eq. 7: ``-log C(x)[y]`` averaged over the batch (also Triple-GAN's R_P for C)."""
    return F.cross_entropy(class_logits, labels)


def classifier_adv_loss(class_logits: torch.Tensor, d_logits_all: torch.Tensor) -> torch.Tensor:
    """C's adversarial term in Triple-GAN's game: C plays against D, which takes C's pairs
    for fake, so C is rewarded for labels D finds real. Non-saturating form: the
    expectation over C's label distribution of ``-log D(x_u, y)``, i.e.
    ``mean_b sum_k C(k | x_b) softplus(-d_logits_all[b, k])`` (exact, not REINFORCE), with
    ``d_logits_all`` (B x K) = ``D(x_u, k)`` for every class k (no gradient to D here).
    """
    probs = F.softmax(class_logits, dim=1)
    return (probs * F.softplus(-d_logits_all)).sum(dim=1).mean()


def triplet_margin_loss(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
                        gamma: float) -> torch.Tensor:
    """Eq. 5: ``mean max(||a - p||^2 - ||a - n||^2 + gamma, 0)`` over the rows."""
    d_pos = (anchor - positive).pow(2).sum(dim=1)
    d_neg = (anchor - negative).pow(2).sum(dim=1)
    return torch.clamp(d_pos - d_neg + gamma, min=0.0).mean()


def positive_indices(labels: torch.Tensor, generator: torch.Generator | None = None
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """For each row, a random OTHER row with the same label.

    Returns ``(index (B,), valid (B,) bool)``; ``valid`` is False for rows whose label
    occurs only once (their index is meaningless and must be masked out).
    """
    same = labels[:, None] == labels[None, :]
    same.fill_diagonal_(False)
    scores = torch.rand(same.shape, generator=generator)
    scores = torch.where(same, scores, torch.full_like(scores, -1.0))
    return scores.argmax(dim=1), same.any(dim=1)
