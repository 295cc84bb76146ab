"""Clustering metrics against brute force, hand counts and scikit-learn."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from reproduce.metrics import (
    ari,
    clustering_accuracy,
    clustering_report,
    linear_separability,
    nmi,
    purity,
)


@pytest.mark.parametrize("seed", range(5))
def test_hungarian_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    k = 5
    y = rng.integers(0, k, 200)
    p = np.where(rng.random(200) < 0.6, (y + seed) % k, rng.integers(0, k, 200))
    brute = max(np.mean(np.array(perm)[p] == y) for perm in itertools.permutations(range(k)))
    assert clustering_accuracy(y, p) == pytest.approx(brute)


def test_hungarian_more_clusters_than_classes_brute_force():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, 120)
    p = rng.integers(0, 5, 120)
    # injective maps of the 3 classes into 5 clusters; unmatched clusters count as errors
    brute = max(
        sum(np.sum((y == c) & (p == m)) for c, m in enumerate(inj)) / 120
        for inj in itertools.permutations(range(5), 3)
    )
    assert clustering_accuracy(y, p) == pytest.approx(brute)


def test_purity_by_hand():
    y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
    p = np.array([0, 0, 1, 1, 1, 1, 2, 2, 2, 3])
    # cluster 0: {0,0} -> 2; cluster 1: {0,1,1,2} -> 2; cluster 2: {2,2,2} -> 3; cluster 3: {1} -> 1
    assert purity(y, p) == pytest.approx(8 / 10)
    # purity is many-to-one: splitting every sample into its own cluster gives 1
    assert purity(y, np.arange(10)) == 1.0
    assert clustering_accuracy(y, np.arange(10)) == pytest.approx(3 / 10)


def test_nmi_ari_wrap_sklearn_and_report():
    rng = np.random.default_rng(3)
    y, p = rng.integers(0, 4, 100), rng.integers(0, 6, 100)
    assert nmi(y, p) == pytest.approx(normalized_mutual_info_score(y, p))
    assert ari(y, p) == pytest.approx(adjusted_rand_score(y, p))
    rep = clustering_report(y, p)
    assert rep["n_classes"] == 4 and rep["n_clusters"] == 6
    # permuting cluster ids changes nothing
    assert clustering_accuracy(y, (p + 2) % 6) == pytest.approx(rep["acc"])


def test_linear_separability_vs_sklearn_logistic_regression():
    rng = np.random.default_rng(4)
    k, d = 4, 10
    centres = rng.normal(size=(k, d)) * 1.2
    ytr, yte = rng.integers(0, k, 600), rng.integers(0, k, 400)
    xtr = centres[ytr] + rng.normal(size=(600, d))
    xte = centres[yte] + rng.normal(size=(400, d))
    rec = linear_separability(xtr, ytr, xte, yte, epochs=30, batch_size=100)
    ref = LogisticRegression(max_iter=2000).fit(xtr, ytr).score(xte, yte)
    assert rec["test_acc"] == pytest.approx(ref, abs=0.03)
    assert rec["dim"] == d and rec["n_test"] == 400
