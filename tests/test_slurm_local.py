"""Tests against a real single-node SLURM cluster (with accounting) on localhost.

The cluster is started outside pytest by ``slurm/local/start.sh RUNDIR`` (see
slurm/local/README.md); point the tests at it with::

    REPRODUCE_SLURM_RUNDIR=RUNDIR python -m pytest -m slurm tests/test_slurm_local.py

Without REPRODUCE_SLURM_RUNDIR every test here is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
import submitit

pytestmark = pytest.mark.slurm

RUNDIR_ENV = "REPRODUCE_SLURM_RUNDIR"

# The job functions below live in this test module, which the job's Python
# cannot import (tests/ is not on its sys.path): pickle them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture
def executor(slurm_cluster: Path, tmp_path: Path) -> submitit.AutoExecutor:
    ex = submitit.AutoExecutor(folder=tmp_path / "submitit", cluster="slurm")
    ex.update_parameters(timeout_min=5, cpus_per_task=1)
    return ex


# ------------------------------------------------------------ job bodies ----


def _square(x: int) -> int:
    return x * x


def _raise(message: str) -> None:
    raise ValueError(message)


def _sigkill_self() -> None:
    os.kill(os.getpid(), 9)


# --------------------------------------------------------------- helpers ----


def _call_with_timeout(fn: Callable[[], Any], timeout_s: float) -> tuple[Any, BaseException | None]:
    """Run fn() in a daemon thread; fail the test if it takes over timeout_s."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        pytest.fail(f"call did not return within {timeout_s}s (hangs?)")
    return box.get("value"), box.get("error")


def _sacct_state(job_id: str, timeout_s: float = 20.0) -> str:
    """The job's final state in accounting (waits for a terminal state)."""
    deadline = time.monotonic() + timeout_s
    state = ""
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["sacct", "-n", "-X", "-P", "-j", job_id, "-o", "State"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        state = out.stdout.strip().split("\n")[0].strip() if out.stdout.strip() else ""
        if state and state not in {"PENDING", "RUNNING", "REQUEUED", "COMPLETING"}:
            return state
        time.sleep(0.5)
    return state


# ----------------------------------------------------------------- tests ----


def test_map_array_returns_results(executor: submitit.AutoExecutor) -> None:
    jobs = executor.map_array(_square, [1, 2, 3, 4])
    assert len(jobs) == 4
    # One array job with 4 tasks.
    assert len({job.job_id.split("_")[0] for job in jobs}) == 1
    results, error = _call_with_timeout(lambda: [job.result() for job in jobs], 60)
    assert error is None, error
    assert results == [1, 4, 9, 16]
    assert _sacct_state(jobs[0].job_id) == "COMPLETED"


def test_raising_task_is_failed_job_error(executor: submitit.AutoExecutor) -> None:
    job = executor.submit(_raise, "boom from the job")
    _, error = _call_with_timeout(job.result, 60)
    assert isinstance(error, submitit.core.utils.FailedJobError), repr(error)
    assert "boom from the job" in str(error)
    assert _sacct_state(job.job_id) == "FAILED"


def test_sigkilled_task_is_reported_failed(executor: submitit.AutoExecutor) -> None:
    job = executor.submit(_sigkill_self)
    # No result file is ever written: result() must give up (submitit waits
    # ~15 s for the file once SLURM says the job ended), not hang.
    _, error = _call_with_timeout(job.result, 55)
    assert isinstance(
        error, (submitit.core.utils.UncompletedJobError, submitit.core.utils.FailedJobError)
    ), repr(error)
    assert _sacct_state(job.job_id) == "FAILED"
    assert job.state == "FAILED"
