"""`reproduce eval`: score stored checkpoints again (other metrics, the real Inception
weights, more samples) and merge the numbers into each run's record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from methods import registry
from reproduce.errors import UserError
from reproduce.runner import StoreRunContext
from reproduce.store import Store


def evaluate_run(store: Store, run_id: str, metrics: list[str],
                 options: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one finished run's last checkpoint; merge the result into its record."""
    _check_done(store, run_id)
    ctx = StoreRunContext(store, run_id)
    info = registry.get(ctx.config["method"])
    evaluator = info.load_evaluator()
    if evaluator is None:
        raise UserError(f"--run: method {info.name!r} has no evaluator of stored checkpoints")
    state = ctx.load_checkpoint_readonly()
    if state is None:
        raise UserError(f"--run: run {run_id} has no checkpoint to evaluate (was it trained "
                        "here, or copied without its checkpoint?)")
    try:
        values = evaluator(ctx, state, metrics, options)
    except ValueError as err:  # the evaluator's own list of what it can score
        raise UserError(f"--metrics: run {run_id}: {err}") from None
    step = int(state.get("step", 0))
    entry = next((e for e in store.metrics_log(run_id) if e["step"] == step), {"step": step})
    store.log_eval(run_id, step, {**{k: v for k, v in entry.items() if k != "step"}, **values})
    store.merge_result(run_id, values)
    return values


def check_request(store: Store, run_ids: list[str], metrics: list[str],
                  extractor: str) -> None:
    """Every run finished, with a method that evaluates checkpoints and produces every
    metric asked for; the extractor known. Checked before any record changes."""
    from reproduce.metrics.extractors import available_extractors

    if not run_ids:
        raise UserError("--run or --paper/--id: no finished run to evaluate")
    if not metrics:
        raise UserError("--metrics: empty; allowed: comma-separated metric names")
    if extractor and extractor not in available_extractors():
        raise UserError(f"--extractor: unknown extractor {extractor!r}; allowed: "
                        f"{', '.join(available_extractors())}")
    for rid in run_ids:
        _check_done(store, rid)
        info = registry.get((store.config(rid) or {}).get("method", ""))
        if not info.evaluator:
            raise UserError(f"--run: run {rid}: method {info.name!r} has no evaluator of "
                            "stored checkpoints")
        unknown = [m for m in metrics if m not in info.metrics]
        if unknown:
            raise UserError(f"--metrics: {', '.join(map(repr, unknown))} unknown to method "
                            f"{info.name!r} (run {rid}); allowed: {', '.join(info.metrics)}")


def evaluate_runs(store: Store, run_ids: list[str], metrics: list[str], extractor: str = "",
                  n_samples: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """Check the whole request, then evaluate each run in turn: (run id, its values)."""
    run_ids = list(dict.fromkeys(run_ids))
    check_request(store, run_ids, metrics, extractor)
    options = {"n_samples": n_samples, "extractor": extractor}
    for rid in run_ids:
        yield rid, evaluate_run(store, rid, metrics, options)


def _check_done(store: Store, run_id: str) -> None:
    state = store.state(run_id)
    if state != "done":
        raise UserError(f"--run: run {run_id} is {state}, not done; "
                        "only finished runs can be evaluated")
