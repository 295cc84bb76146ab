"""The 2-D ring of 8 Gaussians (liu, section 5.2), generated from a seed with numpy only.

Mode ``k`` (``k = 0 .. n_modes-1``) is an isotropic Gaussian with mean
``radius * (cos(2 k pi / n_modes), sin(2 k pi / n_modes))`` and variance ``variance``
per coordinate (the paper: 8 modes, radius 1, variance 0.1). The training set holds
``n_labelled`` labelled and ``n_unlabelled`` unlabelled points per mode (the paper: 16 and
256). The unlabelled points keep their true mode in ``y_unlabelled`` for diagnostics only;
a trainer must not read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RingData:
    """One draw of the ring training set."""

    x_labelled: np.ndarray  # (n_modes * n_labelled, 2) float32
    y_labelled: np.ndarray  # (n_modes * n_labelled,) int64
    x_unlabelled: np.ndarray  # (n_modes * n_unlabelled, 2) float32
    y_unlabelled: np.ndarray  # (n_modes * n_unlabelled,) int64, diagnostics only
    centers: np.ndarray  # (n_modes, 2) float64
    std: float  # per-coordinate standard deviation, sqrt(variance)


def ring_centers(n_modes: int = 8, radius: float = 1.0) -> np.ndarray:
    """The ``(n_modes, 2)`` mode centres on a circle of ``radius``."""
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _sample(rng: np.random.Generator, centers: np.ndarray, per_mode: int, std: float
            ) -> tuple[np.ndarray, np.ndarray]:
    labels = np.repeat(np.arange(len(centers)), per_mode)
    points = centers[labels] + std * rng.standard_normal((len(labels), 2))
    return points.astype(np.float32), labels.astype(np.int64)


def make_ring(
    seed: int,
    n_modes: int = 8,
    radius: float = 1.0,
    variance: float = 0.1,
    n_labelled: int = 16,
    n_unlabelled: int = 256,
) -> RingData:
    """Draw the labelled and unlabelled ring points; the same seed gives the same arrays."""
    if n_modes < 1 or n_labelled < 0 or n_unlabelled < 0 or variance <= 0:
        raise ValueError("make_ring: n_modes >= 1, counts >= 0 and variance > 0 required")
    rng = np.random.default_rng(seed)
    centers = ring_centers(n_modes, radius)
    std = float(np.sqrt(variance))
    x_l, y_l = _sample(rng, centers, n_labelled, std)
    x_u, y_u = _sample(rng, centers, n_unlabelled, std)
    return RingData(x_l, y_l, x_u, y_u, centers, std)
