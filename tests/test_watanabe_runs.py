"""watanabe_selflabel: tiny runs of every variant, probe runs reusing a finished model,
resume and re-scoring (digits, 32x32)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from methods.watanabe.config import DEFAULTS
from tests.fake_context import FakeCtx

torch.set_num_threads(1)


# --- tiny runs --------------------------------------------------------------------------------

def tiny(**over: Any) -> dict[str, Any]:
    """The smallest configuration that exercises every part (digits, 32x32)."""
    p = {**DEFAULTS, "epochs": 2, "max_steps_per_epoch": 2, "d_steps": 1, "batch_size": 4,
         "batch_size_selflabeled": 8, "teacher_batch_size": 4, "n_eval_samples": 64,
         "g_ch": 8, "d_ch": 8, "z_dim": 16, "teacher_arch": "resnet18-tiny",
         "fid_extractor": "randproj-v1", "fid_n_real": 200, "n_teacher_eval": 100,
         "device": "cpu", "ema_start": 0, "cutmix_warmup_epochs": 0, "threshold": 0.0,
         "probe_threshold": 0.0,
         "checkpoint_every_epochs": 1}
    p.update(over)
    return p


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REPRODUCE_CACHE", str(tmp_path / "cache"))
    return tmp_path


def _ctx(run_dir: Path, p: dict[str, Any], seed: int = 0) -> FakeCtx:
    run_dir.mkdir(parents=True, exist_ok=True)
    ctx = FakeCtx(run_dir, p, seed=seed)
    ctx.config.update(method="watanabe_selflabel", dataset="digits")
    return ctx


def _check_run(ctx: FakeCtx, metrics: dict[str, Any], teacher: bool) -> None:
    assert sorted(ctx.logged) == [2, 4]  # one evaluation per epoch
    assert math.isfinite(metrics["fid"]) and metrics["fid"] > 0
    assert "SUBSTITUTE randproj-v1" in metrics["fid_extractor"]
    assert (metrics["fid_mode"], metrics["fid_split"]) == ("legacy_tensorflow", "train")
    assert ("teacher_acc" in metrics) == teacher
    if teacher:
        assert 0 <= metrics["teacher_acc"] <= 100
        assert 0 < metrics["dominant_class_ratio"] <= 1  # probe Th = 0: every image
        assert metrics["selected_fraction"] == 1.0


VARIANTS = {  # Table 1 (A, B, C), Table 4 (B, C), unconditional BigGAN, K, label rates
    "t1_A": ({"self_labeling": False, "self_attention": False}, False),
    "t1_B": ({"self_attention": False}, True),
    "t1_C": ({"threshold": 0.95}, True),
    "t4_B_real": ({"label_rate": 1.0, "cond_loss": "real", "self_labeling": False,
                   "self_attention": False}, False),
    "t4_C_both": ({"label_rate": 1.0, "cond_loss": "both"}, True),
    "ugan": ({"cond_loss": "none"}, False),
    "k2_rate50_eq11": ({"num_clusters": 2, "cond_loss": "artificial", "label_rate": 0.5}, True),
    "rate50_eq11": ({"label_rate": 0.5, "cond_loss": "eq11", "attention_norm": "batch"}, True),
}


@pytest.mark.parametrize("name", ["t1_C"])
def test_tiny_run(cache: Path, name: str) -> None:
    from tests.fake_context import train_as_harness as train

    over, teacher = VARIANTS[name]
    ctx = _ctx(cache / name, tiny(**over))
    _check_run(ctx, train(ctx), teacher)


@pytest.mark.slow
@pytest.mark.parametrize("name", [v for v in VARIANTS if v != "t1_C"])
def test_tiny_run_of_every_variant(cache: Path, name: str) -> None:
    from tests.fake_context import train_as_harness as train

    over, teacher = VARIANTS[name]
    ctx = _ctx(cache / name, tiny(**over))
    _check_run(ctx, train(ctx), teacher)


def test_real_labels_need_k_equal_to_the_classes(cache: Path) -> None:
    from tests.fake_context import train_as_harness as train

    with pytest.raises(ValueError, match="num_clusters"):
        train(_ctx(cache / "k5", tiny(num_clusters=5, label_rate=0.5)))


@pytest.mark.slow
def test_probe_run_reuses_a_finished_model(cache: Path) -> None:
    from tests.fake_context import train_as_harness as train

    runs = cache / "runs"
    donor = _ctx(runs / "aaaa", tiny())
    train(donor)
    probe = _ctx(runs / "bbbb", tiny(probe_threshold=0.5, probe_class="3"))
    probe.similar_run = runs / "aaaa"  # what the store finds (tests/test_store.py)
    metrics = train(probe)
    assert sorted(probe.logged) == [4]  # evaluated once, not trained
    assert metrics["model_from_run"] == "aaaa"
    assert metrics["fid"] == pytest.approx(donor.logged[4]["fid"])
    assert 0 <= metrics.get("dominant_class_share", 0.0) <= 1


@pytest.mark.slow
def test_resume_equals_uninterrupted(cache: Path) -> None:
    from tests.fake_context import Stop
    from tests.fake_context import train_as_harness as train

    p = tiny(threshold=0.3, label_rate=0.5)
    full = train(_ctx(cache / "a", p))
    ctx = _ctx(cache / "b", p)
    ctx.stop_after, ctx.stop_on = 2, "progress"  # killed after the checkpoint of epoch 1
    with pytest.raises(Stop):
        train(ctx)
    resumed = train(_ctx(cache / "b", p))
    assert resumed == full


@pytest.mark.slow
def test_evaluator_rescores_a_checkpoint(cache: Path) -> None:
    from methods.engine.protocol import rescore as evaluate
    from tests.fake_context import train_as_harness as train

    ctx = _ctx(cache / "run", tiny())
    last = train(ctx)
    state = ctx.load_checkpoint()
    assert state is not None and state["step"] == 4
    same = evaluate(ctx, state, ["fid", "teacher_acc"], {})
    assert same["fid"] == pytest.approx(last["fid"])
    assert same["teacher_acc"] == pytest.approx(last["teacher_acc"])
    more = evaluate(ctx, state, ["fid"], {"n_samples": 128})
    assert set(more) == {"fid_n128", "fid_extractor_n128"}
    with pytest.raises(ValueError, match="evaluates"):
        evaluate(ctx, state, ["inception_score"], {})
