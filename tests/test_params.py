"""Typed method parameters: checked and coerced at spec load, read as a frozen dataclass."""

import dataclasses

import pytest

from methods import registry
from methods.params import (
    POSITIVE,
    ParamError,
    Rule,
    at_least,
    check_value,
    one_of,
    schema,
    standard_rules,
    typed,
)
from reproduce.plan import plan_table
from reproduce.specs import load_table
from tests.spec_helpers import GOOD_TABLE, write_spec
from tests.test_cli import cli, filled_store, tree_digest  # noqa: F401 (fixture)

DECLARED = schema({"steps": 100, "lr": 1e-3, "variant": "a", "flag": True, "prior": [0.5, 0.5],
                   "shift": 0.0},
                  steps=at_least(1), lr=POSITIVE, variant=one_of("a", "b"),
                  shift=Rule(low=None))


@pytest.mark.parametrize("name,value,expected", [
    ("steps", 5, 5), ("lr", 1, 1.0), ("lr", 0.5, 0.5), ("variant", "b", "b"),
    ("flag", False, False), ("prior", [1, 0], [1.0, 0.0]), ("shift", -3, -3.0),
])
def test_allowed_values_are_kept_or_coerced(name, value, expected):
    out = check_value(DECLARED[name], value)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("name,value,allowed", [
    ("steps", 0, ">= 1"), ("steps", "300", "an integer"), ("steps", 2.5, "an integer"),
    ("steps", True, "an integer"), ("lr", -0.1, "> 0"), ("lr", 0, "> 0"),
    ("lr", float("nan"), "> 0"), ("variant", "c", "one of 'a', 'b'"),
    ("flag", 1, "true or false"), ("prior", [0.5, -1], ">= 0"), ("prior", 0.5, "a list"),
])
def test_bad_values_name_what_is_allowed(name, value, allowed):
    with pytest.raises(ParamError, match=allowed):
        check_value(DECLARED[name], value)


def test_typed_params_are_a_frozen_dataclass_with_defaults():
    p = typed("toy_method", {"lr": 2}, DECLARED)
    assert (p.steps, p.lr, p.variant) == (100, 2.0, "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.steps = 3
    with pytest.raises(ParamError, match="unknown parameter 'nope'"):
        typed("toy_method", {"nope": 1}, DECLARED)


def test_every_registered_default_satisfies_its_own_rules():
    for name in registry.names():
        info = registry.get(name)
        assert info.check(info.defaults) == dict(info.defaults), name


def test_standard_rules_cover_common_names():
    rules = standard_rules({"steps": 1, "lr": 0.1, "batch_size": 2, "beta1": 0.5, "z": 1})
    assert set(rules) == {"steps", "lr", "batch_size", "beta1"}


def test_int_for_float_param_hashes_like_the_float(tmp_path):
    """`lr = 1` and `lr = 1.0` in a spec are the same run (coerced at planning)."""
    ids = []
    for text in ("lr = 1", "lr = 1.0"):
        spec = GOOD_TABLE.replace("params = { steps = 40 }", f"params = {{ steps = 40, {text} }}")
        table = load_table(write_spec(tmp_path / text.replace(" ", ""), spec))
        ids.append(sorted(plan_table(table, "smoke").runs))
    assert ids[0] == ids[1]


@pytest.mark.parametrize("change,field", [
    (("params = { steps = 40 }", "params = { steps = 40, lr = -0.1 }"),
     ": run.params.lr: got -0.1; allowed: a number > 0"),
    (("params = { steps = 40 }", 'params = { steps = "300" }'),
     ": run.params.steps: expected an integer >= 1, got '300'"),
    (("recg_weight = 0.0", 'recg_weight = "zero"'),
     ": rows[0].overrides.params.recg_weight: expected a number >= 0"),
    (("steps = 20,", "steps = 0,"), ": profiles.smoke.run.params.steps: got 0; allowed"),
    (('name = "modes"', 'name = "fid"'), ": metrics[0].name"),
])
def test_bad_param_value_or_metric_fails_at_load(tmp_path, filled_store, change, field):  # noqa: F811
    text = GOOD_TABLE.replace(*change, 1)
    if "fid" in change[1]:  # the column must read the renamed metric too
        text = text.replace('metric = "modes"', 'metric = "fid"', 1)
        field = ": columns[0].metric: metric 'fid' is not written by method 'liu2d'"
    path = write_spec(tmp_path / "specs", text)
    before = tree_digest(filled_store)
    out = cli("table", "--paper", "liu", "--id", "9", "--profile", "smoke", "--store",
              str(filled_store), "--specs-root", str(tmp_path / "specs"))
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and str(path) in out.stderr and field in out.stderr
    assert tree_digest(filled_store) == before


def test_zhou_variant_outside_choices_is_a_spec_error(tmp_path):
    from reproduce.errors import SpecError

    text = GOOD_TABLE.replace('method = "liu2d"', 'method = "zhou_amgan"').replace(
        "recg_weight = 0.0", 'variant = "bigan"')
    with pytest.raises(SpecError, match=r"rows\[0\].overrides.params.variant: got 'bigan'; "
                       r"allowed: one of 'gan'"):
        load_table(write_spec(tmp_path, text.replace("steps = 20, ", "")))
