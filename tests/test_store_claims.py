"""Claims: exactly one owner among simultaneous claimants; owners judged by pid and start."""

import multiprocessing as mp
import subprocess
import sys
import time

import pytest

from reproduce.launch import wait
from reproduce.liveness import owner_alive, owner_record, process_start
from reproduce.plan import run_id
from reproduce.store import Store
from reproduce.storeio import atomic_write_json

CONFIG = {"method": "m", "dataset": "d", "params": {}, "seed": 0, "profile": "smoke"}
RID = run_id(CONFIG)
CLAIMANTS = 40
TRIALS = 4


def _claimant(root: str, start: mp.Barrier, hold: mp.Barrier, out: mp.Queue) -> None:
    start.wait()
    out.put(Store(root).claim(RID))
    hold.wait()  # stay alive until every claimant has tried: a live owner is never stale


def _owners(root, n: int) -> int:
    ctx = mp.get_context("fork")
    start, hold, out = ctx.Barrier(n), ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_claimant, args=(str(root), start, hold, out))
             for _ in range(n)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in range(n)]
    for p in procs:
        p.join(timeout=60)
    return sum(results)


def _dead_owner() -> dict:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return {**owner_record(), "pid": proc.pid, "start": 1}


@pytest.mark.parametrize("lock", ["none", "stale", "empty"])
def test_exactly_one_owner_among_simultaneous_claimants(tmp_path, lock):
    for trial in range(TRIALS):
        store = Store(tmp_path / f"{lock}{trial}")
        store.prepare(RID, CONFIG)
        if lock == "stale":
            atomic_write_json(store.run_dir(RID) / ".lock", _dead_owner())
        elif lock == "empty":
            (store.run_dir(RID) / ".lock").write_text("")
        assert _owners(store.root, CLAIMANTS) == 1, f"trial {trial}"


def test_a_live_owner_keeps_its_claim_and_release_frees_it(tmp_path):
    store = Store(tmp_path)
    store.prepare(RID, CONFIG)
    assert store.claim(RID) and store.claim(RID)  # re-entrant for its owner
    assert _owners(tmp_path, 4) == 0
    store.release(RID)
    assert _owners(tmp_path, 4) == 1


def test_a_recycled_pid_is_not_the_owner(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        recycled = {**owner_record(), "pid": other.pid, "start": process_start(other.pid) - 1}
        assert not owner_alive(recycled)
        assert owner_alive({**recycled, "start": process_start(other.pid)})
        assert not owner_alive({**recycled, "start": process_start(other.pid),
                                "boot": "another-boot"})
        store = Store(tmp_path)
        store.prepare(RID, CONFIG)
        store.set_status(RID, "running", **recycled)
        atomic_write_json(store.run_dir(RID) / ".lock", recycled)
        status = store.status(RID)
        assert status["state"] == "failed" and status["stale"]
        t0 = time.monotonic()
        assert wait([RID], store, poll_s=0.05, progress=False) == {RID: "failed"}
        assert time.monotonic() - t0 < 5
        assert store.claim(RID)  # the stale lock is taken over
    finally:
        other.kill()
        other.wait()


def test_owners_on_other_hosts_are_judged_by_the_injected_slurm_check(tmp_path):
    owner = {"host": "elsewhere", "pid": 1, "start": 5, "boot": "b", "job_id": "77"}
    assert owner_alive(owner)  # nothing to judge by: never declared gone
    assert not owner_alive(owner, job_alive=lambda job: job != "77")
    store = Store(tmp_path, job_alive=lambda job: False)
    store.prepare(RID, CONFIG)
    store.set_status(RID, "running", **owner)
    assert store.status(RID)["state"] == "failed"
    assert Store(tmp_path).status(RID)["state"] == "running"


@pytest.mark.slow
@pytest.mark.parametrize("lock", ["none", "stale"])
def test_exactly_one_owner_among_hundreds_of_claimants(tmp_path, lock):
    for trial in range(3):
        store = Store(tmp_path / f"{lock}{trial}")
        store.prepare(RID, CONFIG)
        if lock == "stale":
            atomic_write_json(store.run_dir(RID) / ".lock", _dead_owner())
        assert _owners(store.root, 200) == 1, f"trial {trial}"
