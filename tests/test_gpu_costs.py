"""GPU-hours from measured figures per device name, and 'not measured' otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from methods import registry
from reproduce import gpu_costs

MEASURED = {"NVIDIA H200": {"measured": "2030-01-01", "methods": {
    "zhou_amgan": {"seconds_per_step": 0.004, "steps_per_default_run": 300000},
    "cho2d": {"seconds_per_step": 0.002, "steps_per_default_run": 100000,
              "seconds_per_step_by_members": {"1": 0.002, "8": 0.0025}},
}}}


def test_load_absent_and_present(tmp_path: Path) -> None:
    assert gpu_costs.load(tmp_path / "none.json") == {}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MEASURED))
    assert gpu_costs.load(path) == MEASURED


def test_zhou_run_hours_scale_with_steps() -> None:
    entry = MEASURED["NVIDIA H200"]["methods"]["zhou_amgan"]
    defaults = dict(registry.get("zhou_amgan").defaults)
    assert gpu_costs.run_seconds(entry, "zhou_amgan", defaults) == pytest.approx(1200.0)
    half = {**defaults, "steps": int(defaults["steps"]) // 2}
    assert gpu_costs.run_seconds(entry, "zhou_amgan", half) == pytest.approx(600.0)


def test_batched_members_use_the_sweep_step_time() -> None:
    entry = MEASURED["NVIDIA H200"]["methods"]["cho2d"]
    p = dict(registry.get("cho2d").defaults)
    one = gpu_costs.run_seconds(entry, "cho2d", p)
    eight = gpu_costs.run_seconds(entry, "cho2d", {**p, "sweep_repeats": 8})
    steps = int(p["epochs"]) * int(p["steps_per_epoch"])
    assert one == pytest.approx(steps * 0.002)
    assert eight == pytest.approx(steps * 0.0025)  # one batched sweep, not 8 runs
    sixteen = gpu_costs.run_seconds(entry, "cho2d", {**p, "sweep_repeats": 16})
    assert sixteen == pytest.approx(2 * steps * 0.0025)  # beyond the largest measured


def test_plan_hours_and_unmeasured_methods() -> None:
    zhou = dict(registry.get("zhou_amgan").defaults)
    wat = dict(registry.get("watanabe_selflabel").defaults)
    runs = [("zhou_amgan", zhou), ("zhou_amgan", zhou), ("watanabe_selflabel", wat)]
    hours, missing = gpu_costs.plan_hours(runs, "NVIDIA H200", MEASURED)
    assert hours == {"zhou_amgan": pytest.approx(2 * 1200 / 3600)}
    assert missing == ["watanabe_selflabel"]
    lines = gpu_costs.summary_lines(runs, MEASURED)
    assert len(lines) == 1 and "NVIDIA H200" in lines[0] and "0.67" in lines[0]
    assert "not measured there: watanabe_selflabel" in lines[0]
    other, missing = gpu_costs.plan_hours(runs, "NVIDIA A100", MEASURED)
    assert other == {} and missing == ["zhou_amgan", "watanabe_selflabel"]


def test_nothing_measured_is_said() -> None:
    runs = [("zhou_amgan", dict(registry.get("zhou_amgan").defaults))]
    (line,) = gpu_costs.summary_lines(runs, {})
    assert line.startswith("GPU-hours: not measured on any GPU (zhou_amgan)")
    assert gpu_costs.summary_lines([("liu2d", dict(registry.get("liu2d").defaults))], {}) == []


def test_plan_prints_measured_or_not_measured(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    from reproduce.cli import main

    args = ["plan", "--paper", "zhou", "--id", "2", "--store", str(tmp_path / "s")]
    monkeypatch.setattr(gpu_costs, "MEASUREMENTS", tmp_path / "absent.json")
    assert main(args) == 0
    assert "GPU-hours: not measured on any GPU (zhou_amgan)" in capsys.readouterr().out
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MEASURED))
    monkeypatch.setattr(gpu_costs, "MEASUREMENTS", path)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "GPU-hours on NVIDIA H200 (measured 2030-01-01): 2.67 (zhou_amgan 2.67)" in out
