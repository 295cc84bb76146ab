"""liu2d's baseline game (Triple-GAN's) and the strict-radius mode metrics, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

from methods import registry
from methods.liu2d import losses
from methods.liu2d.model import Liu2dModel, strict_radius
from reproduce.data.ring import make_ring
from reproduce.metrics.modes2d import mode_metrics

LOG2 = math.log(2.0)


def test_d_loss_weights_the_classifiers_and_the_generators_pairs_as_fake():
    # every logit 0: -log D = -log(1 - D) = log 2; real + alpha * cls + (1 - alpha) * fake
    zero1, zero2 = torch.zeros(3), torch.zeros(3, 2)
    probs = torch.tensor([[1.0, 0.0]] * 3)
    assert losses.d_loss(zero1, zero2, probs, zero1, 0.25).item() == pytest.approx(2 * LOG2)
    # C's pairs are fake: D lowers its logit of (x_u, k) in proportion to C's p(k | x_u)
    cls = torch.zeros(1, 2, requires_grad=True)
    lab = torch.zeros(1, requires_grad=True)
    losses.d_loss(lab, cls, torch.tensor([[0.75, 0.25]]), torch.zeros(1), 0.5).backward()
    assert cls.grad.tolist()[0] == pytest.approx([0.5 * 0.75 * 0.5, 0.5 * 0.25 * 0.5])
    assert lab.grad.item() == pytest.approx(-0.5)  # labelled pairs are real


def test_the_classifier_plays_against_d():
    # D finds (x, 0) real and (x, 1) fake: C's loss falls as it puts mass on label 0
    d_logits = torch.tensor([[3.0, -3.0]])
    logits = torch.zeros(1, 2, requires_grad=True)
    loss = losses.classifier_adv_loss(logits, d_logits)
    loss.backward()
    by_hand = 0.5 * float(torch.nn.functional.softplus(-d_logits).sum())
    assert loss.item() == pytest.approx(by_hand)
    assert logits.grad[0, 0] < 0 < logits.grad[0, 1]


def test_strict_radius_is_half_the_spacing_and_counts_points_near_any_centre():
    ring = make_ring(0, n_modes=8, variance=0.1, n_labelled=16, n_unlabelled=500)
    r = strict_radius(ring.centers)
    assert r == pytest.approx(math.sin(math.pi / 8))
    x = ring.x_unlabelled
    strict = mode_metrics(x, ring.centers, r / 3.0)
    near = cdist(x, ring.centers).min(axis=1) <= r  # independent brute-force count
    assert strict["hq_percent"] == pytest.approx(100.0 * near.mean())
    # real ring data: ~66 % at the strict radius (each disk holds 1 - exp(-r^2 / 0.2) = 52 %
    # of its own Gaussian, the neighbours' tails add the rest), > 99 % at 3 std
    assert 60.0 < strict["hq_percent"] < 72.0
    literal = mode_metrics(x, ring.centers, ring.std)
    assert literal["hq_percent"] > 99.0 and strict["modes"] == literal["modes"] == 8.0


@pytest.mark.parametrize("recg,ctrs", [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)])
def test_each_row_of_table_1_trains_and_reports_both_readings(recg, ctrs):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    p = registry.get("liu2d").typed({"recg_weight": recg, "ctrs_weight": ctrs, "hidden": 32,
                                     "n_eval_samples": 400})
    model = Liu2dModel(p, seed=0)
    for step in range(1, 31):
        out = model.train_step(step)
    assert all(np.isfinite(float(v)) for v in out.values())
    metrics = model.evaluate(30)
    assert set(metrics) == {"modes", "hq_percent", "reverse_kl", "modes_strict",
                            "hq_percent_strict"}
    assert metrics["hq_percent_strict"] <= metrics["hq_percent"]
    assert metrics["modes_strict"] <= metrics["modes"]
