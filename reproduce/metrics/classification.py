"""Classification error of a classifier on a labelled split."""

from __future__ import annotations

import numpy as np


def classification_error(scores: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of misclassified samples (in [0, 1]; x100 for the papers' percent).

    ``scores``: logits or probabilities (N, K), argmax is the prediction, or
    predicted labels (N,).
    """
    s = np.asarray(scores)
    y = np.asarray(labels).reshape(-1)
    pred = s.argmax(axis=1) if s.ndim == 2 else s.reshape(-1)
    if len(pred) != len(y) or len(y) == 0:
        raise ValueError(f"got {len(pred)} predictions for {len(y)} labels")
    return float(np.mean(pred != y))
