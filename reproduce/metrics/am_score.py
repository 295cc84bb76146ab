"""AM Score (Zhou et al., AM-GAN, Eq. 23): KL(C_train || C_G) + E_x H(C(x))."""

from __future__ import annotations

import numpy as np


def am_score_terms(
    fake_probs: np.ndarray, train_probs: np.ndarray, eps: float = 1e-12
) -> tuple[float, float]:
    """(KL(C_train || C_G), mean_x H(C(x))) in nats.

    ``fake_probs``: classifier softmax on generated images (N, K). ``train_probs``: the
    classifier's softmax on the training images (M, K), or its mean C_train (K,).
    ``eps`` is added only inside log C_G (C_G = mean of ``fake_probs``); 0 log 0 = 0.
    """
    pf = np.asarray(fake_probs, dtype=np.float64)
    pt = np.asarray(train_probs, dtype=np.float64)
    c_train = pt.mean(axis=0) if pt.ndim == 2 else pt
    c_g = pf.mean(axis=0)
    if c_train.shape != c_g.shape:
        raise ValueError(f"class counts differ: train {c_train.shape}, fake {c_g.shape}")
    pos = c_train > 0
    kl = float(np.sum(c_train[pos] * (np.log(c_train[pos]) - np.log(c_g[pos] + eps))))
    logp = np.log(np.where(pf > 0, pf, 1.0))
    ent = float(-(pf * logp).sum(axis=1).mean())
    return kl, ent


def am_score(fake_probs: np.ndarray, train_probs: np.ndarray, eps: float = 1e-12) -> float:
    """AM Score (lower is better): KL(C_train || C_G) + mean_x H(C(x)), natural log."""
    kl, ent = am_score_terms(fake_probs, train_probs, eps)
    return kl + ent
