"""`plan`, `status` and `wait` on tables and figures; the follow-up command of --detach;
planning work linear in the number of runs."""

from __future__ import annotations

import argparse
import shlex

import pytest

from reproduce import plan as planning
from reproduce.args import follow_up, table_target
from reproduce.cli import build_parser, main
from reproduce.specs import find_table
from reproduce.store import Store


@pytest.mark.parametrize("command", ["plan", "status", "wait"])
def test_figure_ids_are_accepted(tmp_path, capsys, command):
    code = main([command, "--paper", "cho", "--id", "11", "--store", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == (1 if command == "wait" else 0)  # wait: nothing has run, not a success
    if command == "wait":
        assert out.strip() == "0 done, 0 failed, 4 not started"
    else:
        assert out.startswith("cho Figure 11: Entropy of P(C) over training")


def test_an_id_naming_a_table_and_a_figure_says_which_it_plans(tmp_path, capsys):
    assert main(["plan", "--paper", "watanabe", "--id", "7", "--store", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("watanabe Table 7:")
    assert "watanabe 7 names a table and a figure: this is Table 7; add --figure" in captured.err
    assert main(["plan", "--paper", "watanabe", "--id", "7", "--figure", "--store",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("watanabe Figure 7: FID for different real label rates")


def test_status_names_profile_and_store_and_lists_runs(tmp_path, capsys):
    plan = table_target(argparse.Namespace(paper="liu", id="1", profile="smoke", seeds=1,
                                           specs_root=None))
    store = Store(tmp_path)
    first = next(iter(plan.runs))
    store.prepare(first, plan.runs[first].config)
    store.set_status(first, "pending", reason="submitted")
    assert main(["status", "--paper", "liu", "--id", "1", "--profile", "smoke", "--seeds",
                 "1", "--store", str(tmp_path), "--runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"profile: smoke; seeds: 1; store: {tmp_path.resolve()}"
    runs = lines[lines.index("runs:") + 1:]
    assert len(runs) == len(plan.runs) == 3
    states = {line.split()[0]: line.split()[1:3] for line in runs}
    assert states[first][0] == "pending" and states[first][1].endswith("s")  # "0s ago"
    assert all(states[r] == ["missing", "-"] for r in plan.runs if r != first)


def test_plan_at_smoke_scale_shows_no_paper_gpu_hours(tmp_path, capsys):
    assert main(["plan", "--paper", "watanabe", "--id", "2", "--profile", "smoke",
                 "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "GPU-hours" not in out and "GPU" not in out
    assert main(["plan", "--paper", "watanabe", "--id", "2", "--store", str(tmp_path)]) == 0
    assert "per run at the defaults" in capsys.readouterr().out


@pytest.mark.parametrize("figure", [False, True])
def test_detach_follow_up_repeats_every_option(tmp_path, figure):
    args = argparse.Namespace(paper="cho", id="11" if figure else "pc", profile="smoke",
                              seeds=3, specs_root=None, store=str(tmp_path / "my store"),
                              figure=figure)
    from reproduce.args import figure_target

    plan = figure_target(args) if figure else table_target(args)
    words = shlex.split(follow_up("status", args, plan))
    assert words[:4] == ["python", "-m", "reproduce", "status"]
    parsed = vars(build_parser().parse_args(words[3:]))
    assert parsed["figure"] is figure
    assert (parsed["paper"], parsed["id"], parsed["profile"], parsed["seeds"],
            parsed["store"]) == ("cho", args.id, "smoke", 3, str(tmp_path / "my store"))


class _CountingList(list):
    """A list that counts how often it is walked through."""

    walks = 0

    def __iter__(self):
        _CountingList.walks += 1
        return super().__iter__()


@pytest.mark.parametrize("seeds", [100, 1000])
def test_planning_and_listing_work_is_linear_in_runs(tmp_path, capsys, monkeypatch, seeds):
    hashed = []
    real_run_id = planning.run_id
    monkeypatch.setattr(planning, "run_id", lambda c: hashed.append(1) or real_run_id(c))
    real_plan_table = planning.plan_table

    def counting_plan_table(*a, **k):
        plan = real_plan_table(*a, **k)
        plan.cells = _CountingList(plan.cells)
        return plan

    monkeypatch.setattr("reproduce.args.plan_table", counting_plan_table)
    _CountingList.walks = 0
    assert main(["plan", "--paper", "liu", "--id", "1", "--seeds", str(seeds), "--store",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"runs: {3 * seeds} (0 done, {3 * seeds} to run)" in out
    cells = len(find_table("liu", "1").rows) * len(find_table("liu", "1").columns)
    assert len(hashed) == cells * seeds  # one hash per cell and seed, nothing more
    assert _CountingList.walks <= 3  # the cells are walked a fixed number of times


def test_detach_prints_the_exact_command_to_follow(tmp_path, capsys):
    store = tmp_path / "store"
    args = ["--paper", "cho", "--id", "11", "--profile", "smoke", "--seeds", "1",
            "--store", str(store)]
    assert main(["figure", *args, "--executor", "debug", "--detach"]) == 0
    err = capsys.readouterr().err
    wanted = shlex.join(["python", "-m", "reproduce", "status", "--paper", "cho", "--id", "11",
                         "--figure", "--profile", "smoke", "--store", str(store), "--seeds",
                         "1"])
    assert f"`{wanted}`" in err and "submitted" in err
    assert main(shlex.split(wanted)[3:]) == 0  # the printed command runs as it stands
    assert capsys.readouterr().out.startswith("cho Figure 11:")


def test_gpu_hours_scale_with_each_runs_work():
    """A 64x64 slcGAN run costs more than a 32x32 one; a run that trains nothing costs
    almost nothing (noroozi Table 4's untrained row)."""
    from methods import registry
    from reproduce.plan import RunSpec, work_scale

    defaults = dict(registry.get("noroozi_slcgan").defaults)

    def scale(**params):
        config = {"method": "noroozi_slcgan", "params": {**defaults, **params}}
        return work_scale(RunSpec("x", config))

    assert scale() == 1.0
    assert scale(image_size=64) > 2 * scale(image_size=32)
    assert scale(steps=50000) == 0.5
    assert scale(untrained=True) < 0.05
