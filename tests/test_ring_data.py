"""The 2-D ring data set (liu section 5.2)."""

from __future__ import annotations

import numpy as np
import pytest

from reproduce.data.ring import make_ring, ring_centers


def test_centers_on_unit_circle() -> None:
    c = ring_centers(8)
    assert c.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 1.0)
    np.testing.assert_allclose(c[2], [0.0, 1.0], atol=1e-12)


def test_counts_and_dtypes() -> None:
    d = make_ring(0)
    assert d.x_labelled.shape == (128, 2) and d.x_unlabelled.shape == (2048, 2)
    assert d.x_labelled.dtype == np.float32 and d.y_labelled.dtype == np.int64
    assert np.bincount(d.y_labelled).tolist() == [16] * 8
    assert np.bincount(d.y_unlabelled).tolist() == [256] * 8
    assert d.std == pytest.approx(np.sqrt(0.1))


def test_means_and_variance_close() -> None:
    d = make_ring(3)
    for k in range(8):
        pts = d.x_unlabelled[d.y_unlabelled == k]
        # std of a mean of 256 points is 0.316 / 16 ~ 0.02
        np.testing.assert_allclose(pts.mean(axis=0), d.centers[k], atol=0.1)
    resid = d.x_unlabelled - d.centers[d.y_unlabelled]
    assert resid.var() == pytest.approx(0.1, rel=0.1)


def test_seeded_determinism() -> None:
    a, b, c = make_ring(7), make_ring(7), make_ring(8)
    np.testing.assert_array_equal(a.x_labelled, b.x_labelled)
    np.testing.assert_array_equal(a.x_unlabelled, b.x_unlabelled)
    assert not np.array_equal(a.x_unlabelled, c.x_unlabelled)
