"""A run killed with SIGKILL at a random point resumes to the same final record."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reproduce.plan import RunSpec, run_id
from reproduce.runner import execute_run
from reproduce.store import Store

REPO = Path(__file__).resolve().parents[1]


def liu_run(steps: int = 1200) -> RunSpec:
    from methods import registry

    params = {**registry.get("liu2d").defaults, "steps": steps, "eval_every": 100,
              "checkpoint_every": 100, "n_eval_samples": 500, "hidden": 32}
    config = {"method": "liu2d", "dataset": "ring8", "params": params, "seed": 3,
              "profile": "smoke"}
    return RunSpec(run_id(config), config)


@pytest.mark.slow
def test_sigkill_at_random_step_then_resume_matches_uninterrupted(tmp_path):
    run = liu_run()
    reference = Store(tmp_path / "reference")
    reference.prepare(run.run_id, run.config)
    assert execute_run(reference.root, run.run_id) == "done"

    store = Store(tmp_path / "killed")
    store.prepare(run.run_id, run.config)
    kill_after = random.Random().randint(2, 9)  # evaluations logged before the kill
    code = f"from reproduce.runner import execute_run; execute_run({str(store.root)!r}, " \
           f"{run.run_id!r})"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    deadline = time.time() + 120
    while len(store.metrics_log(run.run_id)) < kill_after and time.time() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert store.state(run.run_id) == "failed"  # stale: its process is gone
    assert (store.run_dir(run.run_id) / "checkpoint.pt").exists()
    assert execute_run(store.root, run.run_id) == "done"
    assert store.result(run.run_id) == reference.result(run.run_id)
    assert store.metrics_log(run.run_id) == reference.metrics_log(run.run_id)
