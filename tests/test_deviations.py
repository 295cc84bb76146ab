"""docs/DEVIATIONS.md against the methods' declarations, defaults and the specs' protocols."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest

from methods import registry
from reproduce.figspecs import figure_ids, load_figure
from reproduce.specs import PAPERS, load_table, table_ids

ROOT = Path(__file__).resolve().parents[1]
_SPEC = importlib.util.spec_from_file_location("deviations_script",
                                               ROOT / "scripts" / "deviations.py")
assert _SPEC is not None and _SPEC.loader is not None
script = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(script)

METHODS = registry.names()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b


def test_committed_file_is_the_generated_one():
    assert (ROOT / "docs" / "DEVIATIONS.md").read_text() == script.render(), (
        "docs/DEVIATIONS.md is out of date: run python scripts/deviations.py")


@pytest.mark.parametrize("method", METHODS)
def test_every_deviation_of_a_parameter_holds_the_default(method):
    info = registry.get(method)
    for d in info.deviations:
        assert d.paper.strip() and d.why.strip(), f"{method}: {d.setting}: say what and why"
        names = script.param_names(d.setting, info)
        if not names:  # a choice that is not a parameter (free text)
            continue
        ours = d.ours if len(names) > 1 else (d.ours,)
        assert isinstance(ours, tuple) and len(ours) == len(names), (
            f"{method}: {d.setting}: give one value per parameter")
        for name, value in zip(names, ours, strict=True):
            assert _same(value, info.defaults[name]), (
                f"{method}: {name}: DEVIATIONS says {value!r}, the default is "
                f"{info.defaults[name]!r}")


@pytest.mark.parametrize("method", METHODS)
def test_a_default_that_differs_from_the_paper_is_a_deviation(method):
    info = registry.get(method)
    covered = {n for d in info.deviations for n in script.param_names(d.setting, info)}
    for name, (value, where) in info.paper_values.items():
        assert name in info.defaults, f"{method}: PAPER_VALUES names no parameter {name!r}"
        assert where.strip(), f"{method}: {name}: say where the paper states it"
        if not _same(value, info.defaults[name]):
            assert name in covered, (f"{method}: {name} = {info.defaults[name]!r} differs "
                                     f"from the paper's {value!r} ({where}) without a "
                                     "DEVIATIONS entry")


def _specs_with_official() -> list[tuple[Any, Path]]:
    paths = [(load_table, ROOT / "tables" / p / f"{t}.toml") for p in PAPERS
             for t in table_ids(p)]
    paths += [(load_figure, ROOT / "figures" / p / f"{f}.toml") for p in PAPERS
              for f in figure_ids(p)]
    return [(load, path) for load, path in paths if "[profiles.official]" in path.read_text()]


@pytest.mark.parametrize("load,path", _specs_with_official(),
                         ids=lambda x: "" if callable(x) else f"{x.parent.name}-{x.stem}")
def test_official_profiles_change_only_declared_settings(load, path):
    spec = load(path)
    info = registry.get(spec.run["method"])
    declared = {n: d for d in info.deviations for n in script.param_names(d.setting, info)
                if d.official}
    assert spec.profiles["official"].note.strip()
    for name in spec.profiles["official"].run.get("params", {}):
        assert name in declared, (f"{spec.path}: profiles.official sets {name}, which "
                                  f"{info.name}'s DEVIATIONS gives no official value")


def test_zhou_protocols_resolve_to_the_paper_and_the_code():
    spec = load_table(ROOT / "tables" / "zhou" / "1.toml")
    row = next(r for r in spec.rows if r.key == "gan_star")
    paper = spec.cell_config(row, spec.columns[0], "paper")["params"]
    official = spec.cell_config(row, spec.columns[0], "official")["params"]
    assert (paper["lr"], paper["d_lr_mult"], paper["gan_star_aux_weight"]) == (4e-4, 1.0, 1.0)
    assert (official["d_lr_mult"], official["gan_star_aux_weight"]) == (2.0, 0.1)
    assert "AM-GANs-for-reproduce" in spec.protocol_note("official")


def test_plan_names_both_protocols_and_the_table_the_source(tmp_path, capsys):
    from reproduce.cli import main

    store = ["--store", str(tmp_path / "store")]
    assert main(["plan", "--paper", "zhou", "--id", "1", *store]) == 0  # plan: no store yet
    (tmp_path / "store").mkdir()  # reading commands want a store that exists
    out = capsys.readouterr().out
    assert "profile paper:" in out and "--profile official (ZhimingZhou/AM-GANs" in out
    assert main(["table", "--paper", "zhou", "--id", "1", "--profile", "official", "--no-run",
                 *store]) == 0
    out = capsys.readouterr().out
    assert "protocol of profile 'official': ZhimingZhou/AM-GANs-for-reproduce" in out
    assert "NOT comparable" not in out  # the official protocol runs at the paper's scale
