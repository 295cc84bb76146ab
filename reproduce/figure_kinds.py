"""Drawing of each figure kind (line, bar, hist, scatter2d, density2d) from the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from reproduce.aggregate import load_evaluations, mean_std, reduce_runs
from reproduce.errors import UserError
from reproduce.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from reproduce.figspecs import FigureSpec, Series
    from reproduce.plan import FigurePoint


def draw(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    """A matplotlib figure for ``spec`` from the finished runs of ``points``."""
    if spec.kind in ("scatter2d", "density2d", "hist"):
        return _panels(spec, points, store)
    return _curves(spec, points, store)


def _done_ids(point: FigurePoint, store: Store) -> list[str]:
    return [r.run_id for r in point.runs if store.state(r.run_id) == "done"]


def _logged(evals: pd.DataFrame, metric: str, spec: FigureSpec, series: Series
            ) -> pd.DataFrame:
    """The evaluations of ``metric``; a one-line error if the finished runs logged none."""
    rows = evals[evals["metric"] == metric]
    if rows.empty:
        raise UserError(f"{spec.path}: series {series.key!r}: its finished runs logged no "
                        f"metric {metric!r}")
    return rows


def _curves(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    by_series: dict[str, list[FigurePoint]] = {}
    for p in points:
        by_series.setdefault(p.series.key, []).append(p)
    for pts in by_series.values():
        series = pts[0].series
        if spec.x == "step":
            ids = [rid for p in pts for rid in _done_ids(p, store)]
            evals = load_evaluations(store, ids)
            curve = _logged(evals, series.metric(spec.y), spec, series)
            curve = curve.groupby("step")["value"].mean()
            (line,) = ax.plot(curve.index, curve.values, label=series.label)
            if len(spec.band) == 2:
                lo, hi = (series.metric(b) for b in spec.band)
                low = _logged(evals, lo, spec, series).groupby("step")["value"].mean()
                high = _logged(evals, hi, spec, series).groupby("step")["value"].mean()
                ax.fill_between(low.index, low.values, high.values, alpha=0.2,
                                color=line.get_color())
        else:
            xs, means, stds = [], [], []
            for p in pts:
                values = reduce_runs(load_evaluations(store, _done_ids(p, store)),
                                     series.metric(spec.y), spec.reducer, spec.better)
                mean, std, n = mean_std(values.values)
                if n:
                    xs.append(p.x)
                    means.append(mean)
                    stds.append(std)
            if not xs:  # no point of the series has a value
                _logged(load_evaluations(store, [r for p in pts for r in _done_ids(p, store)]),
                        series.metric(spec.y), spec, series)
            if spec.kind == "bar":
                ax.bar([str(x) for x in xs], means, yerr=stds, label=series.label, alpha=0.8)
            else:
                ax.errorbar(xs, means, yerr=stds, marker="o", capsize=3, label=series.label)
        if series.paper:
            px, py = zip(*series.paper, strict=True)
            ax.scatter(px, py, marker="x", color="black", zorder=5,
                       label=f"{series.label} (paper)")
    ax.set_xlabel(spec.xlabel or spec.x)
    ax.set_ylabel(spec.ylabel or spec.y)
    ax.legend(fontsize=7)
    return fig


def _panels(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    import matplotlib.pyplot as plt
    import seaborn as sns

    n = len(points)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.4), squeeze=False)
    for ax, p in zip(axes[0], points, strict=True):
        ids = _done_ids(p, store)
        path = store.run_dir(ids[0]) / p.series.artifact(spec.artifact)
        if not path.exists():
            raise UserError(f"{spec.path}: series {p.series.key!r}: run {ids[0]} has no "
                            f"artifact {path.name}")
        data = np.load(path)
        if spec.kind == "hist":
            ax.hist(data["values"], bins=30, color="C0")
        elif spec.kind == "scatter2d":
            codes = data["codes"] if "codes" in data.files else np.zeros(len(data["points"]))
            ax.scatter(data["points"][:, 0], data["points"][:, 1], c=codes, s=3, cmap="tab10")
            ax.set_aspect("equal", adjustable="datalim")
        else:
            pts = data["points"]
            sns.kdeplot(x=pts[:, 0], y=pts[:, 1], fill=True, levels=20, thresh=0.02,
                        cmap="viridis", ax=ax)
            ax.set_aspect("equal", adjustable="datalim")
        which = f"seed 0 of {len(ids)}"
        if p.series.member is not None:
            which = f"member {p.series.member + 1} of one batched run, {which}"
        ax.set_title(f"{p.series.label}\n({which})", fontsize=8)
    return fig
