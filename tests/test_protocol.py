"""The method protocol: every method declared the same way, trained and re-scored by the
engine, with one rule for the keys of re-scored metrics."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import torch

from methods import registry
from methods.engine.protocol import eval_overrides, metric_suffix, rescore
from tests.fake_context import FakeCtx, train_as_harness

torch.set_num_threads(1)


def test_every_method_is_declared_the_same_way() -> None:
    for name in registry.names():
        info = registry.get(name)
        if not info.build:
            continue
        assert info.trainer == registry.TRAIN, name
        assert info.evaluator in ("", registry.RESCORE), name
        assert callable(registry.load_entry(info.build)), name
        assert set(info.eval_options) <= {"n_samples", "extractor"}, name
        assert set(info.eval_options.values()) <= set(info.params), name
        assert set(info.eval_params) <= set(info.params), name


def test_metric_suffix_rule() -> None:
    info = registry.get("watanabe_selflabel")
    p = info.defaults
    n, ext = p["n_eval_samples"], p["fid_extractor"]
    other = "randproj-v1" if ext != "randproj-v1" else "inception"
    assert metric_suffix(info, p, {}) == ""
    assert metric_suffix(info, p, {"n_eval_samples": n, "fid_extractor": ext}) == ""
    assert metric_suffix(info, p, {"n_eval_samples": 128}) == "_n128"
    assert metric_suffix(info, p, {"fid_extractor": other}) == f"_{other}"
    assert metric_suffix(info, p, {"n_eval_samples": 128, "fid_extractor": other}) == (
        f"_n128_{other}")


def test_eval_options_a_method_lacks_are_refused() -> None:
    info = registry.get("liu2d")
    assert eval_overrides(info, {"n_samples": 0, "extractor": ""}) == {}
    assert eval_overrides(info, {"n_samples": 300}) == {"n_eval_samples": 300}
    with pytest.raises(ValueError, match="liu2d has no --extractor option"):
        eval_overrides(info, {"extractor": "inception"})


def _liu2d_run(tmp_path: Path) -> tuple[FakeCtx, dict[str, Any]]:
    params = {"steps": 20, "eval_every": 10, "checkpoint_every": 10, "n_eval_samples": 200,
              "hidden": 16, "mode_threshold": 5}
    ctx = FakeCtx(tmp_path, params, seed=2, method="liu2d", dataset="ring8")
    return ctx, train_as_harness(ctx)


def test_rescore_reproduces_then_suffixes(tmp_path: Path) -> None:
    ctx, final = _liu2d_run(tmp_path)
    state = ctx.load_checkpoint()
    assert state is not None and state["step"] == 20
    same = rescore(ctx, state, ["modes", "reverse_kl"], {})
    assert same == {"modes": final["modes"], "reverse_kl": final["reverse_kl"]}
    more = rescore(ctx, state, ["modes"], {"n_samples": 300})
    assert list(more) == ["modes_n300"]
    with pytest.raises(ValueError, match="liu2d evaluates .*; not \\['fid'\\]"):
        rescore(ctx, state, ["fid"], {})


def test_a_finished_model_is_evaluated_for_evaluation_time_params(tmp_path: Path,
                                                                  monkeypatch) -> None:
    """A run differing from a finished one only in ``eval_params`` evaluates its model."""
    info = registry.get("liu2d")
    probing = dataclasses.replace(info, eval_params=("mode_threshold",))
    monkeypatch.setitem(registry.METHODS, "liu2d", probing)
    donor, _ = _liu2d_run(tmp_path / "aaaa")
    probe = FakeCtx(tmp_path / "bbbb", {**donor.params, "mode_threshold": 1}, seed=2,
                    method="liu2d", dataset="ring8")
    probe.similar_run = tmp_path / "aaaa"
    metrics = train_as_harness(probe)
    assert sorted(probe.logged) == [20] and metrics["model_from_run"] == "aaaa"
    assert metrics["modes"] >= donor.logged[20]["modes"]  # a lower threshold covers more

