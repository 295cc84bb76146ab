"""Load and validate figure specs (``figures/<paper>/<id>.toml``); see docs/SPECS.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from methods import registry
from methods.params import ParamError, check_value
from reproduce.errors import SpecError, UserError
from reproduce.figure_display import Display, load_display
from reproduce.profiles import Profile, load_profiles, resolve_profile
from reproduce.spec_checks import (
    check_method_params,
    check_metric_names,
    check_reducer,
    check_run,
    read_toml,
)
from reproduce.specs import PAPERS, kind_of, spec_root
from reproduce.validate import Fields, deep_merge

KINDS = ("line", "bar", "hist", "indexed", "scatter2d", "density2d", "grid")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    overrides: dict[str, Any]
    x_values: list[Any]
    paper: list[list[float]]
    pending: str = ""
    member: int | None = None  # member j of a sweep run: reads ``<y>_m<j>``, ``<artifact>_m<j>``
    cited: bool = False  # another work's curve, drawn only from its paper points

    @property
    def untrained(self) -> bool:
        """Whether the harness trains nothing for this series (pending or cited)."""
        return bool(self.pending) or self.cited

    @property
    def kind(self) -> str:
        return kind_of(self.cited, self.pending)

    def metric(self, name: str) -> str:
        """The metric key this series reads for ``name``."""
        return name if self.member is None else f"{name}_m{self.member}"

    def artifact(self, name: str) -> str:
        """The artifact file this series reads for ``name`` (``samples.npz``)."""
        if self.member is None:
            return name
        stem, dot, ext = name.rpartition(".")
        return f"{stem}_m{self.member}.{ext}" if dot else f"{name}_m{self.member}"


@dataclass(frozen=True)
class FigureSpec:
    paper: str
    id: str
    path: Path
    title: str
    source: str
    kind: str
    x: str
    y: str
    band: list[str]
    reducer: str
    better: str
    seeds: int
    artifact: str
    xlabel: str
    ylabel: str
    notes: str
    run: dict[str, Any]
    series: list[Series]
    profiles: dict[str, Profile]
    display: Display = field(default_factory=Display)  # see reproduce/figure_display.py
    analogue_of: str = ""  # the paper's figure this one stands in for (e.g. 2-D for MNIST)

    def profile(self, name: str) -> Profile:
        return resolve_profile(self.profiles, name, self.path)

    def seeds_for(self, profile: str) -> int:
        return self.profile(profile).seeds or self.seeds

    def configs(self, series: Series, profile: str) -> list[tuple[Any, dict[str, Any]]]:
        """(x value, run config before seeding) for each point of a series."""
        method = registry.get(deep_merge(self.run, series.overrides)["method"])
        base = {"method": method.name, "dataset": "", "params": dict(method.defaults)}
        for layer in (self.run, series.overrides, self.profile(profile).run):
            base = deep_merge(base, layer)
        if self.x == "step" or not series.x_values:
            return [(None, _checked(method, base))]
        return [(value, _checked(method, deep_merge(base, _path_override(self.x, value))))
                for value in series.x_values]


def _checked(method: registry.MethodInfo, config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "params": method.check(config["params"])}


def _path_override(path: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def figure_ids(paper: str, root: Path | None = None) -> list[str]:
    folder = spec_root(root) / "figures" / paper
    return sorted((p.stem for p in folder.glob("*.toml")),
                  key=lambda s: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)])


def find_figure(paper: str, fig_id: str, root: Path | None = None) -> FigureSpec:
    if paper not in PAPERS:
        raise UserError(f"--paper: unknown paper {paper!r}; allowed: {', '.join(PAPERS)}")
    ids = figure_ids(paper, root)
    if fig_id not in ids:
        raise UserError(f"--id: paper {paper!r} has no figure {fig_id!r}; "
                        f"allowed: {', '.join(ids) or '(none)'}")
    return load_figure(spec_root(root) / "figures" / paper / f"{fig_id}.toml")


def load_figure(path: Path) -> FigureSpec:
    """Load and validate one figure spec; raises SpecError naming file and field."""
    path = Path(path)
    top = Fields(read_toml(path), path, "")
    top.check_keys({"title", "source", "kind", "x", "y", "band", "reducer", "better", "seeds",
                    "artifact", "xlabel", "ylabel", "notes", "run", "series", "profiles",
                    "display", "analogue_of"})
    kind = top.get("kind", str)
    if kind not in KINDS:
        raise SpecError(path, "kind", f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    run = check_run(top.get("run", dict, {}), path, "run")
    series = _load_series(top, path)
    profiles = load_profiles(top, path)
    keys = [s.key for s in series]
    if len(set(keys)) != len(keys):
        raise SpecError(path, "series", f"duplicate series keys in {keys}")
    seeds = top.get("seeds", int, 1)
    if seeds < 1:
        raise SpecError(path, "seeds", "must be at least 1")
    better = top.get("better", str, "lower")
    if better not in ("higher", "lower"):
        raise SpecError(path, "better", f"got {better!r}; allowed: higher, lower")
    spec = FigureSpec(
        paper=path.parent.name, id=path.stem, path=path, title=top.get("title", str),
        source=top.get("source", str, ""), kind=kind, x=top.get("x", str, "step"),
        y=top.get("y", str, ""), band=top.get("band", list, []),
        reducer=check_reducer(top.get("reducer", str, "last"), path, "reducer"),
        better=better, seeds=seeds, artifact=top.get("artifact", str, ""),
        xlabel=top.get("xlabel", str, ""), ylabel=top.get("ylabel", str, ""),
        notes=top.get("notes", str, ""), run=run, series=series, profiles=profiles,
        display=load_display(top.get("display", dict, {}), path),
        analogue_of=top.get("analogue_of", str, ""))
    for i, s in enumerate(spec.series):
        layers = [("run", spec.run), (f"series[{i}].overrides", s.overrides)]
        layers += [(f"profiles.{n}.run", p.run) for n, p in spec.profiles.items()]
        method = deep_merge(spec.run, s.overrides).get("method", "")
        check_method_params(layers, method, path, s.untrained)
        if spec.x != "step" and not s.untrained:
            _check_x(spec, method, i)
        if not s.untrained:
            for field_name, names in (("y", [spec.y] if spec.y else []), ("band", spec.band)):
                check_metric_names(names, method, path, field_name)
        if s.member is not None and not s.untrained:
            _check_member(spec, i, method)
    return spec


def _load_series(top: Fields, path: Path) -> list[Series]:
    """The ``[[series]]`` entries, each checked field by field."""
    series = []
    for i, data in enumerate(top.get("series", list)):
        f = Fields(data, path, f"series[{i}]")
        f.check_keys({"key", "label", "overrides", "x_values", "paper", "pending", "member",
                      "cited"})
        member = f.get("member", int, -1)
        if "member" in data and member < 0:
            raise SpecError(path, f.field("member"), f"got {member}; allowed: an integer >= 0")
        paper = f.get("paper", list, [])
        for j, point in enumerate(paper):
            if not (isinstance(point, list) and len(point) == 2
                    and all(isinstance(v, int | float) for v in point)):
                raise SpecError(path, f"series[{i}].paper[{j}]", "expected [x, y] numbers")
        series.append(Series(f.get("key", str), f.get("label", str, f.get("key", str)),
                             check_run(f.get("overrides", dict, {}), path, f.field("overrides")),
                             f.get("x_values", list, []), paper, f.get("pending", str, ""),
                             member if member >= 0 else None, f.get("cited", bool, False)))
    return series


def _check_member(spec: FigureSpec, index: int, method: str) -> None:
    """``member`` must name a member that the series' run trains, in every profile."""
    series, count = spec.series[index], registry.get(method).members
    for profile in ("paper", *spec.profiles):
        params = spec.configs(series, profile)[0][1]["params"]
        n = count(params) if count else 1
        if series.member is not None and series.member >= n:
            raise SpecError(spec.path, f"series[{index}].member",
                            f"got {series.member}; the run of profile {profile!r} trains "
                            f"{n} member(s), so allowed: 0..{n - 1}")


def _check_x(spec: FigureSpec, method: str, index: int) -> None:
    """``x`` must be ``step`` or ``params.<a parameter the method declares>``, and every
    ``x_values`` entry a value that parameter allows."""
    parts = spec.x.split(".")
    declared = registry.get(method).params
    if len(parts) != 2 or parts[0] != "params" or parts[1] not in declared:
        raise SpecError(spec.path, "x", f"got {spec.x!r}; allowed: step, or params.<name> "
                        f"with a parameter of {method!r} ({', '.join(sorted(declared))})")
    for j, value in enumerate(spec.series[index].x_values):
        try:
            check_value(declared[parts[1]], value)
        except ParamError as err:
            raise SpecError(spec.path, f"series[{index}].x_values[{j}]", str(err)) from None
