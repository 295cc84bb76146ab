"""Inception Score, AM Score and classification error against analytic cases, scipy, sklearn."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax
from scipy.stats import entropy
from sklearn.metrics import accuracy_score

from reproduce.metrics import am_score, am_score_terms, classification_error, inception_score


@pytest.mark.parametrize("n_classes", [2, 10, 100])
def test_is_one_hot_evenly_spread_equals_n(n_classes):
    probs = np.eye(n_classes)[np.arange(50 * n_classes) % n_classes]
    mean, std = inception_score(probs, splits=10 if n_classes <= 10 else 5)
    assert mean == pytest.approx(n_classes, rel=1e-12) and std == pytest.approx(0.0, abs=1e-9)


def test_is_identical_predictions_is_one():
    probs = np.tile([0.2, 0.5, 0.3], (40, 1))
    assert inception_score(probs, splits=4)[0] == pytest.approx(1.0)


def test_is_logits_vs_scipy_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(100, 7)) * 3
    p = softmax(logits, axis=1)
    ref = [np.exp(np.mean([entropy(q, part.mean(0)) for q in part])) for part in np.split(p, 10)]
    mean, std = inception_score(logits=logits, splits=10)
    assert mean == pytest.approx(np.mean(ref), rel=1e-10)
    assert std == pytest.approx(np.std(ref), rel=1e-8)


def test_am_score_vs_scipy_entropy():
    rng = np.random.default_rng(1)
    fake = softmax(rng.normal(size=(200, 10)) * 2, axis=1)
    train = softmax(rng.normal(size=(300, 10)), axis=1)
    c_train, c_g = train.mean(0), fake.mean(0)
    ref_kl = entropy(c_train, c_g)  # natural log
    ref_h = np.mean([entropy(q) for q in fake])
    kl, h = am_score_terms(fake, train)
    assert kl == pytest.approx(ref_kl, rel=1e-9) and h == pytest.approx(ref_h, rel=1e-12)
    assert am_score(fake, c_train) == pytest.approx(ref_kl + ref_h, rel=1e-9)


def test_am_score_perfect_generator_is_zero():
    # confident, class-balanced fakes against a balanced C_train -> 0
    onehot = np.eye(4)[np.arange(40) % 4]
    assert am_score(onehot, np.full(4, 0.25)) == pytest.approx(0.0, abs=1e-9)
    # a generator that never produces class 3: KL blows up only through eps in log C_G
    missing = np.eye(4)[np.arange(30) % 3]
    assert am_score(missing, np.full(4, 0.25), eps=1e-12) > 5.0


def test_classification_error_vs_sklearn():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(300, 5))
    labels = rng.integers(0, 5, 300)
    ref = 1.0 - accuracy_score(labels, logits.argmax(1))
    assert classification_error(logits, labels) == pytest.approx(ref)
    assert classification_error(logits.argmax(1), labels) == pytest.approx(ref)
