"""`reproduce eval`: score stored checkpoints again (other metrics, the real Inception
weights, more samples) and merge the numbers into each run's record."""

from __future__ import annotations

import argparse
from typing import Any

from methods import registry
from reproduce.errors import UserError
from reproduce.runner import StoreRunContext
from reproduce.store import Store


def evaluate_run(store: Store, run_id: str, metrics: list[str],
                 options: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one finished run's last checkpoint; merge the result into its record."""
    state_now = store.state(run_id)
    if state_now != "done":
        raise UserError(f"--run: run {run_id} is {state_now}, not done; "
                        "only finished runs can be evaluated")
    ctx = StoreRunContext(store, run_id)
    info = registry.get(ctx.config["method"])
    evaluator = info.load_evaluator()
    if evaluator is None:
        raise UserError(f"--run: method {info.name!r} has no evaluator of stored checkpoints")
    state = ctx.load_checkpoint_readonly()
    if state is None:
        raise UserError(f"--run: {ctx.run_dir / 'checkpoint.pt'} is missing")
    values = evaluator(ctx, state, metrics, options)
    step = int(state.get("step", 0))
    entry = next((e for e in store.metrics_log(run_id) if e["step"] == step), {"step": step})
    store.log_eval(run_id, step, {**{k: v for k, v in entry.items() if k != "step"}, **values})
    store.merge_result(run_id, values)
    return values


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate the given runs (or every finished run of a table) with chosen metrics."""
    store = Store(args.store)
    metrics = [m for m in args.metrics.split(",") if m]
    options = {"n_samples": args.n_samples, "extractor": args.extractor}
    run_ids = list(args.run or [])
    if args.paper:
        from reproduce.commands import _plan

        run_ids += [rid for rid in _plan(args).runs if store.state(rid) == "done"]
    if not run_ids:
        raise UserError("--run or --paper/--id: no finished run to evaluate")
    for rid in run_ids:  # check them all before changing any record
        if store.state(rid) != "done":
            raise UserError(f"--run: run {rid} is {store.state(rid)}, not done; "
                            "only finished runs can be evaluated")
    for rid in run_ids:
        values = evaluate_run(store, rid, metrics, options)
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in values.items())
        print(f"{rid}: {shown}")
    return 0
