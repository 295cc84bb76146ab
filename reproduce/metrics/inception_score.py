"""Inception Score: exp(E_x KL(p(y|x) || p(y))) per split, mean and std over splits."""

from __future__ import annotations

import numpy as np
from scipy.special import rel_entr, softmax


def inception_score(
    probs: np.ndarray | None = None,
    *,
    logits: np.ndarray | None = None,
    splits: int = 10,
    shuffle_seed: int | None = None,
) -> tuple[float, float]:
    """(mean, std) of the Inception Score over ``splits`` contiguous chunks.

    Pass class probabilities (N, K) or ``logits`` (softmaxed here; the original uses the
    logits without the output bias). Natural log; 0 * log 0 = 0. The original
    (Salimans et al.) splits in order; ``shuffle_seed=2020`` reproduces torch-fidelity's
    shuffling. std is the population std (ddof=0) over splits, as the original.
    """
    if (probs is None) == (logits is None):
        raise ValueError("pass exactly one of probs or logits")
    p = softmax(np.asarray(logits, np.float64), axis=1) if logits is not None else probs
    p = np.asarray(p, dtype=np.float64)
    if shuffle_seed is not None:
        p = p[np.random.RandomState(shuffle_seed).permutation(len(p))]
    n = len(p)
    if splits < 1 or splits > n:
        raise ValueError(f"splits must be in [1, {n}], got {splits}")
    scores = []
    for i in range(splits):
        part = p[i * n // splits : (i + 1) * n // splits]
        py = part.mean(axis=0, keepdims=True)
        kl = rel_entr(part, py).sum(axis=1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))
