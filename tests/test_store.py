import json
import os

import pytest

from reproduce.errors import UserError
from reproduce.store import Store, atomic_write_json


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


def test_prepare_status_and_refusal_of_changed_config(tmp_path):
    store = Store(tmp_path)
    assert store.state("r1") == "missing"
    store.prepare("r1", {"method": "m", "seed": 0})
    assert store.state("r1") == "pending"
    store.prepare("r1", {"method": "m", "seed": 0})  # same config: fine
    with pytest.raises(UserError, match="refusing to resume"):
        store.prepare("r1", {"method": "m", "seed": 1})


def test_log_eval_is_idempotent_per_step_and_truncates(tmp_path):
    store = Store(tmp_path)
    store.prepare("r", {"seed": 0})
    store.log_eval("r", 10, {"fid": 5.0})
    store.log_eval("r", 20, {"fid": 4.0})
    store.log_eval("r", 10, {"fid": 6.0})
    assert store.metrics_log("r") == [{"step": 10, "fid": 6.0}, {"step": 20, "fid": 4.0}]
    store.truncate_log("r", 10)
    assert [e["step"] for e in store.metrics_log("r")] == [10]


def test_done_and_dead_running_runs(tmp_path):
    store = Store(tmp_path)
    store.prepare("r", {"seed": 0})
    store.set_status("r", "running", host=os.uname().nodename, pid=2**22 + 12345)
    status = store.status("r")
    assert status["state"] == "failed" and status["stale"]
    store.write_result("r", {"fid": 1.0}, {"wall_seconds": 1.0})
    assert store.state("r") == "done" and store.result("r") == {"fid": 1.0}


def test_finished_like_ignores_only_the_named_params(tmp_path):
    store = Store(tmp_path)
    base = {"method": "m", "seed": 0, "params": {"lr": 1.0, "probe": 0.5}}
    for rid, params in (("done1", {"lr": 1.0, "probe": 0.9}), ("other", {"lr": 2.0, "probe": 0.5})):
        store.prepare(rid, {**base, "params": params})
        (store.run_dir(rid) / "checkpoint.pt").write_bytes(b"x")
        store.write_result(rid, {"fid": 1.0}, {})
    assert store.finished_like(base, {"probe"}) == "done1"
    assert store.finished_like(base, set()) is None
    assert store.finished_like(base, {"probe"}, exclude="done1") is None
    store.prepare("pending", {**base, "params": {"lr": 3.0, "probe": 0.5}})
    assert store.finished_like({**base, "params": {"lr": 3.0}}, {"probe"}) is None
