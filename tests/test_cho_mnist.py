"""Tests of cho_vcagan (VCAGAN on images, cho section 4.2): the step is cho2d's shared
code, P(C) stays uniform while prob-normalized, a smoke run with resume, the grid."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import methods.cho2d.step as shared_step
from methods.cho2d import losses as L
from methods.cho_vcagan import evaluate, model, trainer
from methods.cho_vcagan.config import INFO
from methods.engine.protocol import rescore, train
from methods.nets.eqlr_cnn import ConvCritic, ConvGenerator, stages
from reproduce.data.images import load_image_dataset
from tests.fake_context import FakeCtx, Stop

TINY: dict[str, Any] = {
    "d_c": 6, "d_z": 8, "width": 4, "image_size": 8, "epochs": 3, "steps_per_epoch": 8,
    "pc_update_epoch": 1, "eval_every_epochs": 1, "checkpoint_every_epochs": 1,
    "n_eval_samples": 64, "fid_extractor": "randproj-v1", "pc_ema": 0.9, "batch_size": 16,
    "device": "cpu", "grid_columns": 3,
}

pytestmark = pytest.mark.usefixtures("one_thread")



def _model(**over: Any) -> model.ConvVCAGAN:
    torch.manual_seed(0)
    return model.ConvVCAGAN(INFO.typed({**TINY, **over}), channels=1, device="cpu")


def _batch(n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    data = load_image_dataset("digits", image_size=8)
    return data.batch(np.arange(n))


def test_the_step_is_cho2d_shared_code(monkeypatch: pytest.MonkeyPatch) -> None:
    assert model.train_step is shared_step.train_step  # Algorithm 1, written once
    calls: dict[str, int] = {}
    for name in ("creg_per_sample", "prob_normalize", "d_loss", "cross_entropy", "pc_ema",
                 "g_adv_input_grad"):
        original = getattr(L, name)

        def counted(*a: Any, _f: Any = original, _n: str = name, **k: Any) -> Any:
            calls[_n] = calls.get(_n, 0) + 1
            return _f(*a, **k)

        monkeypatch.setattr(L, name, counted)
    m = _model()
    for _ in range(2):
        m.d_step(_batch())
    assert set(calls) == {"creg_per_sample", "prob_normalize", "d_loss", "cross_entropy",
                          "pc_ema", "g_adv_input_grad"}
    assert all(v == 2 for v in calls.values())
    # no second copy of the loss math in the image method
    for module in (model, evaluate, trainer):
        source = inspect.getsource(module)
        assert "softplus" not in source and "autograd.grad" not in source


def test_prior_stays_uniform_while_prob_normalized() -> None:
    m = _model(pc_update_epoch=100)  # "early in training" throughout
    for _ in range(3):
        m.d_step(_batch())
    assert torch.allclose(m.prior, torch.full((6,), 1 / 6), atol=1e-6)  # Eq. 13
    m2 = _model(pc_update_epoch=0)
    for _ in range(3):
        m2.d_step(_batch())
    assert not torch.allclose(m2.prior, torch.full((6,), 1 / 6), atol=1e-4)
    assert abs(float(m2.prior.sum()) - 1.0) < 1e-5


def test_nets_shapes_and_rows_independent() -> None:
    assert stages(32) == 3
    with pytest.raises(ValueError, match="4 \\* 2\\^n"):
        stages(28)
    g, d = ConvGenerator(4, 3, 16, 1, 4), ConvCritic(16, 1, 4, 3)
    z, c = torch.randn(5, 4), torch.eye(3)[torch.tensor([0, 1, 2, 0, 1])]
    with torch.no_grad():
        x = g(z, c)
    assert x.shape == (5, 1, 16, 16) and float(x.abs().max()) <= 1.0
    with torch.no_grad():
        assert d(x).shape == (5, 3)
        assert torch.allclose(d(x[:2]), d(x)[:2], atol=1e-6)  # no batch statistics


def test_smoke_run_resumes_to_the_same_metrics(tmp_path: Path) -> None:
    full = FakeCtx(tmp_path / "a", dict(TINY), method="cho_vcagan", dataset="digits")
    torch.manual_seed(0)
    final = train(full)
    assert sorted(full.logged) == [8, 16, 24]
    assert {"fid", "precision", "recall"} <= set(full.logged[24])
    assert "fid" not in full.logged[8]  # FID / P / R at the last step only
    assert "SUBSTITUTE" in final["fid_extractor"]
    assert 0.0 <= final["precision"] <= 1.0 and final["fid"] > 0
    assert abs(final["pc_entropy"] - float(L.entropy(torch.tensor([1 / 6] * 6)))) < 0.5
    interrupted = FakeCtx(tmp_path / "b", dict(TINY), method="cho_vcagan", dataset="digits",
                          stop_after=16)
    torch.manual_seed(0)
    with pytest.raises(Stop):
        train(interrupted)
    interrupted.stop_after = None
    torch.manual_seed(123)  # the checkpoint restores every random state
    resumed = train(interrupted)
    assert resumed["fid"] == pytest.approx(final["fid"], rel=1e-5)
    assert resumed["pc_entropy"] == pytest.approx(final["pc_entropy"], rel=1e-6)
    state = full.load_checkpoint()  # `reproduce eval`: the same score again, or with fewer
    assert rescore(full, state, ["fid"], {})["fid"] == pytest.approx(final["fid"], rel=1e-9)
    assert set(rescore(full, state, ["fid"], {"n_samples": 32})) == {"fid_n32",
                                                                    "fid_extractor_n32"}
    grid = np.load(tmp_path / "a" / "grid.npz")
    assert grid["images"].dtype == np.uint8 and grid["images"].shape[1:] == (3, 1, 8, 8)
    assert np.all(np.diff(grid["probs"]) <= 0) and np.all(grid["probs"] >= 0.01)
    assert len(grid["categories"]) == final["n_categories"]


def test_prior_metrics() -> None:
    out = evaluate.prior_metrics(np.array([0.5, 0.25, 0.245, 0.005]))
    want = -sum(p * np.log(p) for p in (0.5, 0.25, 0.245, 0.005))
    assert out["pc_entropy"] == pytest.approx(want)
    assert out["n_categories"] == 3 and out["pc_max"] == 0.5
