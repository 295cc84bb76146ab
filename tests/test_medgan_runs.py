"""MED-GAN end to end at toy scale: one run per table's configuration, the losses each
row trains, and the paper-scale plans of liu Tables 2-5 and Figures 5a, 5b, 6."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from methods import registry
from methods.engine import seed_all
from methods.engine.protocol import build, train
from reproduce.cli import main
from reproduce.figspecs import load_figure
from reproduce.plan import figure_plan, plan_table
from reproduce.specs import load_table
from tests.fake_context import FakeCtx, Stop, train_as_harness

ROOT = Path(__file__).resolve().parents[1]
TINY: dict[str, Any] = {
    "image_size": 16, "num_labeled": 50, "g_ch": 2, "d_ch": 2, "c_width": 0.0625,
    "c_dropout": 0.0, "z_dim": 8, "epochs": 1, "max_steps": 3, "batch_labeled": 4,
    "batch_unlabeled": 4, "batch_fake": 4, "n_eval_samples": 100,
    "fid_extractor": "randproj-v1", "is_extractor": "am_classifier",
    "am_classifier": "small-cnn", "am_recipe": "smoke", "am_epochs": 1}


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRODUCE_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    torch.set_num_threads(1)


# the rows of Tables 2-5: which losses each trains
ROWS = {
    "baseline": ({"mask_embedding": False, "region_reg": False},
                 {"loss_c", "loss_d", "loss_g_adv", "loss_recg"}, {"loss_idnt", "loss_cons"}),
    "mask_emb": ({"mask_embedding": True, "region_reg": False},
                 {"loss_c", "loss_idnt", "loss_recg"}, {"loss_cons", "loss_ctrs"}),
    "medgan": ({}, {"loss_c", "loss_idnt", "loss_cons", "loss_ctrs", "loss_recg"}, set()),
    "biggan_full": ({"supervision": "full", "mask_embedding": False, "region_reg": False},
                    {"loss_d", "loss_g_adv"}, {"loss_c", "loss_recg", "loss_idnt"}),
    "full_region_reg": ({"supervision": "full"}, {"loss_idnt", "loss_cons", "loss_ctrs"},
                        {"loss_c", "loss_recg"}),
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_each_row_trains_its_losses(row: str) -> None:
    over, present, absent = ROWS[row]
    seed_all(0)
    built = build(registry.get("medgan"), {**TINY, **over}, 0, "digits")
    losses = built.model.train_step(1)
    assert present <= set(losses) and not absent & set(losses)
    assert all(math.isfinite(float(v)) for v in losses.values())
    assert ("C" in built.model.method.nets) == (over.get("supervision", "semi") == "semi")


@pytest.mark.parametrize(("case", "over"), [
    ("table2_baseline", {"mask_embedding": False, "region_reg": False}),
    ("tables3_4_medgan", {}),
    ("table5_full", {"supervision": "full"}),
    pytest.param("figure6_classwise", {"classwise_fid_samples": 4},
                 marks=pytest.mark.slow),  # ~20 s: features of every real image
])
def test_smoke_run_per_table(tmp_path: Path, case: str, over: dict[str, Any]) -> None:
    ctx = FakeCtx(tmp_path / case, {**TINY, **over}, method="medgan", dataset="digits")
    seed_all(0)
    metrics = train(ctx)
    assert list(ctx.logged) == [3]
    assert metrics["fid"] > 0 and metrics["inception_score"] >= 1.0
    assert "SUBSTITUTE" in metrics["fid_extractor"]
    assert "SUBSTITUTE" in metrics["inception_score_extractor"]
    semi = over.get("supervision", "semi") == "semi"
    assert ("test_error" in metrics) == semi
    if semi:
        assert 0.0 <= metrics["test_error"] <= 100.0 and metrics["n_labelled"] == 50
    artifact = tmp_path / case / "classwise_fid.npz"
    assert artifact.exists() == ("classwise_fid_samples" in over)
    if artifact.exists():
        values = np.load(artifact)["values"]
        assert values.shape == (10,) and np.isfinite(values).all()
        assert metrics["classwise_fid_mean"] == pytest.approx(values.mean())


@pytest.mark.parametrize(("table", "runs"), [("2", 12), ("3", 4), ("4", 15), ("5", 12)])
def test_paper_scale_plans(table: str, runs: int) -> None:
    plan = plan_table(load_table(ROOT / "tables" / "liu" / f"{table}.toml"), "paper")
    medgan = [r for r in plan.runs.values() if r.method == "medgan"]
    assert len(medgan) == runs
    gpu = registry.get("medgan").gpu_hours
    assert plan.gpu_hours() >= runs * gpu > 0
    datasets = {r.config["dataset"] for r in medgan}
    assert datasets == ({"cifar10", "cifar100", "fs100"} if table == "4"
                        else {"cifar10", "cifar100", "fs100", "cub200"})


@pytest.mark.parametrize(("figure", "runs"), [("5a", 6), ("5b", 6), ("6", 1)])
def test_figure_plans(figure: str, runs: int) -> None:
    plan = figure_plan(load_figure(ROOT / "figures" / "liu" / f"{figure}.toml"), "paper")
    assert len(plan.runs) == runs
    assert plan.gpu_hours() == runs * registry.get("medgan").gpu_hours


@pytest.mark.parametrize("table", ["2", "3", "4", "5"])
def test_smoke_tables_render_from_the_committed_runs(tmp_path: Path, table: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    spec = load_table(ROOT / "tables" / "liu" / f"{table}.toml")
    runs = plan_table(spec, "smoke").runs
    for run_id in runs:
        shutil.copytree(ROOT / "examples" / "store" / "runs" / run_id,
                        tmp_path / "runs" / run_id, ignore=shutil.ignore_patterns("*.pt"))
    assert main(["table", "--paper", "liu", "--id", table, "--profile", "smoke", "--store",
                 str(tmp_path), "--no-run", "--format", "json"]) == 0
    cells = json.loads(capsys.readouterr().out)["rows"]
    # every trained cell with a paper value is done (the paper prints no FID of real data)
    trained = [c for c in cells if c["status"] not in ("cited", "pending")
               and c["paper_value"] is not None]
    assert trained and all(c["status"] == "done" and c["n"] == 1 for c in trained)
    assert not any(c["comparable_with_paper"] for c in cells)


def test_interrupted_run_resumes_to_the_same_metrics(tmp_path: Path) -> None:
    """The labelled images' stream is checkpointed with the rest: a run killed after its
    first epoch and resumed ends where an uninterrupted one does."""
    params = {**TINY, "batch_unlabeled": 290, "epochs": 2, "max_steps": 0,
              "eval_every_epochs": 2, "checkpoint_every_epochs": 1}
    whole = FakeCtx(tmp_path / "whole", params, method="medgan", dataset="digits")
    expected = train_as_harness(whole)
    cut = FakeCtx(tmp_path / "cut", params, method="medgan", dataset="digits", stop_after=5)
    with pytest.raises(Stop):
        train_as_harness(cut)
    resumed = FakeCtx(tmp_path / "cut", params, method="medgan", dataset="digits")
    got = train_as_harness(resumed)
    assert list(resumed.logged) == [10]
    for key in ("fid", "inception_score", "test_error", "sample_std"):
        assert got[key] == expected[key], key
