"""Improved precision/recall against a brute-force numpy reference."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from reproduce.metrics import knn_radii, precision_recall


def _brute(real, fake, k):
    def radii(x):
        out = []
        for i in range(len(x)):
            d = sorted(np.linalg.norm(x[i] - x[j]) for j in range(len(x)) if j != i)
            out.append(d[k - 1])
        return np.array(out)

    def covered(q, ref, r):
        return np.mean([any(np.linalg.norm(a - b) <= rb for b, rb in zip(ref, r, strict=True))
                        for a in q])

    return covered(fake, real, radii(real)), covered(real, fake, radii(fake))


@pytest.mark.parametrize("seed", range(3))
def test_precision_recall_brute_force(seed):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(60, 5))
    fake = rng.normal(0.5, 1.3, size=(45, 5))
    p_ref, r_ref = _brute(real, fake, 3)
    rec = precision_recall(real, fake, k=3, chunk=16)
    assert rec["precision"] == pytest.approx(p_ref) and rec["recall"] == pytest.approx(r_ref)


def test_knn_radius_excludes_self():
    x = np.array([[0.0], [1.0], [3.0], [6.0]])
    np.testing.assert_allclose(knn_radii(x, k=1), [1, 1, 2, 3])
    np.testing.assert_allclose(knn_radii(x, k=3), [6, 5, 3, 6])


def test_identical_sets_full_precision_recall():
    x = np.random.default_rng(5).normal(size=(30, 3))
    rec = precision_recall(x, x.copy())
    assert rec["precision"] == 1.0 and rec["recall"] == 1.0


def _closed_ball_share(queries, ref, k):
    """Share of ``queries`` within the closed k-NN ball of some ``ref`` point, all in exact
    integer squared distances (scipy cdist)."""
    within = cdist(ref, ref, "sqeuclidean")
    np.fill_diagonal(within, np.inf)
    sq_radii = np.sort(within, axis=1)[:, k - 1]
    return float(np.mean((cdist(queries, ref, "sqeuclidean") <= sq_radii).any(axis=1)))


@pytest.mark.parametrize("seed", range(4))
def test_integer_features_count_ties_inside_the_closed_ball(seed):
    rng = np.random.default_rng(seed)
    real = rng.integers(0, 4, size=(50, 3)).astype(float)
    fake = rng.integers(0, 5, size=(40, 3)).astype(float)
    rec = precision_recall(real, fake, k=3, chunk=7)
    assert rec["precision"] == _closed_ball_share(fake, real, 3)
    assert rec["recall"] == _closed_ball_share(real, fake, 3)


def test_a_fake_at_exactly_the_radius_is_inside():
    # k = 1: every real's radius is sqrt(3), and sqrt(3) ** 2 < 3 in floating point
    real = np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]], dtype=float)
    fake = np.array([[-1, -1, -1], [4, 4, 4], [-1, -1, -2]], dtype=float)
    assert precision_recall(real, fake, k=1)["precision"] == pytest.approx(2 / 3)
