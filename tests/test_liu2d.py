"""liu2d: losses against hand-computed values, registration, a tiny run and its resume."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from methods import registry
from methods.liu2d import losses
from tests.fake_context import FakeCtx, Stop
from tests.fake_context import train_as_harness as train


def test_recognition_loss_hand_computed() -> None:
    logits = torch.tensor([[0.0, 0.0], [math.log(3.0), 0.0]])
    # row 0: -log(1/2); row 1: softmax = (3/4, 1/4), label 1 -> -log(1/4)
    got = losses.recognition_loss(logits, torch.tensor([0, 1]))
    assert got.item() == pytest.approx((math.log(2.0) + math.log(4.0)) / 2)


def test_triplet_margin_loss_hand_computed() -> None:
    a = torch.zeros(2, 2)
    p = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    n = torch.tensor([[0.0, 2.0], [0.0, 0.5]])
    # row 0: max(1 - 4 + 0.5, 0) = 0; row 1: max(0 - 0.25 + 0.5, 0) = 0.25
    assert losses.triplet_margin_loss(a, p, n, 0.5).item() == pytest.approx(0.125)
    assert losses.triplet_margin_loss(a, p, n, 4.0).item() == pytest.approx((1.0 + 3.75) / 2)


def test_adversarial_losses_hand_computed() -> None:
    z = torch.zeros(3)
    uniform = torch.full((3, 2), 0.5)
    assert losses.d_loss(z, torch.zeros(3, 2), uniform, z, 0.5).item() == pytest.approx(
        2 * math.log(2.0))
    assert losses.g_adv_loss(z).item() == pytest.approx(math.log(2.0))
    # C uniform over 2 classes; D certain (logit 50) that label 1 is real: 0.5 * log 2
    got = losses.classifier_adv_loss(torch.zeros(1, 2), torch.tensor([[0.0, 50.0]]))
    assert got.item() == pytest.approx(0.5 * math.log(2.0))


def test_positive_indices() -> None:
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    gen = torch.Generator().manual_seed(0)
    idx, valid = losses.positive_indices(labels, gen)
    assert valid.tolist() == [True, True, False, True, True, True]
    assert idx[0].item() == 1 and idx[1].item() == 0
    for i in (3, 4, 5):
        assert idx[i].item() != i and labels[idx[i]].item() == 2


def test_registered() -> None:
    info = registry.get("liu2d")
    assert info.metrics == ("modes", "hq_percent", "reverse_kl", "modes_strict",
                            "hq_percent_strict")
    for key in ("steps", "eval_every", "n_eval_samples", "recg_weight", "ctrs_weight",
                "gamma", "checkpoint_every"):
        assert key in info.defaults




def _params(**over: Any) -> dict[str, Any]:
    p = dict(registry.get("liu2d").defaults)
    p.update(steps=30, eval_every=10, checkpoint_every=10, n_eval_samples=200, hidden=16,
             mode_threshold=5)
    p.update(over)
    return p


@pytest.mark.parametrize("recg, ctrs", [(0.0, 0.0), (1.0, 1.0)])
def test_tiny_run_logs_and_samples(tmp_path: Path, recg: float, ctrs: float) -> None:
    ctx = FakeCtx(tmp_path, _params(recg_weight=recg, ctrs_weight=ctrs), method="liu2d")
    final = train(ctx)
    assert sorted(ctx.logged) == [10, 20, 30]
    assert final == ctx.logged[30]
    assert set(final) == set(registry.get("liu2d").metrics)
    assert all(math.isfinite(v) for v in final.values())
    with np.load(tmp_path / "samples.npz") as s:
        assert s["points"].shape == (200, 2) and s["points"].dtype == np.float32
        assert s["codes"].shape == (200,) and set(s["codes"].tolist()) <= set(range(8))


def test_resume_gives_same_final_metrics(tmp_path: Path) -> None:
    full_dir, cut_dir = tmp_path / "full", tmp_path / "cut"
    full_dir.mkdir()
    cut_dir.mkdir()
    full = train(FakeCtx(full_dir, _params(), method="liu2d"))
    with pytest.raises(Stop):
        train(FakeCtx(cut_dir, _params(), method="liu2d", stop_after=20))
    assert not (cut_dir / "samples.npz").exists()
    resumed_ctx = FakeCtx(cut_dir, _params(), method="liu2d")
    resumed = train(resumed_ctx)
    assert sorted(resumed_ctx.logged) == [30]
    assert resumed == full
    with np.load(full_dir / "samples.npz") as a, np.load(cut_dir / "samples.npz") as b:
        np.testing.assert_array_equal(a["points"], b["points"])
