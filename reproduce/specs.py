"""Load and validate table specs (``tables/<paper>/<id>.toml``); see docs/SPECS.md."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from methods import registry
from methods.params import ParamError, check_value
from reproduce.errors import SpecError, UserError
from reproduce.validate import Fields, deep_merge

REPO_ROOT = Path(__file__).resolve().parents[1]
PAPERS = ("watanabe", "noroozi", "cho", "zhou", "liu")
PROFILES = ("paper", "official", "smoke")
# profiles that run at the paper's own scale: ``paper`` follows the paper's text,
# ``official`` the values of the paper's public code where the two disagree (its ``note``
# names the source); ``smoke`` is toy scale, never comparable with the paper's numbers
FULL_SCALE = ("paper", "official")
RUN_KEYS = {"method", "dataset", "params"}
_REDUCER = re.compile(r"^(last|best|last_k:[1-9][0-9]*)$")
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


@dataclass(frozen=True)
class Profile:
    seeds: int | None
    run: dict[str, Any]
    note: str = ""  # the protocol's source (required for ``official``)


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


def declared_params(layer: dict[str, Any], method: registry.MethodInfo) -> dict[str, Any]:
    """``layer`` with only the params ``method`` declares. A row that names its own method
    inherits from the table, column and profile layers the data set and the parameters
    the two methods share (image size, sample counts, extractors), not the others."""
    if "params" not in layer:
        return layer
    return {**layer, "params": {k: v for k, v in layer["params"].items()
                                if k in method.params}}


def at_paper_scale(profile: str) -> bool:
    """Whether ``profile`` runs at the paper's own scale (its numbers are comparable)."""
    return profile in FULL_SCALE


def protocols(profiles: dict[str, Profile]) -> dict[str, str]:
    """The paper-scale protocols a spec can run and what each follows: ``paper`` always,
    ``official`` where the spec defines it (its note names the public code)."""
    out = {"paper": "the paper's text"}
    out.update({n: profiles[n].note for n in FULL_SCALE if n != "paper" and n in profiles})
    return out


def resolve_profile(profiles: dict[str, Profile], name: str, path: Path) -> Profile:
    """The named profile of a spec; ``paper`` falls back to the spec's base values. Any
    other profile (``official``, ``smoke``) exists only where the spec defines it."""
    if name in profiles:
        return profiles[name]
    if name == "paper":
        return Profile(None, {})
    raise UserError(f"{path}: profiles: no profile {name!r} in this spec; "
                    f"defined: {', '.join(['paper', *profiles])}")


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


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning syntax errors into a one-line SpecError."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(path, "", f"invalid TOML: {err}") from None
    except OSError as err:
        raise SpecError(path, "", f"cannot read: {err.strerror}") from None


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


def check_reducer(value: str, path: Path, where: str) -> str:
    if not _REDUCER.match(value):
        raise SpecError(path, where, f"unknown reducer {value!r}; allowed: last, best, last_k:N")
    return value


def check_run(data: dict[str, Any], path: Path, where: str) -> dict[str, Any]:
    """Check the keys and types of a run-config layer (method, dataset, params)."""
    fields = Fields(data, path, where)
    fields.check_keys(RUN_KEYS)
    fields.get("method", str, "")
    fields.get("dataset", str, "")
    fields.get("params", dict, {})
    return data


def check_method_params(config_layers: list[tuple[str, dict[str, Any]]], method_name: str,
                        path: Path, pending: bool) -> None:
    """Every params key of every layer must be a parameter the method declares."""
    if method_name not in registry.names():
        if pending:
            return
        where = next((w for w, layer in reversed(config_layers) if "method" in layer), "run")
        raise SpecError(path, f"{where}.method",
                        f"unknown method {method_name!r}; allowed: {', '.join(registry.names())}"
                        " (or mark the row pending/cited)")
    info = registry.get(method_name)
    for where, layer in config_layers:
        for key, value in layer.get("params", {}).items():
            if key not in info.params:
                raise SpecError(path, f"{where}.params.{key}",
                                f"unknown parameter of method {method_name!r}; "
                                f"allowed: {', '.join(sorted(info.params))}")
            try:
                check_value(info.params[key], value)
            except ParamError as err:
                raise SpecError(path, f"{where}.params.{key}", str(err)) from None


def check_metric_names(names: Iterable[str], method_name: str, path: Path, where: str) -> None:
    """Every metric a spec reads from a method's runs must be one the method writes."""
    if method_name not in registry.names():
        return
    known = registry.get(method_name).metrics
    for name in names:
        if name not in known:
            raise SpecError(path, where, f"metric {name!r} is not written by method "
                            f"{method_name!r}; allowed: {', '.join(known)}")


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


def load_profiles(top: Fields, path: Path) -> dict[str, Profile]:
    """The ``[profiles.<name>]`` sections: ``seeds`` (>= 1), ``run`` (params, dataset) and
    ``note`` (what the protocol follows; required for ``official``)."""
    profiles: dict[str, Profile] = {}
    section = top.sub("profiles")
    for name in section.data:
        if name not in PROFILES:
            raise SpecError(path, f"profiles.{name}",
                            f"unknown profile; allowed: {', '.join(PROFILES)}")
        f = section.sub(name)
        f.check_keys({"seeds", "run", "note"})
        note = f.get("note", str, "")
        if name == "official" and not note.strip():
            raise SpecError(path, f.field("note"), "required: the public code (repository) "
                            "whose values this protocol uses")
        seeds = f.get("seeds", int, None)
        if seeds is not None and seeds < 1:
            raise SpecError(path, f.field("seeds"), "must be at least 1")
        run = check_run(f.get("run", dict, {}), path, f.field("run"))
        if "method" in run:
            raise SpecError(path, f"{f.field('run')}.method", "a profile changes the scale of "
                            "a run, not its method; allowed here: dataset, params")
        profiles[name] = Profile(seeds, run, note)
    return profiles


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
