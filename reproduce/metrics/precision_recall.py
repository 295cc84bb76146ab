"""Improved precision and recall (Kynkaanniemi et al. 2019) on feature vectors.

Balls are closed and compared in squared distance throughout: a k-NN radius is kept as the
squared distance it was found as, never square-rooted and squared again, so a sample at
exactly the k-th distance (duplicated, quantised or integer features) is inside the ball.
"""

from __future__ import annotations

import numpy as np


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] - 2.0 * a @ b.T + (b * b).sum(1)[None, :]
    return np.maximum(d, 0.0)


def knn_sq_radii(feats: np.ndarray, k: int = 3, chunk: int = 2048) -> np.ndarray:
    """Squared distance of each point to its k-th nearest neighbour, the point excluded."""
    x = np.asarray(feats, dtype=np.float64)
    if len(x) <= k:
        raise ValueError(f"need more than k={k} points, got {len(x)}")
    out = np.empty(len(x))
    for i in range(0, len(x), chunk):
        d = _sq_dists(x[i : i + chunk], x)
        d[np.arange(len(d)), np.arange(i, i + len(d))] = np.inf  # exclude self
        out[i : i + chunk] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return out


def knn_radii(feats: np.ndarray, k: int = 3, chunk: int = 2048) -> np.ndarray:
    """Distance of each point to its k-th nearest neighbour, the point itself excluded."""
    return np.sqrt(knn_sq_radii(feats, k, chunk))


def _coverage(queries: np.ndarray, ref: np.ndarray, sq_radii: np.ndarray, chunk: int) -> float:
    """Fraction of queries within the (closed) ball of at least one reference point."""
    hits = 0
    for i in range(0, len(queries), chunk):
        d = _sq_dists(queries[i : i + chunk], ref)
        hits += int((d <= sq_radii[None, :]).any(axis=1).sum())
    return hits / len(queries)


def precision_recall(
    real_feats: np.ndarray, fake_feats: np.ndarray, k: int = 3, chunk: int = 2048
) -> dict[str, float]:
    """precision: share of fakes inside some real k-NN ball; recall: reals inside some fake ball.

    Balls are closed (squared distance <= squared radius), the radius being the distance to
    the k-th nearest neighbour within the same set (self excluded). Record which extractor
    made the features.
    """
    r = np.asarray(real_feats, dtype=np.float64)
    f = np.asarray(fake_feats, dtype=np.float64)
    precision = _coverage(f, r, knn_sq_radii(r, k, chunk), chunk)
    recall = _coverage(r, f, knn_sq_radii(f, k, chunk), chunk)
    return {"precision": precision, "recall": recall, "k": k, "n_real": len(r), "n_fake": len(f)}
