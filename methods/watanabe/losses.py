"""The losses of watanabe & Favaro (unified self-labeling / self-attention GAN), by equation.

Notation: K artificial classes; D has a conditional head D^C of 2K logits (real classes
0..K-1, fake classes K..2K-1) and an unconditional per-pixel head D^U (U-Net decoder).
Algorithm 1 names the losses: Hinge for the unconditional terms (Eqs. 1, 2) and
MultiClassHinge for the conditional ones (Eqs. 3, 4, 11), SoftmaxCrossEntropy for the
teacher (Eq. 7).

MultiClassHinge is the Crammer-Singer multi-class hinge of MHingeGAN (Kavalerov et al.,
2019), which the paper cites for it: ``max(0, 1 - s_t + max_{j != t} s_j)`` for logits s
and target t.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

COND_LOSSES = ("both", "eq11", "real", "artificial", "none")
ATTENTION_NORMS = ("selected", "batch")


def multiclass_hinge(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample Crammer-Singer hinge ``max(0, 1 - s_t + max_{j != t} s_j)`` (N,)."""
    s_t = logits.gather(1, target.view(-1, 1)).squeeze(1)
    others = logits.scatter(1, target.view(-1, 1), float("-inf"))
    return F.relu(1.0 - s_t + others.max(dim=1).values)


# --- unconditional adversarial terms (Eqs. 1, 2 with the hinge of Algorithm 1) --------------

def d_uncond_loss(dec_real: torch.Tensor, dec_fake: torch.Tensor) -> torch.Tensor:
    """Eq. (1), hinge form: E[max(0, 1 - D^U(x_r))] + E[max(0, 1 + D^U(x_f))], averaged
    over the pixels of the U-Net decoder output and the images."""
    return F.relu(1.0 - dec_real).mean() + F.relu(1.0 + dec_fake).mean()


G_UNCOND_FORMS = ("hinge", "linear")


def g_uncond_loss(dec_fake: torch.Tensor, form: str = "hinge") -> torch.Tensor:
    """Eq. (2) over the pixels of the decoder output and the images: ``hinge`` is Algorithm
    1's ``Hinge(D^U(G(c, z)))`` = E[max(0, 1 - D^U(G(z, c)))], the Hinge of L_D^U's real
    term (no gradient once a pixel scores above 1); ``linear`` is BigGAN's -E[D^U(G(z, c))]."""
    if form == "hinge":
        return F.relu(1.0 - dec_fake).mean()
    if form == "linear":
        return -dec_fake.mean()
    raise ValueError(f"form must be one of {G_UNCOND_FORMS}, got {form!r}")


# --- teacher: Eq. 7 (training), Eq. 8 (self-labeling), Eq. 9 (self-attention) --------------

def teacher_loss(logits: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Eq. (7): L_C = H[c, C(A(x_f))], cross-entropy on (strongly augmented) fakes only."""
    return F.cross_entropy(logits, c)


def self_label(ema_logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eq. (8): y_hat = argmax_i C_i(alpha(x_r); theta_bar), and Eq. (9): the reliability
    p_c = softmax(C(alpha(x_r); theta_bar))[y_hat]. Returns (y_hat, p_c)."""
    probs = F.softmax(ema_logits.float(), dim=1)
    p_c, y_hat = probs.max(dim=1)
    return y_hat, p_c


def attention_mask(p_c: torch.Tensor, threshold: float, enabled: bool = True) -> torch.Tensor:
    """Self-attention (section 3.1, Algorithm 1): S = 1 if p_c >= Th else 0 (all ones when
    self-attention is off, i.e. every self-label is used)."""
    if not enabled:
        return torch.ones_like(p_c, dtype=torch.bool)
    return p_c >= threshold


# --- conditional adversarial terms (Eqs. 4 and 11) ------------------------------------------

def real_term_masks(labelled: torch.Tensor, in_small_batch: torch.Tensor, cond_loss: str,
                    self_labeling: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Which real images enter the real-label term and which the teacher-label term of
    Eq. (11), before self-attention.

    ``labelled``: the image has a real label; ``in_small_batch``: it is one of the first
    ``batch_size`` (64) images of the real batch (the paper: batch 128 "for the loss with
    the artificial labels and 64 for the other losses"). ``cond_loss``:

    - ``eq11``: Eq. (11) literally: labelled images with y, unlabelled ones with y_hat;
    - ``both``: labelled images with y *and* y_hat, unlabelled ones with y_hat (Table 4
      (C) "artificial & real"; with every label given, ``eq11`` would equal ``real``);
    - ``real``: labelled images with y only (the cGAN baseline, Table 4 (B));
    - ``artificial``: every real image with y_hat, real labels unused;
    - ``none``: no conditional term on real images (nor fakes: the unconditional GAN).

    The teacher-label mask is empty when ``self_labeling`` is off (Table 1 (A)).
    """
    if cond_loss not in COND_LOSSES:
        raise ValueError(f"cond_loss must be one of {COND_LOSSES}, got {cond_loss!r}")
    none = torch.zeros_like(labelled)
    real = labelled & in_small_batch if cond_loss in ("eq11", "both", "real") else none
    if not self_labeling or cond_loss in ("real", "none"):
        return real, none
    teacher = ~labelled if cond_loss == "eq11" else torch.ones_like(labelled)
    return real, teacher


def _masked_mean(values: torch.Tensor, mask: torch.Tensor, count: torch.Tensor | None = None
                 ) -> torch.Tensor:
    """Sum of ``values`` over ``mask`` divided by the mask's size (or by ``count``), 0 when
    that is 0; computed on the device (no host read of the count)."""
    n = mask.sum() if count is None else count
    return (values * mask.to(values.dtype)).sum() / n.clamp(min=1)


def d_cond_loss(cond_real: torch.Tensor, y: torch.Tensor, y_hat: torch.Tensor,
                real_mask: torch.Tensor, teacher_mask: torch.Tensor, attention: torch.Tensor,
                cond_fake: torch.Tensor, c: torch.Tensor, k: int,
                attention_norm: str = "selected") -> dict[str, torch.Tensor]:
    """Eq. (11) with Algorithm 1's multi-class hinge:

    L_D^C = E_{x_r, y | with label}[MHinge(y, D^C(x_r))]
          + E_{x_r, y_hat | teacher term and p_c >= Th}[MHinge(y_hat, D^C(x_r))]
          + E_{x_f, c}[MHinge(c + K, D^C(x_f))].

    Each expectation is the mean over its images (0 when there are none).
    ``attention_norm = "batch"`` instead divides the teacher term by the number of
    images eligible for it before self-attention (Algorithm 1's ``S * MHinge`` averaged
    over the batch). Returns the total and its three terms.
    """
    if attention_norm not in ATTENTION_NORMS:
        raise ValueError(f"attention_norm must be one of {ATTENTION_NORMS}")
    y_safe = torch.where(real_mask, y, torch.zeros_like(y))  # others (-1, unused): masked
    term_y = _masked_mean(multiclass_hinge(cond_real, y_safe), real_mask)
    selected = teacher_mask & attention
    count = teacher_mask.sum() if attention_norm == "batch" else None
    term_hat = _masked_mean(multiclass_hinge(cond_real, y_hat), selected, count)
    term_fake = multiclass_hinge(cond_fake, c + k).mean()
    return {"loss": term_y + term_hat + term_fake, "real_label": term_y,
            "self_label": term_hat, "fake": term_fake}


def g_cond_loss(cond_fake: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Eq. (4) with Algorithm 1's MultiClassHinge(c, D^C(G(c, z))): fakes pushed into the
    real class c."""
    return multiclass_hinge(cond_fake, c).mean()


# --- regularisers ----------------------------------------------------------------------------

def r1_penalty(dec_real: torch.Tensor, x_real: torch.Tensor, weight: float) -> torch.Tensor:
    """R1 (Mescheder et al., 2018): weight / 2 * E_x ||grad_x D^U(x)||^2, with D^U(x) the
    mean over pixels of the decoder output of each real (augmented) input ``x_real``."""
    per_image = dec_real.flatten(1).mean(dim=1)
    (grad,) = torch.autograd.grad(per_image.sum(), x_real, create_graph=True)
    return 0.5 * weight * grad.pow(2).flatten(1).sum(dim=1).mean()


def cutmix_losses(dec_mix: torch.Tensor, dec_real: torch.Tensor, dec_fake: torch.Tensor,
                  mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """U-Net GAN CutMix terms (Schonfeld et al., 2020) for D: the per-pixel hinge of the
    decoder on the mixed image with the mask as target (1 = real pixel, 0 = fake pixel),
    and the consistency ``|| D^U(mix(x_r, x_f, M)) - mix(D^U(x_r), D^U(x_f), M) ||^2``
    (mean over pixels and images)."""
    target = mask * dec_real + (1.0 - mask) * dec_fake
    hinge = (mask * F.relu(1.0 - dec_mix) + (1.0 - mask) * F.relu(1.0 + dec_mix)).mean()
    consistency = (dec_mix - target).pow(2).mean()
    return {"mix_hinge": hinge, "consistency": consistency}
