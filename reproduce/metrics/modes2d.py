"""Mode metrics for 2-D mixtures (liu Table 1: # modes, % high quality, reverse KL).

Conventions (papers differ; these are the ones this harness uses and tests):

- Every sample is assigned to its NEAREST mode centre (Euclidean distance).
- A sample is *high quality* (HQ) when that distance is at most ``3 * std`` (a circle of
  three per-coordinate standard deviations, ``std = sqrt(variance)``; not a box).
- A mode is *covered* when at least ``min_count`` HQ samples have it as nearest centre
  (default 20, out of the 2,500 samples of liu Table 1).
- ``hq_percent`` = 100 * (number of HQ samples) / (number of samples).
- ``reverse_kl`` = sum_k p_k log(p_k K), natural log, where p_k is the share of ALL
  samples (HQ or not) whose nearest centre is mode k and K the number of modes: the KL
  divergence of the model's mode histogram from the uniform one. Modes with p_k = 0 are
  skipped (0 log 0 = 0).
"""

from __future__ import annotations

import numpy as np


def mode_metrics(
    points: np.ndarray, centers: np.ndarray, std: float, min_count: int = 20
) -> dict[str, float]:
    """The three metrics of ``points`` (N x 2) against ``centers`` (K x 2).

    Returns ``{"modes": float, "hq_percent": float, "reverse_kl": float}``. Non-finite
    samples count as not high quality and are left out of the mode histogram (if none
    is finite, ``reverse_kl`` is ``log K``).
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ctr = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        raise ValueError("mode_metrics: no points")
    k = len(ctr)
    finite = np.all(np.isfinite(pts), axis=1)
    dist = np.linalg.norm(pts[:, None, :] - ctr[None, :, :], axis=2)
    dist[~finite] = np.inf
    nearest = np.argmin(dist, axis=1)
    nearest_dist = dist[np.arange(len(pts)), nearest]
    hq = nearest_dist <= 3.0 * std
    hq_counts = np.bincount(nearest[hq], minlength=k)
    counts = np.bincount(nearest[finite], minlength=k)
    if counts.sum() == 0:
        rkl = float(np.log(k))  # no finite sample: report the worst (all-in-one-mode) value
    else:
        p = counts / counts.sum()
        nz = p > 0
        rkl = float(np.sum(p[nz] * np.log(p[nz] * k)))
    return {
        "modes": float(np.sum(hq_counts >= min_count)),
        "hq_percent": float(100.0 * hq.mean()),
        "reverse_kl": rkl,
    }
