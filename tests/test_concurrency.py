"""Many `table` processes on one store; Ctrl-C to the main process; workers and threads."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reproduce.store import Store

REPO = Path(__file__).resolve().parents[1]
LIU = ["--paper", "liu", "--id", "1", "--profile", "smoke", "--seeds", "1"]


def table(store: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reproduce", "table", *LIU, "--store",
                             str(store), "--format", "json", *extra], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def processes_using(path: Path) -> list[int]:
    """Live processes whose command line names ``path`` (workers, controllers)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(path) in cmd and state not in ("Z", "X"):
            found.append(int(proc.name))
    return found


@pytest.mark.slow
def test_eight_concurrent_tables_train_each_run_once_and_agree(tmp_path):
    store = tmp_path / "store"
    procs = [table(store, "--workers", "1") for _ in range(8)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    assert len({out for out, _ in outs}) == 1  # identical tables
    cells = json.loads(outs[0][0])["rows"]
    assert all(c["status"] == "done" and c["n"] == 1 for c in cells)
    runs = Store(store)
    ids = list(runs.run_ids())
    assert len(ids) == 3
    for rid in ids:
        status = runs.status(rid)
        assert status["state"] == "done" and len(status["segments"]) == 1  # trained once
        assert runs.provenance(rid)["segments"] == 1
    again = table(store, "--no-run")
    assert again.communicate(timeout=120)[0] == outs[0][0]


@pytest.mark.slow
def test_sigint_to_the_main_process_stops_its_workers(tmp_path):
    store = tmp_path / "store"
    proc = table(store, "--workers", "2")
    runs = Store(store)
    deadline = time.time() + 120
    while time.time() < deadline and not any(
            runs.state(r) == "running" for r in runs.run_ids()):
        time.sleep(0.2)
    assert any(runs.state(r) == "running" for r in runs.run_ids()), "nothing started"
    os.kill(proc.pid, signal.SIGINT)  # the main process only, as `kill -INT` does
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "interrupted" in err
    deadline = time.time() + 10
    while processes_using(store) and time.time() < deadline:
        time.sleep(0.2)
    assert processes_using(store) == []
    states = {r: runs.status(r) for r in runs.run_ids()}
    assert all(s["state"] in ("pending", "done") for s in states.values()), states
    for rid, s in states.items():  # "resumes from its checkpoint" only where one exists
        if s["state"] == "pending":
            assert ("resumes from its checkpoint" in s["reason"]) == runs.has_checkpoint(rid)


@pytest.mark.slow
def test_workers_1_and_2_give_bit_identical_results(tmp_path):
    """The watanabe smoke run the thread count once made differ (both tables at once)."""
    watanabe = ["--paper", "watanabe", "--id", "2", "--profile", "smoke", "--seeds", "1"]
    procs = {w: subprocess.Popen([sys.executable, "-m", "reproduce", "table", *watanabe,
                                  "--store", str(tmp_path / f"w{w}"), "--workers", w],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for w in ("1", "2")}
    results = []
    for w, proc in procs.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        runs = Store(tmp_path / f"w{w}")
        results.append({rid: (runs.result(rid), runs.metrics_log(rid))
                        for rid in runs.run_ids()})
    assert results[0] and results[0] == results[1]
