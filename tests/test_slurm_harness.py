"""The harness against a real local SLURM (see slurm/local/; marker `slurm`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reproduce.launch import submit, wait
from reproduce.plan import RunSpec, run_id
from reproduce.runner import execute_run
from reproduce.store import Store

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]
SLURM = {"partition": "debug", "cpus_per_task": 1, "mem_gb": 2, "time_min": 10,
         "array_parallelism": 2, "additional": {}}


def liu_run(seed: int = 0, **params) -> RunSpec:
    from methods import registry

    p = {**registry.get("liu2d").defaults, "steps": 1500, "eval_every": 100,
         "checkpoint_every": 50, "n_eval_samples": 500, "hidden": 32, **params}
    config = {"method": "liu2d", "dataset": "ring8", "params": p, "seed": seed,
              "profile": "smoke"}
    return RunSpec(run_id(config), config)


def until(predicate, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "timed out waiting"
        time.sleep(0.2)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reproduce", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


def test_smoke_table_as_one_slurm_array_detached_then_reattached(slurm_cluster, tmp_path):
    store = tmp_path / "store"
    table = ("--paper", "liu", "--id", "1", "--profile", "smoke", "--store", str(store))
    t0 = time.time()
    out = cli("table", *table, "--executor", "slurm", "--detach")
    assert out.returncode == 0 and "submitted" in out.stderr and time.time() - t0 < 30
    waited = cli("wait", *table)
    assert waited.returncode == 0 and "6 done, 0 failed" in waited.stdout
    status = cli("status", *table)
    assert status.stdout.count("2 done") == 15  # 3 rows x 5 columns
    out = cli("table", *table, "--no-run", "--format", "json")
    assert out.returncode == 0, out.stderr[-2000:]
    cells = json.loads(out.stdout)["rows"]
    assert all(c["status"] == "done" and c["n"] == 2 for c in cells)
    (submission,) = [json.loads(p.read_text()) for p in (store / "submissions").glob("*.json")]
    assert submission["executor"] == "slurm" and len(submission["job_ids"]) == 6
    array_ids = {j.split("_")[0] for j in submission["job_ids"]}
    assert len(array_ids) == 1, "the runs of a table go out as one array job"
    provenance = json.loads(next(store.glob("runs/*/provenance.json")).read_text())
    assert provenance["wall_seconds"] > 0


def interrupt_then_compare(tmp_path: Path, seed: int, command: list[str],
                           check_pending: bool = False) -> None:
    """Train a run on SLURM, interrupt it with ``command + [job id]`` once it has a
    checkpoint, wait, and compare its record with an uninterrupted run's."""
    run = liu_run(seed=seed)
    reference = Store(tmp_path / "reference")
    reference.prepare(run.run_id, run.config)
    execute_run(reference.root, run.run_id)

    store = Store(tmp_path / "store")
    submission = submit([run], store, "slurm", slurm_profile=SLURM)
    until(lambda: (store.run_dir(run.run_id) / "checkpoint.pt").exists()
          and len(store.metrics_log(run.run_id)) >= 3)
    subprocess.run([*command, store.status(run.run_id)["job_id"]], check=True, timeout=30)
    if check_pending:  # submitit's checkpoint() ran: the run waits, it never failed
        until(lambda: store.status(run.run_id).get("reason", "").startswith(
            ("requeued", "interrupted")))
        assert store.state(run.run_id) in ("pending", "running")
    states = wait([run.run_id], store, submission, progress=False)
    assert states[run.run_id] == "done"
    assert store.result(run.run_id) == reference.result(run.run_id)
    assert store.metrics_log(run.run_id) == reference.metrics_log(run.run_id)


def test_requeued_task_resumes_to_the_uninterrupted_record(slurm_cluster, tmp_path):
    interrupt_then_compare(tmp_path, 5, ["scontrol", "requeue"])


def test_preempted_task_checkpoints_requeues_and_resumes(slurm_cluster, tmp_path):
    """The preemption signal (USR2) goes through submitit's checkpoint/requeue path."""
    interrupt_then_compare(tmp_path, 6, ["scancel", "--signal=USR2"], check_pending=True)


def test_raising_task_is_reported_failed_with_its_reason(slurm_cluster, tmp_path):
    run = liu_run(hidden=-4)  # an impossible network width: the trainer raises
    store = Store(tmp_path / "store")
    states = wait([run.run_id], store, submit([run], store, "slurm", slurm_profile=SLURM),
                  progress=False)
    assert states[run.run_id] == "failed"
    reason = store.status(run.run_id)["reason"]
    assert reason and "Error" in reason


def test_sigkilled_task_is_failed_and_wait_does_not_hang(slurm_cluster, tmp_path):
    run = liu_run(seed=7, steps=100000)
    store = Store(tmp_path / "store")
    submit([run], store, "slurm", slurm_profile=SLURM)
    until(lambda: store.status(run.run_id).get("state") == "running"
          and len(store.metrics_log(run.run_id)) >= 1)
    os.kill(int(store.status(run.run_id)["pid"]), signal.SIGKILL)
    t0 = time.time()
    states = wait([run.run_id], store, progress=False)  # reattach from the store
    assert states[run.run_id] == "failed" and time.time() - t0 < 120
    assert "SLURM job" in store.status(run.run_id)["reason"]
