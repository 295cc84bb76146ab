"""Clustering metrics against ground-truth classes: Hungarian accuracy, purity, NMI, ARI."""

from __future__ import annotations

import numpy as np


def contingency(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts (n_classes, n_clusters) over the labels present, via one bincount."""
    _, t = np.unique(np.asarray(y_true).reshape(-1), return_inverse=True)
    _, p = np.unique(np.asarray(y_pred).reshape(-1), return_inverse=True)
    if len(t) != len(p) or len(t) == 0:
        raise ValueError(f"got {len(p)} cluster labels for {len(t)} class labels")
    nc = int(p.max()) + 1
    return np.bincount(t * nc + p, minlength=(int(t.max()) + 1) * nc).reshape(-1, nc)


def hungarian_match(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one cluster -> class matching maximising agreement: (class rows, cluster cols)."""
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment(contingency(y_true, y_pred), maximize=True)


def clustering_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Accuracy under the best one-to-one matching of clusters to classes (Hungarian).

    With more clusters than classes the unmatched clusters count as errors.
    """
    from scipy.optimize import linear_sum_assignment

    c = contingency(y_true, y_pred)
    rows, cols = linear_sum_assignment(c, maximize=True)
    return float(c[rows, cols].sum() / c.sum())


def purity(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """(1/N) sum over clusters of the count of its most frequent class (many-to-one)."""
    c = contingency(y_true, y_pred)
    return float(c.max(axis=0).sum() / c.sum())


def nmi(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Normalised mutual information (scikit-learn, arithmetic mean normalisation)."""
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(np.ravel(y_true), np.ravel(y_pred)))


def ari(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Adjusted Rand index (scikit-learn)."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(np.ravel(y_true), np.ravel(y_pred)))


def clustering_report(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """All four clustering metrics plus the number of classes and clusters."""
    c = contingency(y_true, y_pred)
    return {
        "acc": clustering_accuracy(y_true, y_pred),
        "purity": purity(y_true, y_pred),
        "nmi": nmi(y_true, y_pred),
        "ari": ari(y_true, y_pred),
        "n_classes": int(c.shape[0]),
        "n_clusters": int(c.shape[1]),
    }
