"""`reproduce eval`: a stored checkpoint is scored again and merged into the run's record."""

import numpy as np
import pytest

from reproduce.cli import main
from reproduce.evaluate import evaluate_run
from reproduce.metrics.modes2d import mode_metrics
from reproduce.plan import RunSpec, run_id
from reproduce.runner import execute_run
from reproduce.store import Store


def _finished_run(root) -> tuple[Store, str]:
    from methods import registry

    params = {**registry.get("liu2d").defaults, "steps": 60, "eval_every": 30,
              "checkpoint_every": 50, "n_eval_samples": 300, "hidden": 16}
    config = {"method": "liu2d", "dataset": "ring8", "params": params, "seed": 0,
              "profile": "smoke"}
    run = RunSpec(run_id(config), config)
    store = Store(root)
    store.prepare(run.run_id, run.config)
    assert execute_run(store.root, run.run_id) == "done"
    return store, run.run_id


def test_eval_at_default_n_reproduces_the_logged_final_metrics(tmp_path):
    store, rid = _finished_run(tmp_path)
    before = store.result(rid)
    asked = ["modes", "hq_percent", "reverse_kl"]
    values = evaluate_run(store, rid, asked, {})
    assert values == {k: before[k] for k in asked}  # same checkpoint, same seeded noise


def test_eval_with_more_samples_is_merged_and_matches_the_samples(tmp_path):
    store, rid = _finished_run(tmp_path)
    assert main(["eval", "--run", rid, "--store", str(store.root), "--metrics",
                 "modes,reverse_kl", "--n-samples", "900"]) == 0
    result = store.result(rid)
    assert {"modes_n900", "reverse_kl_n900", "modes", "hq_percent"} <= set(result)
    last = store.metrics_log(rid)[-1]
    assert last["step"] == 60 and last["modes_n900"] == result["modes_n900"]
    assert 0 <= result["reverse_kl_n900"] <= np.log(8)
    # the stored samples (the default n) give the logged default-n metrics
    from reproduce.data.ring import make_ring

    ring = make_ring(0)
    pts = np.load(store.run_dir(rid) / "samples.npz")["points"]
    assert mode_metrics(pts, ring.centers, ring.std)["modes"] == result["modes"]


def test_eval_refuses_unfinished_runs(tmp_path, capsys):
    assert main(["eval", "--run", "0123456789abcdef", "--store", str(tmp_path),
                 "--metrics", "modes"]) == 2
    assert "not done" in capsys.readouterr().err


@pytest.mark.slow
def test_image_run_eval_reproduces_the_logged_score_and_missing_inception_is_one_line(
        tmp_path, monkeypatch, capsys):
    from reproduce.plan import plan_table
    from reproduce.specs import find_table

    monkeypatch.setenv("REPRODUCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("REPRODUCE_INCEPTION_DIR", str(tmp_path / "no-weights"))
    plan = plan_table(find_table("zhou", "1"), "smoke")
    run = next(r for r in plan.runs.values() if r.config["params"]["variant"] == "amgan")
    store = Store(tmp_path / "store")
    store.prepare(run.run_id, run.config)
    assert execute_run(store.root, run.run_id) == "done"
    logged = store.result(run.run_id)
    same = evaluate_run(store, run.run_id, ["am_score"], {})
    assert same["am_score"] == pytest.approx(logged["am_score"], rel=1e-6)
    assert main(["eval", "--run", run.run_id, "--store", str(store.root), "--metrics",
                 "inception_score", "--extractor", "inception"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inception-2015-12-05.pt" in err
    assert store.result(run.run_id) == logged  # a failed evaluation changes nothing
