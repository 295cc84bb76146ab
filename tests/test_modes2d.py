"""2-D mode metrics on hand-made point sets with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reproduce.data.ring import ring_centers
from reproduce.metrics.modes2d import mode_metrics

CENTERS = ring_centers(8)
STD = math.sqrt(0.1)


def test_four_of_eight_modes_evenly() -> None:
    pts = np.repeat(CENTERS[[0, 2, 4, 6]], 25, axis=0)
    m = mode_metrics(pts, CENTERS, STD)
    assert m["modes"] == 4.0
    assert m["hq_percent"] == pytest.approx(100.0)
    assert m["reverse_kl"] == pytest.approx(math.log(2.0))


def test_all_modes_uniform_is_zero_kl() -> None:
    m = mode_metrics(np.repeat(CENTERS, 30, axis=0), CENTERS, STD)
    assert m == pytest.approx({"modes": 8.0, "hq_percent": 100.0, "reverse_kl": 0.0})


def test_far_away_points() -> None:
    pts = np.full((50, 2), 10.0)  # all nearest to the mode at 45 degrees, none HQ
    m = mode_metrics(pts, CENTERS, STD)
    assert m["hq_percent"] == 0.0 and m["modes"] == 0.0
    assert m["reverse_kl"] == pytest.approx(math.log(8.0))


def test_hq_radius_is_three_std() -> None:
    # radially outward from mode 0, so mode 0 stays the nearest centre
    inside = np.array([[1.0 + 2.9 * STD, 0.0]] * 30)
    outside = np.array([[1.0 + 3.1 * STD, 0.0]] * 10)
    m = mode_metrics(np.vstack([inside, outside]), CENTERS, STD)
    assert m["hq_percent"] == pytest.approx(75.0)
    assert m["modes"] == 1.0
    assert m["reverse_kl"] == pytest.approx(math.log(8.0))  # all 40 nearest to mode 0


def test_min_count_threshold() -> None:
    pts = np.vstack([np.repeat(CENTERS[:1], 19, axis=0), np.repeat(CENTERS[1:2], 20, axis=0)])
    assert mode_metrics(pts, CENTERS, STD)["modes"] == 1.0
    assert mode_metrics(pts, CENTERS, STD, min_count=1)["modes"] == 2.0


def test_reverse_kl_uses_all_samples() -> None:
    # 30 HQ points on mode 0, 10 non-HQ points nearest mode 1 (far outward)
    far = 5.0 * CENTERS[1:2]
    pts = np.vstack([np.repeat(CENTERS[:1], 30, axis=0), np.repeat(far, 10, axis=0)])
    m = mode_metrics(pts, CENTERS, STD)
    p = np.array([0.75, 0.25])
    assert m["reverse_kl"] == pytest.approx(float(np.sum(p * np.log(p * 8))))
    assert m["modes"] == 1.0 and m["hq_percent"] == pytest.approx(75.0)
