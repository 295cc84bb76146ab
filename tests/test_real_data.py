"""Tests of real_data: its scores on a tiny set equal the metric functions applied
directly (scipy's entropy as the reference for the per-image entropies)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from scipy.stats import entropy as scipy_entropy

from methods.real_data.config import INFO
from methods.real_data.trainer import select, train
from reproduce import metrics as M
from reproduce.data.images import load_image_dataset
from tests.fake_context import FakeCtx

SMALL: dict[str, Any] = {
    "image_size": 16, "channels": 3, "n_eval_samples": 120, "is_extractor": "am_classifier",
    "is_splits": 4, "am_classifier": "small-cnn", "am_recipe": "smoke", "am_epochs": 1,
    "device": "cpu",
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("REPRODUCE_CACHE", str(tmp_path / "cache"))
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_scores_equal_the_metric_functions(tmp_path: Path) -> None:
    ctx = FakeCtx(tmp_path / "run", {**SMALL, "class_index": 3}, method="real_data",
                  dataset="digits")
    out = train(ctx)
    assert ctx.logged == {0: out}
    # reference: the cached classifier, the same images, the metric functions directly
    data = load_image_dataset("digits", image_size=16, channels=3)
    idx = np.flatnonzero(data.labels == 3)
    images = data.uint8(idx[:120] if len(idx) <= 120 else np.sort(
        np.random.default_rng(0).choice(idx, 120, replace=False)))
    clf, cached = M.load_or_train_classifier(
        "digits-16px-3ch-smoke1", data.arrays(), cache_dir=str(tmp_path / "cache"),
        num_classes=10, arch="small-cnn", recipe="smoke", epochs=1, seed=0)
    assert cached
    probs = M.predict_probs(clf, images)
    is_mean, is_std = M.inception_score(probs, splits=4)
    ent = scipy_entropy(probs, axis=1)  # natural log
    assert out["n_images"] == len(images) == min(120, len(idx))
    assert out["scored_class"] == "'3' (class index 3)"
    assert out["inception_score"] == pytest.approx(is_mean, rel=1e-9)
    assert out["inception_score_std"] == pytest.approx(is_std, rel=1e-9, abs=1e-12)
    assert out["inception_entropy"] == pytest.approx(float(ent.mean()), rel=1e-6)
    assert out["low_entropy_share"] == pytest.approx(100.0 * np.mean(ent < 0.05))
    assert "SUBSTITUTE" in out["inception_score_extractor"]
    assert "small-cnn" in out["low_entropy_share_extractor"]


# the substitute's 256-d features of 297 test digits have a singular covariance
@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")
def test_every_class_and_without_classifier(tmp_path: Path) -> None:
    p = INFO.typed({**SMALL, "n_eval_samples": 0, "with_classifier": True})
    data = load_image_dataset("digits", image_size=16, channels=3)
    images, name = select(data, int(p.class_index), int(p.n_eval_samples))
    assert len(images) == len(data) and name == "every class"
    with pytest.raises(ValueError, match="class_index 12 is not a class of digits"):
        select(data, 12, 0)
    params = {**SMALL, "n_eval_samples": 400, "with_classifier": False,
              "fid_reference_split": "test",
              "fid_extractor": "randproj-v1"}
    out = train(FakeCtx(tmp_path / "run", params, method="real_data", dataset="digits"))
    # the substitute IS still needs the classifier; the share is not asked
    assert "low_entropy_share" not in out and out["inception_score"] >= 1.0
    ext = M.get_extractor("randproj-v1")
    test = load_image_dataset("digits", split="test", image_size=16, channels=3)
    train_images, _ = select(data, -1, 400)  # more images than the 256 feature dims
    want = M.fid_from_features(ext.features(train_images), ext.features(test.arrays()[0]))
    assert out["fid"] == pytest.approx(want, rel=1e-6)
    assert "SUBSTITUTE" in out["fid_extractor"] and "297 images" in out["fid_reference"]


SPEC = """title = "t"
[[metrics]]
name = "inception_score"
label = "IS"
better = "higher"
[run]
method = "cho_vcagan"
dataset = "mnist"
params = { lambda_creg = 20.0, image_size = 16, n_eval_samples = 300 }
[[columns]]
key = "is"
label = "IS"
metric = "inception_score"
[[rows]]
key = "real"
label = "Real data"
overrides = { method = "real_data", params = { ROW } }
[profiles.smoke]
run = { dataset = "digits", params = { width = 4, n_eval_samples = 100 } }
"""


def test_a_real_data_row_inherits_only_the_params_it_declares(tmp_path: Path) -> None:
    from reproduce.errors import SpecError
    from reproduce.specs import load_table

    path = tmp_path / "t.toml"
    path.write_text(SPEC.replace("ROW", "with_classifier = false"))
    spec = load_table(path)
    cfg = spec.cell_config(spec.rows[0], spec.columns[0], "smoke")
    assert cfg["method"] == "real_data" and cfg["dataset"] == "digits"
    assert cfg["params"]["image_size"] == 16 and cfg["params"]["n_eval_samples"] == 100
    assert "lambda_creg" not in cfg["params"] and "width" not in cfg["params"]
    path.write_text(SPEC.replace("ROW", "lambda_creg = 1.0"))  # the row's own: checked
    with pytest.raises(SpecError, match="rows\\[0\\].overrides.params.lambda_creg"):
        load_table(path)
