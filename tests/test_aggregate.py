import math

import pandas as pd
import pytest

from reproduce.aggregate import mean_std, reduce_runs


def _evals():
    rows = [("a", 1, "fid", 30.0), ("a", 2, "fid", 20.0), ("a", 3, "fid", 25.0),
            ("a", 4, "fid", 24.0), ("b", 1, "fid", 40.0), ("b", 2, "fid", 10.0),
            ("b", 3, "fid", 12.0), ("a", 4, "is", 7.0)]
    return pd.DataFrame(rows, columns=["run_id", "step", "metric", "value"]).sample(
        frac=1.0, random_state=0)  # order must not matter


def test_reducers_against_hand_computation():
    evals = _evals()
    assert reduce_runs(evals, "fid", "last", "lower").to_dict() == {"a": 24.0, "b": 12.0}
    assert reduce_runs(evals, "fid", "best", "lower").to_dict() == {"a": 20.0, "b": 10.0}
    assert reduce_runs(evals, "fid", "best", "higher").to_dict() == {"a": 30.0, "b": 40.0}
    last2 = reduce_runs(evals, "fid", "last_k:2", "lower").to_dict()
    assert last2 == {"a": (25.0 + 24.0) / 2, "b": (10.0 + 12.0) / 2}
    last9 = reduce_runs(evals, "fid", "last_k:9", "lower").to_dict()
    assert last9["b"] == pytest.approx(62.0 / 3)


def test_mean_std_is_sample_std():
    mean, std, n = mean_std([1.0, 2.0, 3.0, 4.0])
    assert (mean, n) == (2.5, 4)
    assert std == pytest.approx(math.sqrt(((1.5**2) * 2 + (0.5**2) * 2) / 3))
    assert mean_std([5.0]) == (5.0, 0.0, 1)
    assert math.isnan(mean_std([])[0])


def test_last_is_the_true_last_value_even_when_it_is_nan():
    rows = [("a", 1, "fid", 10.0), ("a", 2, "fid", float("nan")), ("b", 1, "fid", 4.0)]
    evals = pd.DataFrame(rows, columns=["run_id", "step", "metric", "value"])
    last = reduce_runs(evals, "fid", "last", "lower")
    assert math.isnan(last["a"]) and last["b"] == 4.0


def test_a_metric_finished_runs_never_write_is_not_applicable_not_missing():
    """liu Table 3's ground-truth row scores real images: no FID (the paper prints "-")."""
    from pathlib import Path

    from reproduce.aggregate import cell_frame
    from reproduce.plan import plan_table
    from reproduce.specs import find_table
    from reproduce.store import Store

    store = Store(Path(__file__).resolve().parents[1] / "examples" / "store")
    frame = cell_frame(plan_table(find_table("liu", "3"), "smoke"), store)
    truth = frame[frame["row"] == "ground_truth"].set_index("column")["status"]
    assert truth["fid_c10"] == "n/a: runs write no fid" and truth["is_c10"] == "done"


def test_rescored_values_replace_the_logged_ones_only_when_asked(tmp_path):
    """`table --rescored _n100` reads what `eval --n-samples 100` merged into the record."""
    from reproduce.aggregate import cell_frame
    from reproduce.plan import plan_table
    from reproduce.specs import load_table
    from reproduce.store import Store
    from tests.spec_helpers import GOOD_TABLE, write_spec

    plan = plan_table(load_table(write_spec(tmp_path / "specs", GOOD_TABLE)), "smoke")
    store = Store(tmp_path / "store")
    for i, (rid, run) in enumerate(plan.runs.items()):
        store.prepare(rid, run.config)
        values = {"modes": 8.0, "reverse_kl": 0.1, "modes_n100": 6.0 + i % 2,
                  "modes_extractor_n100": "points (100 samples)"}
        store.log_eval(rid, 20, values)
        store.write_result(rid, values, {"wall_seconds": 1.0, "device": "cpu"})
    logged = cell_frame(plan, store).set_index(["row", "column"])
    again = cell_frame(plan, store, "_n100").set_index(["row", "column"])
    assert logged.loc[("base", "modes"), "mean"] == 8.0
    assert again.loc[("base", "modes"), "mean"] == pytest.approx(6.5)
    assert again.loc[("base", "modes"), "extractor"] == "points (100 samples)"
    assert again.loc[("base", "rkl_best"), "status"] == "n/a: runs write no reverse_kl_n100"
