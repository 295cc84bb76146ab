"""Checkpoints: only tensors and plain data load, only the run's own, damaged ones recover."""

import json

import pytest
import torch

from reproduce.checkpoints import CheckpointError
from reproduce.cli import main
from reproduce.plan import RunSpec, run_id
from reproduce.runner import execute_run
from reproduce.store import Store


def liu(seed: int = 0, steps: int = 60) -> RunSpec:
    from methods import registry

    params = {**registry.get("liu2d").defaults, "steps": steps, "eval_every": 30,
              "checkpoint_every": 30, "n_eval_samples": 300, "hidden": 16}
    config = {"method": "liu2d", "dataset": "ring8", "params": params, "seed": seed,
              "profile": "smoke"}
    return RunSpec(run_id(config), config)


def prepared(root, run: RunSpec) -> Store:
    store = Store(root)
    store.prepare(run.run_id, run.config)
    return store


class Payload:
    """Pickles into a call that writes a marker file when unpickled."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_payload_in_a_checkpoint_does_not_run(tmp_path):
    run = liu()
    store = prepared(tmp_path / "store", run)
    marker = tmp_path / "ran"
    torch.save({"step": 30, "evil": Payload(str(marker))},
               store.run_dir(run.run_id) / "checkpoint.pt")
    with pytest.raises(CheckpointError) as err:
        store.load_checkpoint(run.run_id, run.config, 1)
    assert err.value.kind == "unsafe" and not marker.exists()
    assert execute_run(store.root, run.run_id, reraise=False) == "failed"
    assert not marker.exists()
    assert "not tensors or plain data" in store.status(run.run_id)["reason"]


def test_stamps_refuse_foreign_unstamped_and_other_thread_checkpoints(tmp_path):
    a, b = liu(0), liu(1)
    store = prepared(tmp_path, a)
    store.prepare(b.run_id, b.config)
    store.save_checkpoint(a.run_id, {"step": 3, "w": torch.ones(2)}, a.config, threads=1)
    state = store.load_checkpoint(a.run_id, a.config, 1)
    assert state["step"] == 3 and "_run" not in state
    with pytest.raises(CheckpointError, match="thread") as err:
        store.load_checkpoint(a.run_id, a.config, 2)
    assert err.value.kind == "threads"
    path_b = store.run_dir(b.run_id) / "checkpoint.pt"
    path_b.write_bytes((store.run_dir(a.run_id) / "checkpoint.pt").read_bytes())
    with pytest.raises(CheckpointError, match=f"belongs to run {a.run_id}") as err:
        store.load_checkpoint(b.run_id, b.config, 1)
    assert err.value.kind == "foreign"
    torch.save({"step": 3}, path_b)
    with pytest.raises(CheckpointError, match="no run stamp"):
        store.load_checkpoint(b.run_id, b.config, 1)


def test_a_foreign_checkpoint_fails_a_resume_and_is_refused_by_eval(tmp_path, capsys):
    a, b = liu(0), liu(1)
    store = prepared(tmp_path, a)
    assert execute_run(store.root, a.run_id) == "done"
    store.prepare(b.run_id, b.config)
    foreign = (store.run_dir(a.run_id) / "checkpoint.pt").read_bytes()
    (store.run_dir(b.run_id) / "checkpoint.pt").write_bytes(foreign)
    assert execute_run(store.root, b.run_id, reraise=False) == "failed"
    assert "belongs to run" in store.status(b.run_id)["reason"]
    assert store.result(b.run_id) is None  # never averaged in

    # eval on a finished run whose checkpoint was swapped: exit 2, records untouched
    done_b = prepared(tmp_path / "other", b)
    assert execute_run(done_b.root, b.run_id) == "done"
    (done_b.run_dir(b.run_id) / "checkpoint.pt").write_bytes(foreign)
    before = {p.name: p.read_bytes() for p in done_b.run_dir(b.run_id).iterdir()}
    code = main(["eval", "--run", b.run_id, "--store", str(done_b.root), "--metrics", "modes"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "belongs to run" in err
    assert {p.name: p.read_bytes() for p in done_b.run_dir(b.run_id).iterdir()} == before


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_damaged_resume_material_recovers_and_says_so(tmp_path, capsys, damage):
    run = liu(steps=90)
    reference = prepared(tmp_path / "reference", run)
    assert execute_run(reference.root, run.run_id) == "done"

    store = prepared(tmp_path / "store", run)
    folder = store.run_dir(run.run_id)
    good = (reference.run_dir(run.run_id) / "checkpoint.pt").read_bytes()
    (folder / "checkpoint.pt").write_bytes(b"" if damage == "empty" else good[: len(good) // 2])
    lines = (reference.run_dir(run.run_id) / "metrics.jsonl").read_text().splitlines()
    (folder / "metrics.jsonl").write_text(lines[0] + "\n" + lines[1][:17])  # half-written
    store.set_status(run.run_id, "pending", reason="interrupted; resumes from its checkpoint")
    capsys.readouterr()
    assert execute_run(store.root, run.run_id) == "done"
    notes = [ln for ln in capsys.readouterr().err.splitlines() if run.run_id in ln]
    assert any("metrics.jsonl: line 2 is not JSON" in n for n in notes)
    assert any("checkpoint.pt:" in n and "training from scratch" in n for n in notes)
    assert store.result(run.run_id) == reference.result(run.run_id)
    assert store.metrics_log(run.run_id) == reference.metrics_log(run.run_id)
    assert any(p.name.startswith("checkpoint.pt.damaged") for p in folder.iterdir())


def test_provenance_records_threads_and_wall_time(tmp_path):
    run = liu()
    store = prepared(tmp_path, run)
    assert execute_run(store.root, run.run_id) == "done"
    prov = json.loads((store.run_dir(run.run_id) / "provenance.json").read_text())
    assert prov["threads"] == 1 and prov["segments"] == 1 and prov["wall_seconds"] > 0


def test_a_resume_under_another_thread_count_is_refused_in_one_line(tmp_path):
    run = liu()
    store = prepared(tmp_path, run)
    store.save_checkpoint(run.run_id, {"step": 30}, run.config, threads=2)
    assert execute_run(store.root, run.run_id, reraise=False) == "failed"
    reason = store.status(run.run_id)["reason"]
    assert "trained with 2 thread(s), this process uses 1" in reason and "\n" not in reason


def test_wall_time_of_a_resumed_run_sums_its_segments(tmp_path):
    run = liu()
    store = prepared(tmp_path, run)
    store.set_status(run.run_id, "pending", reason="interrupted",
                     segments=[[1000.0, 1100.0]])  # an earlier segment of 100 s
    assert execute_run(store.root, run.run_id) == "done"
    prov = store.provenance(run.run_id)
    assert prov["segments"] == 2 and 100.0 < prov["wall_seconds"] < 160.0


def test_a_finished_run_differing_only_in_eval_params_lends_its_checked_model(tmp_path):
    """One scan: (donor id, its final state) for a run that differs only in n_eval_samples."""
    from reproduce.runner import StoreRunContext

    donor = liu(steps=30)
    store = prepared(tmp_path, donor)
    assert execute_run(tmp_path, donor.run_id) == "done"
    params = {**donor.config["params"], "n_eval_samples": 200}
    other_config = {**donor.config, "params": params}
    other = RunSpec(run_id(other_config), other_config)
    store.prepare(other.run_id, other.config)
    found = StoreRunContext(store, other.run_id).finished_state_like({"n_eval_samples"})
    assert found is not None and found[0] == donor.run_id and found[1]["step"] == 30
    assert StoreRunContext(store, other.run_id).finished_state_like(set()) is None
