"""Drawing of each figure kind from the store: curves (line, bar) here, panel grids
(hist, scatter2d, density2d) in reproduce.figure_panels, sample grids (grid) in
reproduce.figure_grid."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from reproduce.aggregate import load_evaluations, mean_std, reduce_runs
from reproduce.errors import UserError
from reproduce.figure_display import fill_params
from reproduce.figure_panels import draw_panels
from reproduce.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from reproduce.figspecs import FigureSpec, Series
    from reproduce.plan import FigurePoint


def draw(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    """A matplotlib figure for ``spec`` from the finished runs of ``points``."""
    if spec.kind in ("scatter2d", "density2d", "hist", "indexed"):
        return draw_panels(spec, points, store)
    if spec.kind == "grid":
        from reproduce.figure_grid import draw_grid

        return draw_grid(spec, points, store)
    return _curves(spec, points, store)


def _logged(evals: pd.DataFrame, metric: str, spec: FigureSpec, series: Series
            ) -> pd.DataFrame:
    """The evaluations of ``metric``; a one-line error if the finished runs logged none."""
    rows = evals[evals["metric"] == metric]
    if rows.empty:
        raise UserError(f"{spec.path}: series {series.key!r}: its finished runs logged no "
                        f"metric {metric!r}")
    return rows


def _curves(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    """Panel (a) draws ``y``; every ``[display] panels`` entry one more panel."""
    import matplotlib.pyplot as plt

    metrics = [(spec.y, spec.ylabel or spec.y, True)]
    metrics += [(p.metric, p.label, False) for p in spec.display.panels]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 4.2),
                             squeeze=False, layout="constrained")
    by_series: dict[str, list[FigurePoint]] = {}
    for p in points:
        by_series.setdefault(p.series.key, []).append(p)
    params = (store.config(points[0].done_ids(store)[0]) or {}).get("params", {})
    for ax, (metric, label, main) in zip(axes[0], metrics, strict=True):
        for pts in by_series.values():
            _series_curve(ax, spec, pts, store, metric, band=main)
        ax.set_xlabel(textwrap.fill(fill_params(spec.xlabel or spec.x, params), 60))
        ax.set_ylabel(textwrap.fill(fill_params(label, params) if main else metric, 45))
        if not main:
            ax.set_title(fill_params(label, params), fontsize=9)
        ax.legend(fontsize=7)
    return fig


def _series_curve(ax: Any, spec: FigureSpec, pts: list[FigurePoint], store: Store,
                  metric: str, band: bool) -> None:
    """One series on ``ax``: a curve over steps, or a point per x value with its spread."""
    series = pts[0].series
    if spec.x == "step":
        evals = load_evaluations(store, [rid for p in pts for rid in p.done_ids(store)])
        curve = _logged(evals, series.metric(metric), spec, series)
        curve = curve.groupby("step")["value"].mean()
        (line,) = ax.plot(curve.index, curve.values, label=series.label)
        if band and len(spec.band) == 2:
            lo, hi = (series.metric(b) for b in spec.band)
            low = _logged(evals, lo, spec, series).groupby("step")["value"].mean()
            high = _logged(evals, hi, spec, series).groupby("step")["value"].mean()
            ax.fill_between(low.index, low.values, high.values, alpha=0.2,
                            color=line.get_color(), label=f"{series.label}: min-max")
    else:
        xs, means, stds = [], [], []
        for p in pts:
            values = reduce_runs(load_evaluations(store, p.done_ids(store)),
                                 series.metric(metric), spec.reducer, spec.better)
            mean, std, n = mean_std(values.values)
            if n:
                xs.append(p.x)
                means.append(mean)
                stds.append(std)
        if not xs:  # no point of the series has a value
            _logged(load_evaluations(store, [r for p in pts for r in p.done_ids(store)]),
                    series.metric(metric), spec, series)
        if spec.kind == "bar":
            ax.bar([str(x) for x in xs], means, yerr=stds, label=series.label, alpha=0.8)
        else:
            ax.errorbar(xs, means, yerr=stds, marker="o", capsize=3, label=series.label)
    if band and series.paper:
        px, py = zip(*series.paper, strict=True)
        ax.scatter(px, py, marker="x", color="black", zorder=5,
                   label=f"{series.label} (paper)")
