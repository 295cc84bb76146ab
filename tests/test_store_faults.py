"""Faults in a store's records and paths: one line, the right exit code, bytes unchanged."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reproduce.plan import plan_table
from reproduce.specs import find_table
from reproduce.store import Store

REPO = Path(__file__).resolve().parents[1]
LIU = ["--paper", "liu", "--id", "1", "--profile", "smoke", "--seeds", "1"]


def filled(root: Path) -> tuple[Store, str]:
    """A store holding liu Table 1 (smoke, one seed) finished; returns it and one run id."""
    plan = plan_table(find_table("liu", "1"), "smoke", 1)
    store = Store(root)
    for i, (rid, run) in enumerate(plan.runs.items()):
        store.prepare(rid, run.config)
        for step in (100, 200):
            store.log_eval(rid, step, {"modes": 6.0 + i, "hq_percent": 90.0 - i,
                                       "reverse_kl": 0.1 * (i + 1)})
        store.write_result(rid, {"modes": 6.0 + i}, {"wall_seconds": 1.0})
    return store, next(iter(plan.runs))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reproduce", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def _last_line_half_written(d: Path) -> None:
    text = (d / "metrics.jsonl").read_text()
    (d / "metrics.jsonl").write_text(text[: len(text) - 20])


RECORD_FAULTS = {
    "metrics last line half-written": (_last_line_half_written,
                                       "metrics.jsonl: line 2 is not JSON"),
    "metrics empty": (lambda d: (d / "metrics.jsonl").write_text(""),
                      "metrics.jsonl: no evaluation recorded"),
    "result is a list": (lambda d: (d / "result.json").write_text("[1,2,3]"),
                         "result.json: expected an object"),
    "result truncated": (lambda d: (d / "result.json").write_text('{"modes": 6'),
                         "result.json: not JSON"),
    "config garbage": (lambda d: (d / "config.json").write_text("\x00garbage"),
                       "config.json: not JSON"),
    "config another run's": (lambda d: (d / "config.json").write_text(
        json.dumps({**json.loads((d / "config.json").read_text()), "seed": 99})),
        "config.json: hashes to"),
    "status deleted": (lambda d: (d / "status.json").unlink(),
                       "status.json: missing beside result.json"),
    "status unknown state": (lambda d: (d / "status.json").write_text('{"state": "exploded"}'),
                             "status.json: state 'exploded' is unknown"),
}


@pytest.mark.parametrize("fault", list(RECORD_FAULTS))
def test_a_corrupt_record_is_named_never_averaged_and_the_rest_renders(tmp_path, fault):
    store, rid = filled(tmp_path / "store")
    damage, reason = RECORD_FAULTS[fault]
    damage(store.run_dir(rid))
    before = snapshot(store.root)
    assert store.state(rid) == "corrupt" and reason in store.status(rid)["reason"]

    out = cli("table", *LIU, "--store", str(store.root), "--no-run", "--format", "json")
    assert "Traceback" not in out.stderr and out.returncode == 1, out.stderr
    assert "corrupt" in out.stderr and "doctor" in out.stderr
    rows = json.loads(out.stdout)["rows"]
    logged = [r for r in rows if r["metric"] in ("modes", "hq_percent", "reverse_kl")]
    baseline = [r for r in logged if r["row"] == "baseline"]
    others = [r for r in logged if r["row"] != "baseline"]
    assert all(r["n"] == 0 and r["mean"] is None for r in baseline)  # never averaged
    assert any(reason in why for r in baseline for why in r["reasons"])
    assert all(r["status"] == "done" and r["n"] == 1 for r in others)  # the rest renders

    status = cli("status", *LIU, "--store", str(store.root))
    assert status.returncode == 0 and f"{rid} corrupt: " in status.stdout
    assert reason in status.stdout and "Traceback" not in status.stderr
    doctor = cli("doctor", "--store", str(store.root))
    assert doctor.returncode == 1 and f"{rid}: corrupt: " in doctor.stdout
    assert snapshot(store.root) == before  # nothing was rewritten


def test_missing_files_of_an_unfinished_run_are_not_corrupt(tmp_path):
    store, rid = filled(tmp_path / "store")
    (store.run_dir(rid) / "result.json").unlink()
    (store.run_dir(rid) / "status.json").unlink()
    assert store.state(rid) == "pending"  # config written, nothing else yet


def _store_is_file(tmp_path: Path) -> tuple[str, dict]:
    (tmp_path / "plain").write_text("x")
    return str(tmp_path / "plain"), {}


PATH_FAULTS = {
    "store is a file": (_store_is_file, ["table", *LIU], "is a file"),
    "store under /proc": (lambda t: ("/proc/self/no-store", {}), ["table", *LIU],
                          "cannot create"),
    "empty REPRODUCE_STORE": (lambda t: (None, {"REPRODUCE_STORE": ""}), ["status", *LIU],
                              "empty"),
    "missing store for doctor": (lambda t: (str(t / "nope"), {}), ["doctor"], "does not exist"),
}


@pytest.mark.parametrize("fault", list(PATH_FAULTS))
def test_store_path_problems_are_one_line_and_exit_2(tmp_path, fault):
    make, command, words = PATH_FAULTS[fault]
    path, env = make(tmp_path)
    before = snapshot(tmp_path)
    args = [*command, "--store", path] if path is not None else command
    out = cli(*args, env={**os.environ, **env})
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert words in out.stderr and "Traceback" not in out.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_store_is_one_line(tmp_path):
    store, _ = filled(tmp_path / "store")
    os.chmod(store.root, 0o555)
    try:
        out = cli("table", *LIU, "--store", str(store.root))
    finally:
        os.chmod(store.root, 0o755)
    assert out.returncode == 2 and "not writable" in out.stderr
    assert out.stderr.count("\n") == 1


def test_eval_of_a_path_is_refused(tmp_path):
    store, _ = filled(tmp_path / "store")
    out = cli("eval", "--run", "../x", "--store", str(store.root), "--metrics", "modes")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


@pytest.mark.slow
def test_table_retrains_a_corrupt_run_only_as_a_fresh_attempt(tmp_path):
    store, rid = filled(tmp_path / "store")
    (store.run_dir(rid) / "config.json").write_text("garbage")
    original = snapshot(store.run_dir(rid))
    others = {r: snapshot(store.run_dir(r)) for r in store.run_ids() if r != rid}
    out = cli("table", *LIU, "--store", str(store.root), "--format", "json")
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"run {rid}: corrupt: config.json" in out.stderr
    (moved,) = list((store.root / "corrupt").glob(f"{rid}.*"))
    assert snapshot(moved) == original  # set aside byte for byte
    assert store.state(rid) == "done"
    assert {r: snapshot(store.run_dir(r)) for r in others} == others  # finished runs untouched
