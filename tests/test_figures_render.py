"""What a rendered figure shows: grids, shared 2-D axes with a ground-truth panel and mode
centres, the learned P(C) per panel, decomposed-term panels, labels filled from the run's
parameters, and a title that says when the paper's figure has no numbers."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

from reproduce import figure_kinds
from reproduce.data.ring import make_ring
from reproduce.figspecs import load_figure
from reproduce.figures import heading, render_figure
from reproduce.plan import plan_figure
from reproduce.store import Store

matplotlib.use("Agg")

SWEEP = """
title = "Eight members"
kind = "scatter2d"
artifact = "samples.npz"
[display]
show_pc = true
[run]
method = "cho2d"
dataset = "gauss4"
params = {{ variant = "vcagan", sweep_repeats = 8 }}
{series}
"""

RING = """
title = "Ring"
kind = "density2d"
artifact = "samples.npz"
[display]
truth = "(a) Ground truth"
[run]
method = "liu2d"
dataset = "ring8"
[[series]]
key = "base"
overrides = { params = { recg_weight = 0.0 } }
[[series]]
key = "recg"
overrides = { params = { recg_weight = 1.0 } }
"""

CURVES = """
title = "Score and its terms"
kind = "line"
y = "modes"
xlabel = "step of {params.steps}"
[display]
paper_extractor = "ResNet-50"
panels = [{ metric = "hq_percent", label = "(b) HQ" }, { metric = "reverse_kl", label = "(c) rKL" }]
[run]
method = "liu2d"
dataset = "ring8"
params = { steps = 40 }
[[series]]
key = "base"
"""


def _spec(tmp_path: Path, paper: str, text: str):
    path = tmp_path / "figures" / paper / "9.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return load_figure(path)


def _finish(store: Store, points, arrays_of, metrics_of) -> None:
    for p in points:
        for run in p.runs:
            if store.state(run.run_id) == "done":
                continue
            store.prepare(run.run_id, run.config)
            for name, arrays in arrays_of(p).items():
                store.save_artifact(run.run_id, name, **arrays)
            for step, values in metrics_of(p):
                store.log_eval(run.run_id, step, values)
            store.write_result(run.run_id, dict(metrics_of(p)[-1][1]), {"wall_seconds": 1.0})


def _visible(fig) -> list:
    return [ax for ax in fig.axes if ax.axison]


def test_eight_members_make_a_two_by_four_grid_with_their_pc(tmp_path):
    series = "\n".join(f'[[series]]\nkey = "m{j}"\nmember = {j}' for j in range(8))
    spec = _spec(tmp_path, "cho", SWEEP.format(series=series))
    points = plan_figure(spec, "paper")
    rng = np.random.default_rng(0)
    pc = {f"pc_{k}_m{j}": w for j in range(8)
          for k, w in enumerate([0.4, 0.3, 0.2, 0.1, 0.001, 0, 0, 0])}
    _finish(Store(tmp_path / "s"), points,
            lambda p: {f"samples_m{j}.npz": {"points": rng.normal(size=(50, 2)),
                                             "codes": np.arange(50) % 4} for j in range(8)},
            lambda p: [(100, pc)])
    fig = figure_kinds.draw(spec, points, Store(tmp_path / "s"))
    axes = _visible(fig)
    rows = {round(ax.get_position().y0, 2) for ax in axes}
    cols = {round(ax.get_position().x0, 2) for ax in axes}
    assert len(axes) == 8 and len(rows) == 2 and len(cols) == 4
    assert all("P(C) at the end, ≥ 1%: 0.40 0.30 0.20 0.10" in ax.get_title() for ax in axes)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["code 0", "code 1", "code 2", "code 3", "mode centre of the data"]


def test_ring_figure_has_ground_truth_first_shared_limits_and_centres(tmp_path):
    spec = _spec(tmp_path, "liu", RING)
    points = plan_figure(spec, "paper")
    ring = make_ring(0)
    store = Store(tmp_path / "s")
    _finish(store, points,
            lambda p: {"samples.npz": {"points": ring.x_unlabelled * 1.1,
                                       "codes": ring.y_unlabelled}},
            lambda p: [(10, {"modes": 8.0})])
    fig = figure_kinds.draw(spec, points, store)
    axes = _visible(fig)
    assert [ax.get_title().split("\n")[0] for ax in axes] == ["(a) Ground truth", "base", "recg"]
    assert len({ax.get_xlim() for ax in axes}) == 1 and len({ax.get_ylim() for ax in axes}) == 1
    for ax in axes:  # the 8 mode centres are drawn on every panel
        marks = [c for c in ax.collections if len(c.get_offsets()) == 8]
        assert marks and np.allclose(np.sort(marks[-1].get_offsets(), axis=0),
                                     np.sort(ring.centers, axis=0))


def test_a_panel_names_the_seed_it_draws_when_seed_0_did_not_finish(tmp_path):
    spec = _spec(tmp_path, "liu", RING)
    points = plan_figure(spec, "paper", seeds=2)
    ring = make_ring(0)
    store = Store(tmp_path / "s")
    seed_1 = [type(p)(p.series, p.x, p.runs[1:]) for p in points]
    _finish(store, seed_1, lambda p: {"samples.npz": {"points": ring.x_unlabelled}},
            lambda p: [(10, {"modes": 8.0})])
    titles = [ax.get_title() for ax in _visible(figure_kinds.draw(spec, points, store))]
    assert titles[1:] == ["base\n(seed 1 of 1)", "recg\n(seed 1 of 1)"]


def test_curves_draw_their_decomposed_terms_and_fill_labels_from_params(tmp_path):
    spec = _spec(tmp_path, "liu", CURVES)
    points = plan_figure(spec, "paper")
    store = Store(tmp_path / "s")
    log = [(s, {"modes": 6.0 + s / 20, "hq_percent": 90.0, "reverse_kl": 0.1 / s})
           for s in (10, 20, 40)]
    _finish(store, points, lambda p: {}, lambda p: log)
    fig = figure_kinds.draw(spec, points, store)
    axes = _visible(fig)
    assert [ax.get_title() for ax in axes[1:]] == ["(b) HQ", "(c) rKL"]
    assert axes[0].get_xlabel() == "step of 40"
    assert list(axes[2].get_lines()[0].get_ydata()) == pytest.approx([0.01, 0.005, 0.0025])


def test_title_says_when_the_paper_gives_no_numbers_and_names_a_substitute(tmp_path):
    spec = _spec(tmp_path, "liu", CURVES)
    points = plan_figure(spec, "paper")
    store = Store(tmp_path / "s")
    _finish(store, points, lambda p: {},
            lambda p: [(10, {"modes": 6.0, "modes_extractor": "toy net"})])
    text = heading(spec, points, store, "smoke", 200)
    assert "toy scale, not comparable with the paper" in text
    assert "modes by toy net (a SUBSTITUTE for the paper's ResNet-50)" in text
    assert "The paper's figure prints no numbers" in text
    with_numbers = _spec(tmp_path / "b", "liu", CURVES.replace(
        'key = "base"', 'key = "base"\npaper = [[10, 6.0]]'))
    assert "prints no numbers" not in heading(with_numbers, points, store, "paper", 200)


def test_render_writes_png_and_pdf_under_the_output_folder(tmp_path):
    spec = _spec(tmp_path, "liu", CURVES)
    points = plan_figure(spec, "paper")
    store = Store(tmp_path / "s")
    _finish(store, points, lambda p: {}, lambda p: [(10, {"modes": 6.0, "hq_percent": 1.0,
                                                          "reverse_kl": 0.1})])
    paths = render_figure(spec, points, store, tmp_path / "out", "paper")
    assert [p.name for p in paths] == ["9-paper.png", "9-paper.pdf"]
    assert all(p.parent == tmp_path / "out" / "liu" and p.stat().st_size > 5000 for p in paths)


def test_panel_rows_hold_three_or_four_leaving_the_fewest_empty():
    from reproduce.figure_panels import columns

    assert [columns(n) for n in (1, 3, 4, 5, 6, 7, 8, 9, 12)] == [1, 3, 4, 3, 3, 4, 4, 3, 4]
