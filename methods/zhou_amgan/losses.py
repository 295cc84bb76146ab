"""Losses of the AM-GAN paper's model family, written against its equations (torch).

Notation (section 2): D(x) = softmax of the K+1 logits l(x) = [l_1 .. l_K, l_{K+1}], the
last for "fake"; D_r(x) = sum_{k<=K} D_k(x); v(y) one-hot over K+1 classes, u(y) over K.
H(p, q) = -sum_i p_i log q_i is the cross-entropy. Binary discriminators use one logit s
with D_r = sigmoid(s) (softmax over [s, 0]). Every loss is a mean over the batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def with_fake_logit(class_logits: torch.Tensor) -> torch.Tensor:
    """K class logits -> K+1 logits with l_{K+1} fixed at 0 (Salimans et al. 2016)."""
    return torch.cat([class_logits, class_logits.new_zeros(len(class_logits), 1)], dim=1)


def real_fake_logit(logits: torch.Tensor) -> torch.Tensor:
    """The logit of D_r against D_{K+1}: log(D_r / D_{K+1}) = logsumexp(l_{1:K}) - l_{K+1}."""
    return torch.logsumexp(logits[:, :-1], dim=1) - logits[:, -1]


def dynamic_labels(class_logits: torch.Tensor) -> torch.Tensor:
    """Dynamic labeling (section 5.1): y(x) = argmax_{i<=K} D_i(x), carrying no gradient."""
    return class_logits.detach().argmax(dim=1)


# --- vanilla GAN (Eq. 1) and the binary part of AC-GAN* (Eqs. 6, 8) ---------------------

def gan_d_loss(s_real: torch.Tensor, s_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 1 / Eq. 8: -E_data log D_r(x) - E_G log(1 - D_r(x)), D_r = sigmoid(s)."""
    return F.softplus(-s_real).mean() + F.softplus(s_fake).mean()


def gan_g_loss(s_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 1 (-log D_r form) / Eq. 6: E_G H([1, 0], [D_r, D_f]) = -E_G log sigmoid(s)."""
    return F.softplus(-s_fake).mean()


# --- auxiliary classifier (Eqs. 7, 9, 20) ----------------------------------------------

def aux_classifier_loss(c_logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Eq. 7 (on fakes, in G) / Eq. 9 (on real data, in D): E H(u(y), C(x))."""
    return F.cross_entropy(c_logits, y)


def uniform_classifier_loss(c_logits: torch.Tensor) -> torch.Tensor:
    """Eq. 20 (AC-GAN*+, in D): E_G H(u(.), C(x)) = -E_G (1/K) sum_k log C_k(x)."""
    return -F.log_softmax(c_logits, dim=1).mean(dim=1).mean()


# --- LabelGAN (Eqs. 2-5) and AM-GAN (Eqs. 14-15) ---------------------------------------

def labelgan_d_loss(logits_real: torch.Tensor, y_real: torch.Tensor,
                    logits_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 5 (= Eq. 15 of AM-GAN): E_data H(v(y), D(x)) + E_G H(v(K+1), D(x))."""
    fake_class = torch.full((len(logits_fake),), logits_fake.shape[1] - 1,
                            dtype=torch.long, device=logits_fake.device)
    return F.cross_entropy(logits_real, y_real) + F.cross_entropy(logits_fake, fake_class)


def labelgan_g_loss(logits_fake: torch.Tensor) -> torch.Tensor:
    """Eq. 4: E_G H([1, 0], [D_r, D_{K+1}]) = E_G softplus(-(logsumexp(l_{1:K}) - l_{K+1}))."""
    return F.softplus(-real_fake_logit(logits_fake)).mean()


def amgan_g_loss(logits_fake: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Eq. 14: E_(x,y)~G H(v(y), D(x)), y the target class (predefined or dynamic)."""
    return F.cross_entropy(logits_fake, y)


def lemma2_terms(p_hat: torch.Tensor, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Lemma 2 / Eq. 16 for distributions over K+1 classes (rows): the two terms of
    H(p_hat, p) = p_hat_r H(R(p_hat), R(p)) + H(F(p_hat), F(p)), per row."""
    ph_r, p_r = p_hat[:, :-1].sum(1), p[:, :-1].sum(1)
    r_hat, r = p_hat[:, :-1] / ph_r[:, None], p[:, :-1] / p_r[:, None]
    first = ph_r * -(r_hat * torch.log(r)).sum(1)
    f_hat = torch.stack([ph_r, p_hat[:, -1]], 1)
    f = torch.stack([p_r, p[:, -1]], 1)
    second = -(f_hat * torch.log(f)).sum(1)
    return first, second
