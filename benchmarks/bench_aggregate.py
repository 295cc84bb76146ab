"""Aggregate and render a store of 10,000 synthetic run records.

Reports the harness's time (store -> cell frame -> rendered table) and, in the same run,
the time pandas alone takes to read the same metrics logs (``pd.read_json(lines=True)``
per run, then one ``concat``), and their ratio. The records are synthetic: this measures
bookkeeping speed only, never a reproduced number.

    python benchmarks/bench_aggregate.py [--runs 10000] [--evals 10]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from reproduce.aggregate import cell_frame
from reproduce.plan import plan_table
from reproduce.render import render
from reproduce.specs import load_table
from reproduce.store import Store

SPEC = """
title = "Benchmark table"
seeds = {seeds}
[[metrics]]
name = "modes"
better = "higher"
[[metrics]]
name = "reverse_kl"
better = "lower"
[run]
method = "liu2d"
{columns}
{rows}
"""


def make_spec(root: Path, n_rows: int, seeds: int) -> Path:
    columns = "".join(
        f'[[columns]]\nkey = "{k}"\nmetric = "{m}"\nreducer = "{r}"\n'
        for k, m, r in [("m_last", "modes", "last"), ("m_best", "modes", "best"),
                        ("k_last", "reverse_kl", "last"), ("k_l5", "reverse_kl", "last_k:5")])
    rows = "".join(f'[[rows]]\nkey = "r{i}"\noverrides = {{ params = {{ gamma = {0.1 + i} }} }}\n'
                   f'paper = {{ m_last = "7.5±0.5" }}\n' for i in range(n_rows))
    path = root / "tables" / "liu" / "bench.toml"
    path.parent.mkdir(parents=True)
    path.write_text(SPEC.format(seeds=seeds, columns=columns, rows=rows))
    return path


def fill_store(store: Store, plan, n_evals: int, rng: np.random.Generator) -> list[Path]:
    paths = []
    for rid, run in plan.runs.items():
        run_dir = store.run_dir(rid)
        run_dir.mkdir(parents=True)
        (run_dir / "config.json").write_text(json.dumps(run.config))
        lines = [json.dumps({"step": 100 * (s + 1), "modes": float(rng.integers(0, 9)),
                             "reverse_kl": float(rng.random())}) for s in range(n_evals)]
        (run_dir / "metrics.jsonl").write_text("\n".join(lines) + "\n")
        (run_dir / "status.json").write_text(json.dumps({"state": "done"}))
        (run_dir / "result.json").write_text(lines[-1])
        paths.append(run_dir / "metrics.jsonl")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--evals", type=int, default=10)
    args = parser.parse_args()
    n_rows = 20
    seeds = args.runs // n_rows
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spec = load_table(make_spec(root, n_rows, seeds))
        plan = plan_table(spec, "paper")
        store = Store(root / "store")
        paths = fill_store(store, plan, args.evals, np.random.default_rng(0))

        t0 = time.perf_counter()
        frame = cell_frame(plan, store)
        text = render(frame, spec, "paper", "text")
        harness_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        raw = pd.concat([pd.read_json(p, lines=True) for p in paths], ignore_index=True)
        pandas_s = time.perf_counter() - t0

    print(f"runs: {len(plan.runs)}  evaluations: {len(raw)}  cells: {len(frame)}  "
          f"rendered lines: {len(text.splitlines())}")
    print(f"harness (read store, reduce, aggregate, render): {harness_s:.2f} s")
    print(f"pandas alone (read_json per run + concat):       {pandas_s:.2f} s")
    print(f"ratio harness / pandas-read: {harness_s / pandas_s:.2f}")


if __name__ == "__main__":
    main()
