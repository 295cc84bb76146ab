"""Four 2-D Gaussian clusters of cho (VCAGAN), Figure 1 (numpy only).

Centres (-2, 2), (0, -2), (1, -1), (2, 1) with mixture weights 0.1, 0.2, 0.3, 0.4 and an
isotropic standard deviation 0.3 per coordinate, as the caption of the paper's Figure 1
states. Points are drawn i.i.d. from the mixture (an infinite data stream, no fixed
training set).
"""

from __future__ import annotations

import numpy as np

CENTERS = np.array([[-2.0, 2.0], [0.0, -2.0], [1.0, -1.0], [2.0, 1.0]])
WEIGHTS = np.array([0.1, 0.2, 0.3, 0.4])
SIGMA = 0.3


def sample(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points ``(n, 2)`` float32 and their cluster labels ``(n,)`` int64."""
    labels = rng.choice(len(WEIGHTS), size=n, p=WEIGHTS)
    points = CENTERS[labels] + SIGMA * rng.standard_normal((n, 2))
    return points.astype(np.float32), labels.astype(np.int64)


def per_cluster(rng: np.random.Generator, n_per_cluster: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_cluster`` points of every cluster (for per-cluster diagnostics)."""
    labels = np.repeat(np.arange(len(WEIGHTS)), n_per_cluster)
    points = CENTERS[labels] + SIGMA * rng.standard_normal((len(labels), 2))
    return points.astype(np.float32), labels.astype(np.int64)
