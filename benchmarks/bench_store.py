"""How many runs per second the store claims and finishes with many concurrent writers.

Each writer process walks the same runs in its own order: claim, mark running, log two
evaluations, write the result, release. Every run must be finished exactly once and the
store must hold 0 corrupt records (``doctor``). Baseline: one writer doing the same work.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import tempfile
import time
from pathlib import Path

from reproduce.doctor import check_store
from reproduce.plan import run_id
from reproduce.store import Store


def configs(n: int) -> dict[str, dict]:
    made = [{"method": "m", "dataset": "d", "params": {"i": i}, "seed": 0, "profile": "smoke"}
            for i in range(n)]
    return {run_id(c): c for c in made}


def writer(root: str, runs: dict[str, dict], seed: int, start: mp.Barrier | None) -> int:
    """Claim and finish what this writer can; returns how many runs it finished."""
    store = Store(root)
    order = list(runs)
    random.Random(seed).shuffle(order)
    if start is not None:
        start.wait()
    finished = 0
    for rid in order:
        store.prepare(rid, runs[rid])
        if store.state(rid) == "done" or not store.claim(rid):
            continue
        try:
            if store.state(rid) == "done":
                continue
            store.mark_running(rid)
            store.log_eval(rid, 1, {"fid": 2.0})
            store.log_eval(rid, 2, {"fid": 1.0})
            store.write_result(rid, {"fid": 1.0}, {"wall_seconds": store.wall_seconds(rid)})
            finished += 1
        finally:
            store.release(rid)
    return finished


def _worker(root: str, runs: dict[str, dict], seed: int, start: mp.Barrier,
            out: mp.Queue) -> None:
    out.put(writer(root, runs, seed, start))


def concurrent(root: Path, runs: dict[str, dict], writers: int) -> tuple[float, int]:
    ctx = mp.get_context("fork")
    start, out = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(root), runs, s, start, out))
             for s in range(writers)]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    counts = [out.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    return elapsed, sum(counts)


def check(root: Path, runs: dict[str, dict]) -> tuple[int, int]:
    """(runs not finished exactly once, problems doctor finds)."""
    store = Store(root)
    wrong = sum(store.state(r) != "done" or len(store.status(r).get("segments", [])) != 1
                for r in runs)
    return wrong, len(check_store(store))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=320)
    parser.add_argument("--writers", type=int, default=32)
    args = parser.parse_args()
    runs = configs(args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        single = writer(str(Path(tmp) / "single"), runs, 0, None)
        single_s = time.perf_counter() - t0
        many_s, finished = concurrent(Path(tmp) / "many", runs, args.writers)
        wrong, problems = check(Path(tmp) / "many", runs)
    print(f"runs: {len(runs)}; writers: {args.writers}; finished: {finished} "
          f"(each exactly once: {'yes' if wrong == 0 and finished == len(runs) else 'NO'}); "
          f"corrupt or inconsistent records: {problems}")
    one, many = single / single_s, finished / many_s
    print(f"1 writer:  {one:8.1f} runs/s claimed+finished")
    print(f"{args.writers} writers: {many:8.1f} runs/s claimed+finished")
    print(f"ratio {args.writers} writers / 1 writer: {many / one:.2f}")
    return 0 if wrong == 0 and problems == 0 and finished == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
