"""Runs -> long-form pandas frame -> per-run reducers -> per-cell mean ± std over seeds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from reproduce.plan import Plan
from reproduce.store import Store


def load_evaluations(store: Store, run_ids: Iterable[str]) -> pd.DataFrame:
    """Every numeric evaluation of the given runs, long form: run_id, step, metric, value."""
    return store.metrics_frame(run_ids)


def reduce_runs(evals: pd.DataFrame, metric: str, reducer: str, better: str) -> pd.Series:
    """One value per run from its evaluations of ``metric``.

    ``last``: the last evaluation; ``best``: the best seen during training (max when
    higher is better, else min); ``last_k:K``: the mean of the last K evaluations.
    """
    sel = evals[evals["metric"] == metric].sort_values(["run_id", "step"], kind="stable")
    groups = sel.groupby("run_id", sort=False)["value"]
    if reducer == "last":
        return sel.drop_duplicates("run_id", keep="last").set_index("run_id")["value"]
    if reducer == "best":
        return groups.max() if better == "higher" else groups.min()
    if reducer.startswith("last_k:"):
        k = int(reducer.split(":")[1])
        return sel.groupby("run_id", sort=False).tail(k).groupby("run_id", sort=False)[
            "value"].mean()
    raise ValueError(f"unknown reducer {reducer!r}")


def mean_std(values: Iterable[float]) -> tuple[float, float, int]:
    """Mean, sample standard deviation (ddof=1; 0 for one value) and count."""
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0:
        return float("nan"), float("nan"), 0
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return float(arr.mean()), std, int(arr.size)


def cell_frame(plan: Plan, store: Store, rescored: str = "") -> pd.DataFrame:
    """One row per table cell: paper value, reproduced mean ± std (n), difference, status.
    ``rescored``: read each metric under the key suffix `reproduce eval` gave it (e.g.
    ``_inception``), and its extractor from ``<metric>_extractor<suffix>``."""
    spec = plan.spec
    all_ids = list(plan.runs)
    states = {rid: store.status(rid) for rid in all_ids}
    done = [rid for rid in all_ids if states[rid]["state"] == "done"]
    evals = load_evaluations(store, done)
    results = {rid: store.result(rid) or {} for rid in done}
    devices = {rid: str(store.provenance(rid).get("device", "")) for rid in done}
    reduced: dict[tuple[str, str, str], pd.Series] = {}
    rows: list[dict[str, Any]] = []
    for cell in plan.cells:
        metric = spec.metrics[cell.column.metric]
        key = (metric.name + rescored, cell.column.reducer, metric.better)
        if key not in reduced:
            reduced[key] = reduce_runs(evals, *key)
        per_run = reduced[key]
        ok = [rid for rid in cell.run_ids
              if rid in per_run.index and np.isfinite(per_run.loc[rid])]
        nonfinite = [rid for rid in cell.run_ids
                     if rid in per_run.index and not np.isfinite(per_run.loc[rid])]
        failed = [rid for rid in cell.run_ids
                  if states[rid]["state"] in ("failed", "corrupt")] + nonfinite
        for rid in nonfinite:  # a diverged value is a failure, never averaged in
            states[rid] = {**states[rid], "reason": f"non-finite {metric.name}"}
        mean, std, n = mean_std(per_run.loc[ok]) if ok else (np.nan, np.nan, 0)
        paper = cell.row.paper.get(cell.column.key)
        paper_value = paper.value if paper else None
        rows.append({
            "row": cell.row.key, "row_label": cell.row.label,
            "column": cell.column.key, "column_label": cell.column.label,
            "metric": metric.name, "better": metric.better, "reducer": cell.column.reducer,
            "paper_text": paper.text if paper else "",
            "paper_value": paper_value, "paper_std": paper.std if paper else None,
            "mean": mean, "std": std, "n": n, "n_planned": len(cell.run_ids),
            "n_failed": len(failed),
            "diff": (mean - paper_value) if (n and paper_value is not None) else np.nan,
            "status": _cell_status(cell.kind, len(cell.run_ids), n, len(failed))
            if n or not _all_done(cell.run_ids, states)
            else f"n/a: runs write no {metric.name}{rescored}",
            "reasons": sorted({states[r].get("reason", "") for r in failed} - {""}),
            "profile": plan.profile,
            "extractor": _extractor(results, ok, f"{metric.name}_extractor{rescored}"),
            "rescored": rescored,
            "device": ", ".join(sorted({devices[r] for r in ok} - {""})),
            "paper_extractor": metric.extractor,
            "pending": cell.row.pending,
        })
    return pd.DataFrame(rows)


def _all_done(run_ids: tuple[str, ...], states: dict[str, dict[str, Any]]) -> bool:
    """Whether every run of a cell finished (so a value it lacks will never come)."""
    return bool(run_ids) and all(states[r]["state"] == "done" for r in run_ids)


def _cell_status(kind: str, planned: int, n: int, failed: int) -> str:
    if kind != "trainable":
        return kind
    if n == planned:
        return "done"
    if failed and n + failed == planned:
        return "failed" if n == 0 else "partial"
    return "missing" if n == 0 else "partial"


def _extractor(results: dict[str, dict[str, Any]], run_ids: list[str], field: str) -> str:
    names = {str(results[r].get(field, "")) for r in run_ids} - {""}
    return ", ".join(sorted(names))
