"""Load and validate table specs (``tables/<paper>/<id>.toml``); see docs/SPECS.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from methods import registry
from reproduce.errors import SpecError, UserError
from reproduce.profiles import Profile, load_profiles, resolve_profile
from reproduce.spec_checks import (
    check_method_params,
    check_metric_names,
    check_reducer,
    check_run,
    declared_params,
    read_toml,
)
from reproduce.validate import Fields, deep_merge

REPO_ROOT = Path(__file__).resolve().parents[1]
PAPERS = ("watanabe", "noroozi", "cho", "zhou", "liu")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_PAPER_VALUE = re.compile(
    rf"^\s*(?P<value>{_NUMBER})\s*%?\s*(?:(?:±|\+-|\+/-)\s*(?P<std>{_NUMBER})\s*%?)?\s*$")


@dataclass(frozen=True)
class PaperValue:
    """A number as the paper prints it: the text, and its parsed value and std."""

    text: str
    value: float | None
    std: float | None


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    better: str  # "higher" | "lower"
    extractor: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    metric: str
    reducer: str
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    overrides: dict[str, Any]
    paper: dict[str, PaperValue]
    cited: bool = False
    pending: str = ""

    @property
    def trainable(self) -> bool:
        return not self.cited and not self.pending

    @property
    def kind(self) -> str:
        return kind_of(self.cited, self.pending)


def kind_of(cited: bool, pending: str) -> str:
    """What the harness does for a row or series: cited (shows the paper's number only),
    pending (cannot train it yet) or trainable."""
    return "cited" if cited else "pending" if pending else "trainable"


@dataclass(frozen=True)
class TableSpec:
    paper: str
    id: str
    path: Path
    title: str
    source: str
    dataset: str
    seeds: int
    reducer: str
    notes: str
    metrics: dict[str, Metric]
    run: dict[str, Any]
    columns: list[Column]
    rows: list[Row]
    profiles: dict[str, Profile] = field(default_factory=dict)

    def profile(self, name: str) -> Profile:
        return resolve_profile(self.profiles, name, self.path)

    def protocol_note(self, profile: str) -> str:
        """What the profile's protocol follows, e.g. the public code it names."""
        return self.profile(profile).note

    def seeds_for(self, profile: str) -> int:
        return self.profile(profile).seeds or self.seeds

    def cell_config(self, row: Row, column: Column, profile: str) -> dict[str, Any]:
        """The run config of one cell before seeding (see docs/SPECS.md, merge order)."""
        method = registry.get(self._method_of(row, column))
        config = {"method": method.name, "dataset": "", "params": dict(method.defaults)}
        own = self.row_changes_method(row, column)
        for layer in (self.run, column.overrides, row.overrides, self.profile(profile).run):
            if own and layer is not row.overrides:
                layer = declared_params(layer, method)
            config = deep_merge(config, layer)
        return {**config, "params": method.check(config["params"])}

    def _method_of(self, row: Row, column: Column) -> str:
        merged = deep_merge(deep_merge(self.run, column.overrides), row.overrides)
        return merged.get("method", "")

    def row_changes_method(self, row: Row, column: Column) -> bool:
        """Whether the row names a method other than the table's (e.g. ``real_data``)."""
        base = deep_merge(self.run, column.overrides).get("method", "")
        return row.overrides.get("method", base) != base


def spec_root(root: Path | None = None) -> Path:
    """The folder holding ``tables/`` and ``figures/`` (the repository by default)."""
    return Path(root) if root else REPO_ROOT


def table_ids(paper: str, root: Path | None = None) -> list[str]:
    """Ids of the table specs of ``paper``, in natural order."""
    folder = spec_root(root) / "tables" / paper
    return sorted((p.stem for p in folder.glob("*.toml")), key=_natural)


def find_table(paper: str, table_id: str, root: Path | None = None) -> TableSpec:
    """Load ``tables/<paper>/<id>.toml``; unknown paper or id is a UserError."""
    if paper not in PAPERS:
        raise UserError(f"--paper: unknown paper {paper!r}; allowed: {', '.join(PAPERS)}")
    ids = table_ids(paper, root)
    if table_id not in ids:
        raise UserError(f"--id: paper {paper!r} has no table {table_id!r}; "
                        f"allowed: {', '.join(ids) or '(none)'}")
    return load_table(spec_root(root) / "tables" / paper / f"{table_id}.toml")


def parse_paper_value(text: str, path: Path, where: str) -> PaperValue:
    """Parse "5.3±1.1", "47.08", "-" into a PaperValue."""
    if text.strip() in ("-", "", "n/a"):
        return PaperValue(text, None, None)
    match = _PAPER_VALUE.match(text)
    if not match:
        raise SpecError(path, where, f"cannot read paper value {text!r}; "
                        "allowed: a number, 'number ± std', or '-'")
    std = match.group("std")
    return PaperValue(text, float(match.group("value")), float(std) if std else None)


def load_table(path: Path) -> TableSpec:
    """Load and validate one table spec; raises SpecError naming file and field."""
    path = Path(path)
    top = Fields(read_toml(path), path, "")
    top.check_keys({"title", "source", "dataset", "seeds", "reducer", "notes", "metrics",
                    "run", "columns", "rows", "profiles"})
    seeds = top.get("seeds", int, 1)
    if seeds < 1:
        raise SpecError(path, "seeds", "must be at least 1")
    reducer = check_reducer(top.get("reducer", str, "last"), path, "reducer")
    metrics = _load_metrics(top, path)
    run = check_run(top.get("run", dict, {}), path, "run")
    columns = _load_columns(top, path, metrics, reducer)
    rows = _load_rows(top, path, {c.key for c in columns})
    profiles = load_profiles(top, path)
    spec = TableSpec(paper=path.parent.name, id=path.stem, path=path,
                     title=top.get("title", str), source=top.get("source", str, ""),
                     dataset=top.get("dataset", str, ""), seeds=seeds, reducer=reducer,
                     notes=top.get("notes", str, ""), metrics=metrics, run=run,
                     columns=columns, rows=rows, profiles=profiles)
    _check_methods(spec)
    return spec


def _load_metrics(top: Fields, path: Path) -> dict[str, Metric]:
    metrics: dict[str, Metric] = {}
    for i, data in enumerate(top.get("metrics", list)):
        f = Fields(data, path, f"metrics[{i}]")
        f.check_keys({"name", "label", "better", "extractor"})
        name = f.get("name", str)
        better = f.get("better", str)
        if better not in ("higher", "lower"):
            raise SpecError(path, f.field("better"), f"got {better!r}; allowed: higher, lower")
        if name in metrics:
            raise SpecError(path, f.field("name"), f"duplicate metric {name!r}")
        metrics[name] = Metric(name, f.get("label", str, name), better, f.get("extractor", str, ""))
    return metrics


def _load_columns(top: Fields, path: Path, metrics: dict[str, Metric],
                  reducer: str) -> list[Column]:
    columns: list[Column] = []
    for i, data in enumerate(top.get("columns", list)):
        f = Fields(data, path, f"columns[{i}]")
        f.check_keys({"key", "label", "metric", "reducer", "overrides"})
        key, metric = f.get("key", str), f.get("metric", str)
        if metric not in metrics:
            raise SpecError(path, f.field("metric"),
                            f"unknown metric {metric!r}; allowed: {', '.join(metrics)}")
        if key in {c.key for c in columns}:
            raise SpecError(path, f.field("key"), f"duplicate column key {key!r}")
        col_reducer = check_reducer(f.get("reducer", str, reducer), path, f.field("reducer"))
        overrides = check_run(f.get("overrides", dict, {}), path, f.field("overrides"))
        columns.append(Column(key, f.get("label", str, key), metric, col_reducer, overrides))
    return columns


def _load_rows(top: Fields, path: Path, column_keys: set[str]) -> list[Row]:
    rows: list[Row] = []
    for i, data in enumerate(top.get("rows", list)):
        f = Fields(data, path, f"rows[{i}]")
        f.check_keys({"key", "label", "overrides", "paper", "cited", "pending"})
        key = f.get("key", str)
        if key in {r.key for r in rows}:
            raise SpecError(path, f.field("key"), f"duplicate row key {key!r}")
        paper = {}
        for col, text in f.get("paper", dict, {}).items():
            where = f"{f.field('paper')}.{col}"
            if col not in column_keys:
                raise SpecError(path, where, f"unknown column; allowed: {', '.join(column_keys)}")
            if not isinstance(text, str):
                raise SpecError(path, where, "expected a string such as \"5.3±1.1\"")
            paper[col] = parse_paper_value(text, path, where)
        rows.append(Row(key, f.get("label", str, key),
                        check_run(f.get("overrides", dict, {}), path, f.field("overrides")),
                        paper, f.get("cited", bool, False), f.get("pending", str, "")))
    return rows


def _check_methods(spec: TableSpec) -> None:
    for i, row in enumerate(spec.rows):
        if row.cited:
            continue
        for j, col in enumerate(spec.columns):
            layers = [("run", spec.run), (f"columns[{j}].overrides", col.overrides),
                      (f"rows[{i}].overrides", row.overrides)]
            layers += [(f"profiles.{n}.run", p.run) for n, p in spec.profiles.items()]
            name = spec._method_of(row, col)
            if spec.row_changes_method(row, col) and name in registry.names():
                info = registry.get(name)
                layers = [(w, layer if w.startswith("rows[") else declared_params(layer, info))
                          for w, layer in layers]
            check_method_params(layers, name, spec.path, bool(row.pending))
            if not row.pending:
                check_metric_names([col.metric], name, spec.path, f"columns[{j}].metric")


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))
