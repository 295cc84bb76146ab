"""Figure specs: the per-series ``member`` key of batched sweep runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reproduce.errors import SpecError, UserError
from reproduce.figspecs import load_figure
from reproduce.figures import render_figure
from reproduce.plan import plan_figure
from reproduce.store import Store

SWEEP_FIGURE = """
title = "Two members of one batched run"
kind = "{kind}"
artifact = "samples.npz"
y = "pc_entropy"
{x}

[run]
method = "cho2d"
dataset = "gauss4"
params = {{ variant = "vcagan", sweep_repeats = 2 }}

[[series]]
key = "a"
member = 0

[[series]]
key = "b"
member = {second}
"""


def _write(tmp_path: Path, kind: str = "scatter2d", second: str = "1", x: str = "") -> Path:
    path = tmp_path / "figures" / "cho" / "9.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SWEEP_FIGURE.format(kind=kind, second=second, x=x))
    return path


def test_member_series_share_one_run_and_name_member_outputs(tmp_path):
    spec = load_figure(_write(tmp_path))
    points = plan_figure(spec, "paper")
    assert len({r.run_id for p in points for r in p.runs}) == 1
    a, b = spec.series
    assert (a.member, b.member) == (0, 1)
    assert b.metric("pc_entropy") == "pc_entropy_m1"
    assert b.artifact("samples.npz") == "samples_m1.npz"
    plain = load_figure(Path(__file__).parents[1] / "figures" / "cho" / "5.toml").series[0]
    assert plain.metric("pc_entropy") == "pc_entropy"
    assert plain.artifact("samples.npz") == "samples.npz"


@pytest.mark.parametrize("bad", ["-1", '"1"', "1.5"])
def test_bad_member_names_file_and_field(tmp_path, bad):
    with pytest.raises(SpecError) as err:
        load_figure(_write(tmp_path, second=bad))
    message = str(err.value)
    assert "9.toml" in message and "series[1].member" in message and "\n" not in message


def _finish(store: Store, run_id: str, config: dict, files: dict[str, np.ndarray],
            members: int = 2) -> None:
    store.prepare(run_id, config)
    for name, points in files.items():
        np.savez(store.run_dir(run_id) / name, points=points, codes=np.zeros(len(points)))
    store.log_eval(run_id, 1000, {f"pc_entropy_m{j}": 2.0 - j / 2 for j in range(members)})
    store.log_eval(run_id, 2000, {"pc_entropy_m0": 1.8})
    store.write_result(run_id, {"pc_entropy": 1.0}, {"wall_seconds": 1.0})


def test_member_panels_read_their_own_samples(tmp_path):
    spec = load_figure(_write(tmp_path))
    points = plan_figure(spec, "paper")
    run = points[0].runs[0]
    store = Store(tmp_path / "store")
    rng = np.random.default_rng(0)
    _finish(store, run.run_id, run.config,
            {"samples_m0.npz": rng.normal(size=(50, 2)),
             "samples_m1.npz": rng.normal(size=(50, 2))})
    paths = render_figure(spec, points, store, tmp_path / "out", "paper")
    assert all(p.stat().st_size > 5000 for p in paths)
    (store.run_dir(run.run_id) / "samples_m1.npz").unlink()
    with pytest.raises(UserError, match="series 'b'.*no artifact samples_m1.npz"):
        render_figure(spec, points, store, tmp_path / "out", "paper")


@pytest.mark.parametrize("x", ["", 'x = "params.lambda_creg"'], ids=["step", "param"])
def test_member_curves_read_their_own_metric(tmp_path, x):
    spec = load_figure(_write(tmp_path, kind="line", x=x))
    points = plan_figure(spec, "paper")
    run = points[0].runs[0]
    store = Store(tmp_path / "store")
    _finish(store, run.run_id, run.config, {})
    paths = render_figure(spec, points, store, tmp_path / "out", "paper")
    assert all(p.stat().st_size > 5000 for p in paths)
    (store.run_dir(run.run_id) / "metrics.jsonl").unlink()  # a record without member 1
    _finish(store, run.run_id, run.config, {}, members=1)
    with pytest.raises(UserError, match="series 'b'.*no metric 'pc_entropy_m1'"):
        render_figure(spec, points, store, tmp_path / "out", "paper")


def test_member_beyond_the_runs_sweep_is_refused_at_load(tmp_path):
    with pytest.raises(SpecError, match=r"series\[1\]\.member: got 2; .* allowed: 0\.\.1"):
        load_figure(_write(tmp_path, second="2"))
