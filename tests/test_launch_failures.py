"""A failed SLURM submission: one line naming sbatch's message, runs back to missing."""

import os
import subprocess
import sys
from pathlib import Path

from reproduce.store import Store

REPO = Path(__file__).resolve().parents[1]
LIU = ["--paper", "liu", "--id", "1", "--profile", "smoke", "--seeds", "1"]
MESSAGE = "sbatch: error: Batch job submission failed: Invalid partition name specified"


def fake_slurm(folder: Path) -> dict[str, str]:
    """PATH with an `srun` that exists and an `sbatch` that refuses every job."""
    folder.mkdir()
    (folder / "srun").write_text("#!/bin/sh\nexit 0\n")
    (folder / "sbatch").write_text(f"#!/bin/sh\necho '{MESSAGE}' >&2\nexit 1\n")
    for name in ("srun", "sbatch"):
        (folder / name).chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reproduce", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_refused_submission_is_one_line_and_leaves_runs_missing(tmp_path):
    env = fake_slurm(tmp_path / "bin")
    store = tmp_path / "store"
    out = cli(env, "table", *LIU, "--store", str(store), "--executor", "slurm")
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert MESSAGE in out.stderr and "Traceback" not in out.stderr
    runs = Store(store)
    assert [runs.state(r) for r in runs.run_ids()] == ["missing"] * 3
    waited = cli(env, "wait", *LIU, "--store", str(store))
    assert waited.returncode == 1 and "0 done, 0 failed, 3 not started" in waited.stdout
