"""Panel grids of 2-D samples (scatter, density) and histograms, one panel per figure
point, at most four to a row; 2-D panels share their axes and show the data set's mode
centres, and a spec's ``[display]`` may add a ground-truth panel and the learned P(C)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from reproduce.errors import UserError
from reproduce.figure_display import fill_params
from reproduce.store import Store

if TYPE_CHECKING:
    from reproduce.figspecs import FigureSpec
    from reproduce.plan import FigurePoint

COLUMNS = 4
CODE_COLOURS = "tab10"


def data_2d(dataset: str, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """Points and mode centres of a 2-D mixture data set as a run sees it (None: not 2-D)."""
    if dataset == "ring8":
        from reproduce.data.ring import make_ring

        ring = make_ring(int(params.get("data_seed", 0)), n_modes=int(params.get("n_modes", 8)),
                         variance=float(params.get("variance", 0.1)),
                         n_labelled=int(params.get("n_labelled", 16)),
                         n_unlabelled=int(params.get("n_unlabelled", 256)))
        return np.vstack([ring.x_labelled, ring.x_unlabelled]), ring.centers
    if dataset == "gauss4":
        from reproduce.data import gauss4

        points, _ = gauss4.sample(np.random.default_rng(0), 2000)
        return points, gauss4.CENTERS
    return None


def columns(n: int) -> int:
    """Panels per row: all of them up to 4, else 3 or 4, whichever leaves fewer empty."""
    if n <= COLUMNS:
        return n
    return min((COLUMNS, COLUMNS - 1), key=lambda c: (-n % c, -c))


def draw_panels(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    """A grid: the ground truth (if the spec asks for it), then one panel per point."""
    import matplotlib.pyplot as plt

    first = points[0].done_ids(store)[0]
    config = store.config(first) or {}
    data = data_2d(str(config.get("dataset", "")), config.get("params", {}))
    two_d = spec.kind in ("scatter2d", "density2d")
    truth = bool(spec.display.truth and two_d and data is not None)
    n = len(points) + truth
    ncols = columns(n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 3.8 * nrows + 1.0),
                             squeeze=False, layout="constrained")
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    samples = [_samples(spec, p, store) for p in points]
    if truth and data is not None:
        _draw_2d(flat[0], "density2d", data[0], None)
        flat[0].set_title(spec.display.truth, fontsize=8)
    codes_seen: set[int] = set()
    for ax, p, arrays in zip(flat[truth:], points, samples, strict=False):
        if spec.kind == "hist":
            ax.hist(arrays["values"], bins=30, color="C0")
        elif spec.kind == "indexed":
            _draw_indexed(ax, spec, arrays["values"])
        else:
            codes = arrays.get("codes") if spec.kind == "scatter2d" else None
            _draw_2d(ax, spec.kind, arrays["points"], codes)
            if codes is not None:
                codes_seen |= {int(c) for c in np.unique(codes)}
        ax.set_title(_panel_title(spec, p, store), fontsize=8)
    params = config.get("params", {})
    for ax in flat[:n]:
        ax.set_xlabel(fill_params(spec.xlabel, params), fontsize=8)
        ax.set_ylabel(fill_params(spec.ylabel, params), fontsize=8)
    if two_d:
        _share_limits(flat[:n], [s["points"] for s in samples], data)
        _legend(fig, flat[:n], data, sorted(codes_seen))
    return fig


def _draw_indexed(ax: Any, spec: FigureSpec, values: np.ndarray) -> None:
    """``values`` as bars against their index (e.g. one FID per class)."""
    ax.bar(np.arange(len(values)), values, width=0.8, color="C0")
    ax.set_xlabel(spec.xlabel or "index")
    ax.set_ylabel(spec.ylabel or spec.y)


def first_artifact(spec: FigureSpec, point: FigurePoint, store: Store, name: str
                   ) -> tuple[str, dict[str, Any]]:
    """The point's first finished run and its artifact ``name``; a one-line error if the
    run wrote none."""
    run = point.done_ids(store)[0]
    if not store.has_artifact(run, name):
        raise UserError(f"{spec.path}: series {point.series.key!r}: run {run} has no "
                        f"artifact {name}")
    return run, store.read_artifact(run, name)


def _samples(spec: FigureSpec, point: FigurePoint, store: Store) -> dict[str, Any]:
    return first_artifact(spec, point, store, point.series.artifact(spec.artifact))[1]


def _draw_2d(ax: Any, kind: str, pts: np.ndarray, codes: np.ndarray | None) -> None:
    import seaborn as sns

    if kind == "density2d":
        sns.kdeplot(x=pts[:, 0], y=pts[:, 1], fill=True, levels=20, thresh=0.02,
                    cmap="viridis", ax=ax)
    else:
        colours = np.zeros(len(pts)) if codes is None else codes
        ax.scatter(pts[:, 0], pts[:, 1], c=colours, s=3, cmap=CODE_COLOURS, vmin=0, vmax=9)


def _panel_title(spec: FigureSpec, point: FigurePoint, store: Store) -> str:
    ids = point.done_ids(store)  # the panel draws the first finished run's samples
    which = f"seed {(store.config(ids[0]) or {}).get('seed', 0)} of {len(ids)}"
    if point.series.member is not None:
        which = f"member {point.series.member + 1} of one batched run, {which}"
    title = f"{point.series.label}\n({which})"
    if spec.display.show_pc:
        title += "\n" + _learned_pc(point, store.result(ids[0]) or {})
    return title


def _learned_pc(point: FigurePoint, result: dict[str, Any]) -> str:
    """The run's P(C) at its end, largest first, categories of at least 1 %."""
    weights = []
    for k in range(64):
        value = result.get(point.series.metric(f"pc_{k}"))
        if not isinstance(value, int | float):
            break
        weights.append(float(value))
    if not weights:
        return "P(C): not recorded"
    shown = [f"{w:.2f}" for w in sorted((w for w in weights if w >= 0.01), reverse=True)]
    rows = [" ".join(shown[i:i + 4]) for i in range(0, len(shown), 4)]
    return "P(C) at the end, ≥ 1%: " + "\n".join(rows)


def _share_limits(axes: list[Any], clouds: list[np.ndarray],
                  data: tuple[np.ndarray, np.ndarray] | None) -> None:
    """The same square limits on every 2-D panel (robust to a few far-out samples)."""
    parts = [c[np.all(np.isfinite(c), axis=1)] for c in clouds]
    if data is not None:
        parts += [data[0], data[1]]
    every = np.vstack([p for p in parts if len(p)])
    lo, hi = np.percentile(every, 0.5, axis=0), np.percentile(every, 99.5, axis=0)
    centre, half = (lo + hi) / 2, float(np.max(hi - lo)) / 2 * 1.1
    for ax in axes:
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
        ax.set_aspect("equal", adjustable="box")
        if data is not None:
            ax.scatter(data[1][:, 0], data[1][:, 1], marker="x", color="red", s=30,
                       linewidths=1.2, zorder=5)


def _legend(fig: Any, axes: list[Any], data: tuple[np.ndarray, np.ndarray] | None,
            codes: list[int]) -> None:
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    cmap = colormaps[CODE_COLOURS]
    handles = [Line2D([], [], marker="o", linestyle="", color=cmap(c / 9 if c < 10 else 0),
                      label=f"code {c}") for c in codes]
    if data is not None:
        handles.append(Line2D([], [], marker="x", linestyle="", color="red",
                              label="mode centre of the data"))
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 9),
                   fontsize=7, title="points coloured by their categorical code" if codes
                   else None, title_fontsize=7)
    for ax in axes:
        ax.tick_params(labelsize=7)
