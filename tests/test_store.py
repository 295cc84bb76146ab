import json
import os
import stat

import numpy as np
import pytest

from reproduce.errors import UserError
from reproduce.plan import run_id
from reproduce.store import Store, atomic_write_json, check_run_id
from reproduce.storeio import create_exclusive


def cfg(seed: int = 0, **params) -> tuple[str, dict]:
    config = {"method": "m", "dataset": "d", "params": params, "seed": seed, "profile": "smoke"}
    return run_id(config), config


def finished(store: Store, seed: int = 0, **params) -> str:
    rid, config = cfg(seed, **params)
    store.prepare(rid, config)
    store.log_eval(rid, 10, {"fid": 2.0})
    store.write_result(rid, {"fid": 2.0}, {"wall_seconds": 1.0})
    return rid


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    atomic_write_json(path, {"v": 1})

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_json(path, {"v": 2})
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary left behind


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_store_files_keep_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        atomic_write_json(tmp_path / "a.json", {})
        create_exclusive(tmp_path / "b.json", b"{}")
    finally:
        os.umask(old)
    for name in ("a.json", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask


def test_exclusive_creation_happens_once(tmp_path):
    assert create_exclusive(tmp_path / "x", b"first")
    assert not create_exclusive(tmp_path / "x", b"second")
    assert (tmp_path / "x").read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["x"]


def test_prepare_status_and_refusal_of_changed_config(tmp_path):
    store = Store(tmp_path)
    rid, config = cfg()
    assert store.state(rid) == "missing"
    store.prepare(rid, config)
    assert store.state(rid) == "pending"
    store.prepare(rid, config)  # same config: fine
    with pytest.raises(UserError, match="refusing to resume"):
        store.prepare(rid, {**config, "seed": 1})


def test_log_eval_is_idempotent_per_step_and_truncates(tmp_path):
    store = Store(tmp_path)
    rid, config = cfg()
    store.prepare(rid, config)
    store.log_eval(rid, 10, {"fid": 5.0})
    store.log_eval(rid, 20, {"fid": 4.0})
    store.log_eval(rid, 10, {"fid": 6.0})
    assert store.metrics_log(rid) == [{"step": 10, "fid": 6.0}, {"step": 20, "fid": 4.0}]
    frame = store.metrics_frame([rid])
    assert frame.to_dict("records") == [
        {"run_id": rid, "step": 10, "metric": "fid", "value": 6.0},
        {"run_id": rid, "step": 20, "metric": "fid", "value": 4.0}]
    store.truncate_log(rid, 10)
    assert [e["step"] for e in store.metrics_log(rid)] == [10]


def test_done_and_dead_running_runs(tmp_path):
    store = Store(tmp_path)
    rid, config = cfg()
    store.prepare(rid, config)
    store.set_status(rid, "running", host=os.uname().nodename, pid=2**22 + 12345)
    status = store.status(rid)
    assert status["state"] == "failed" and status["stale"]
    assert status["reason"].startswith("abandoned:")
    store.log_eval(rid, 1, {"fid": 1.0})
    store.write_result(rid, {"fid": 1.0}, {"wall_seconds": 1.0})
    assert store.state(rid) == "done" and store.result(rid) == {"fid": 1.0}


def test_wall_time_is_summed_over_segments(tmp_path):
    store = Store(tmp_path)
    rid, config = cfg()
    store.prepare(rid, config)
    store.set_status(rid, "pending", segments=[[100.0, 130.0], [200.0, 210.5]])
    assert store.wall_seconds(rid) == 40.5
    store.mark_running(rid)  # a third segment starts now and is counted while it runs
    assert 40.5 <= store.wall_seconds(rid) < 45.0
    assert len(store.status(rid)["segments"]) == 3


def test_finished_like_ignores_only_the_named_params(tmp_path):
    store = Store(tmp_path)
    done1 = finished(store, lr=1.0, probe=0.9)
    finished(store, lr=2.0, probe=0.5)
    for rid in store.run_ids():
        (store.run_dir(rid) / "checkpoint.pt").write_bytes(b"x")
    base = cfg(lr=1.0, probe=0.5)[1]
    assert store.finished_like(base, {"probe"}) == done1
    assert store.finished_like(base, set()) is None
    assert store.finished_like(base, {"probe"}, exclude=done1) is None
    pending_id, pending_cfg = cfg(lr=3.0, probe=0.5)
    store.prepare(pending_id, pending_cfg)
    assert store.finished_like(cfg(lr=3.0)[1], {"probe"}) is None


def test_a_copied_folder_that_is_not_its_configs_hash_is_never_reused(tmp_path):
    store = Store(tmp_path)
    rid = finished(store, lr=1.0, probe=0.9)
    (store.run_dir(rid) / "checkpoint.pt").write_bytes(b"x")
    os.rename(store.run_dir(rid), store.run_dir("zz-not-a-hash"))
    assert store.finished_like(cfg(lr=1.0, probe=0.5)[1], {"probe"}) is None
    assert store.state("zz-not-a-hash") == "corrupt"
    assert "hashes to" in store.status("zz-not-a-hash")["reason"]


def test_artifacts_round_trip_and_refuse_paths(tmp_path):
    store = Store(tmp_path)
    rid, config = cfg()
    store.prepare(rid, config)
    store.save_artifact(rid, "samples.npz", points=np.arange(6.0).reshape(3, 2))
    assert store.has_artifact(rid, "samples.npz")
    np.testing.assert_array_equal(store.read_artifact(rid, "samples.npz")["points"],
                                  np.arange(6.0).reshape(3, 2))
    for bad in ("../x.npz", ".hidden.npz", "a/b.npz", "x.pkl"):
        with pytest.raises(ValueError):
            store.save_artifact(rid, bad, points=np.zeros(1))
    with pytest.raises(UserError, match="no artifact"):
        store.read_artifact(rid, "other.npz")


@pytest.mark.parametrize("text", ["../x", "0123456789abcdeg", "0123", "/etc/passwd",
                                  "0123456789ABCDEF", "0123456789abcdef\n"])
def test_run_ids_are_ids_not_paths(text):
    with pytest.raises(UserError) as err:
        check_run_id(text)
    assert "\n" not in str(err.value) and "allowed: 16 hex digits" in str(err.value)


def test_run_dir_refuses_paths(tmp_path):
    for bad in ("../x", "a/b", ".lock", ""):
        with pytest.raises(UserError):
            Store(tmp_path).run_dir(bad)
    assert check_run_id("0123456789abcdef") == "0123456789abcdef"


def test_store_open_checks_the_path(tmp_path):
    (tmp_path / "file").write_text("x")
    cases = [("", True, "empty"), (str(tmp_path / "file"), False, "is a file"),
             (str(tmp_path / "nope"), False, "does not exist")]
    for path, writing, words in cases:
        with pytest.raises(UserError, match=words):
            Store.open(path, for_writing=writing)
    assert Store.open(tmp_path / "new", for_writing=True).root.is_dir()
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("read_only", [False, True])
def test_store_open_names_an_unwritable_or_read_only_store(tmp_path, monkeypatch, read_only):
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as for a user, not root
    flags = os.ST_RDONLY if read_only else 0
    real = os.statvfs
    monkeypatch.setattr(os, "statvfs", lambda p: type("V", (), {"f_flag": flags})()
                        if str(p) == str(tmp_path) else real(p))
    words = "read-only file system" if read_only else "not writable by this user"
    with pytest.raises(UserError, match=words) as err:
        Store.open(tmp_path, for_writing=True)
    assert "\n" not in str(err.value)
    assert Store.open(tmp_path, for_writing=False).root == tmp_path  # reading is fine
