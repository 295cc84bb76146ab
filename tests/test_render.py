"""Rendering against golden files (regenerate with REPRODUCE_UPDATE_GOLDEN=1)."""

import json
import os
import re
from pathlib import Path

import pytest

from reproduce.aggregate import cell_frame
from reproduce.formats import FORMATS, decimals
from reproduce.plan import plan_table
from reproduce.render import render
from reproduce.specs import load_table
from reproduce.store import Store
from tests.spec_helpers import GOOD_TABLE, write_spec

GOLDEN = Path(__file__).parent / "golden"


def _filled(tmp_path):
    spec = load_table(write_spec(tmp_path, GOOD_TABLE))
    plan = plan_table(spec, "smoke")
    store = Store(tmp_path / "store")
    logs = [[(10, 6.0, 0.30), (20, 7.0, 0.20)], [(10, 8.0, 0.10), (20, 8.0, 0.25)]]
    for (rid, run), log in zip(plan.runs.items(), logs, strict=True):
        store.prepare(rid, run.config)
        for step, modes, rkl in log:
            store.log_eval(rid, step, {"modes": modes, "reverse_kl": rkl})
        store.write_result(rid, {"modes": log[-1][1]}, {"wall_seconds": 1.0})
    return spec, plan, store


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_matches_golden(tmp_path, fmt):
    spec, plan, store = _filled(tmp_path)
    text = render(cell_frame(plan, store), spec, "smoke", fmt)
    golden = GOLDEN / f"toy_table.{fmt}"
    if os.environ.get("REPRODUCE_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_json_cells_hold_hand_computed_values(tmp_path):
    spec, plan, store = _filled(tmp_path)
    cells = {(c["row"], c["column"]): c for c in json.loads(
        render(cell_frame(plan, store), spec, "smoke", "json"))["rows"]}
    modes = cells[("base", "modes")]
    assert modes["mean"] == 7.5 and modes["n"] == 2 and modes["paper_value"] == 5.3
    assert modes["std"] == 0.7 and modes["decimals"] == 1  # sqrt(0.5), as displayed
    rkl = cells[("base", "rkl_best")]  # best (lowest) per run: 0.20 and 0.10
    assert rkl["mean"] == pytest.approx(0.15) and rkl["reducer"] == "best"
    cited = cells[("other", "modes")]
    assert cited["status"] == "cited" and cited["mean"] is None and cited["n"] == 0
    assert modes["comparable_with_paper"] is False and modes["profile"] == "smoke"


def test_missing_and_failed_cells_show_no_numbers(tmp_path):
    spec = load_table(write_spec(tmp_path, GOOD_TABLE))
    plan = plan_table(spec, "smoke")
    store = Store(tmp_path / "store")
    first, second = plan.runs
    store.prepare(first, plan.runs[first].config)
    store.set_status(first, "failed", reason="NaN in D loss at step 7")
    text = render(cell_frame(plan, store), spec, "smoke", "text")
    line = next(x for x in text.splitlines() if x.startswith("Baseline") and "# Modes" in x)
    # one failed, one not run yet: the cell is missing, with no number, failure shown
    assert "missing: 1 failed (NaN in D loss at step 7)" in line
    assert "±" not in line.split("5.3±1.1")[1]
    store.prepare(second, plan.runs[second].config)
    store.set_status(second, "failed", reason="NaN in D loss at step 7")
    text = render(cell_frame(plan, store), spec, "smoke", "text")
    line = next(x for x in text.splitlines() if x.startswith("Baseline") and "# Modes" in x)
    assert "failed: NaN in D loss at step 7" in line and "±" not in line.split("5.3±1.1")[1]


def test_decimals_follow_the_paper():
    assert (decimals("58.9±2.0"), decimals("0.184±0.011"), decimals("47"), decimals("")) == (
        1, 3, 0, 3)


def test_a_diverged_value_is_failed_not_averaged(tmp_path):
    spec, plan, store = _filled(tmp_path)
    first = next(iter(plan.runs))
    store.log_eval(first, 20, {"modes": float("nan"), "reverse_kl": 0.2})
    cells = {(c["row"], c["column"]): c for c in json.loads(
        render(cell_frame(plan, store), spec, "smoke", "json"))["rows"]}
    modes = cells[("base", "modes")]
    assert modes["n"] == 1 and modes["mean"] == 8.0 and modes["n_failed"] == 1
    assert modes["status"] == "partial" and modes["reasons"] == ["non-finite modes"]


def test_difference_is_shown_only_at_paper_scale(tmp_path):
    spec, plan, store = _filled(tmp_path)
    frame = cell_frame(plan, store)
    smoke = render(frame, spec, "smoke", "text")
    paper = render(frame.assign(profile="paper"), spec, "paper", "text")
    assert "+2.2" not in smoke and " n/c " in smoke
    assert "+2.2" in paper and "-0.034" in paper and "n/c" not in paper


def test_one_seed_cell_shows_no_spread(tmp_path):
    spec, plan, store = _filled(tmp_path)
    one = plan_table(spec, "smoke", seeds=1)  # the first seed's runs only
    lines = render(cell_frame(one, store), spec, "smoke", "text").splitlines()
    cells = [re.split(r"\s{2,}", line) for line in lines if line.startswith("Baseline")]
    # Method, Column, Paper, Reproduced, n, ...: the paper keeps its ±, ours has none
    assert [(c[3], c[4]) for c in cells] == [("7.0", "1/1"), ("0.200", "1/1")]
