"""From a table or figure spec and a profile to cells (or figure points) and runs, each
run keyed by the hash of its resolved config."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from methods import registry
from reproduce.checkpoints import config_hash
from reproduce.figspecs import FigureSpec, Series
from reproduce.profiles import at_paper_scale
from reproduce.specs import Column, Row, TableSpec

if TYPE_CHECKING:
    from reproduce.store import Store


def run_id(config: dict[str, Any]) -> str:
    """Stable id of a resolved run config: 16 hex digits of SHA-256 of its canonical JSON."""
    return config_hash(config)[:16]


@dataclass(frozen=True)
class RunSpec:
    """One training run: its id and its resolved config (with seed and profile)."""

    run_id: str
    config: dict[str, Any]

    @property
    def method(self) -> str:
        return self.config["method"]


@dataclass(frozen=True)
class Cell:
    """One table cell: a row, a column, and the runs (one per seed) that fill it."""

    row: Row
    column: Column
    run_ids: tuple[str, ...]

    @property
    def kind(self) -> str:
        return self.row.kind


@dataclass(frozen=True)
class Group:
    """What `status` reports on: a table cell or a figure point, and its runs."""

    label: str
    kind: str  # trainable | cited | pending
    note: str
    run_ids: tuple[str, ...]


class _Runs:
    """What table and figure plans share: their heading and cost estimates."""

    spec: TableSpec | FigureSpec
    runs: dict[str, RunSpec]
    profile: str
    kind: str

    @property
    def heading(self) -> str:
        return f"{self.spec.paper} {self.kind} {self.spec.id}: {self.spec.title}"

    def cost_cpu_seconds(self) -> float:
        """Rough CPU cost of the runs of CPU methods, from each method's measured cost at
        its defaults, scaled by the run's work (steps, or the method's ``cost_scale``)."""
        return sum(_run_cost(r) for r in self.runs.values()
                   if not (at_paper_scale(self.profile) and registry.get(r.method).gpu_hours))

    def gpu_hours(self) -> float:
        """Estimated GPU-hours of the paper-scale runs of GPU methods (0 for other profiles)."""
        if not at_paper_scale(self.profile):
            return 0.0
        return sum(registry.get(r.method).gpu_hours * work_scale(r) for r in self.runs.values())


@dataclass
class Plan(_Runs):
    """Everything a table needs in one profile."""

    spec: TableSpec
    profile: str
    seeds: int
    cells: list[Cell]
    runs: dict[str, RunSpec] = field(default_factory=dict)
    kind: str = "Table"

    def groups(self) -> list[Group]:
        return [Group(f"{c.row.label} / {c.column.label}", c.kind, c.row.pending, c.run_ids)
                for c in self.cells]

    def run_keys(self) -> dict[str, list[str]]:
        """For each run id, the keys of the rows whose cells use it (one pass)."""
        return _keys_of((c.row.key, c.run_ids) for c in self.cells)


@dataclass(frozen=True)
class FigurePoint:
    """One point (or panel) of a figure series and the runs, one per seed, behind it."""

    series: Series
    x: Any
    runs: tuple[RunSpec, ...]

    def done_ids(self, store: Store) -> list[str]:
        """The ids of this point's runs that finished in ``store``."""
        return [r.run_id for r in self.runs if store.state(r.run_id) == "done"]


@dataclass
class FigurePlan(_Runs):
    """Everything a figure needs in one profile."""

    spec: FigureSpec
    profile: str
    seeds: int
    points: list[FigurePoint]
    runs: dict[str, RunSpec] = field(default_factory=dict)
    kind: str = "Figure"

    def groups(self) -> list[Group]:
        return [Group(p.series.label + ("" if p.x is None else f" @ {p.x}"),
                      p.series.kind, p.series.pending,
                      tuple(r.run_id for r in p.runs)) for p in self.points]

    def run_keys(self) -> dict[str, list[str]]:
        """For each run id, the keys of the series that use it (one pass)."""
        return _keys_of((p.series.key, tuple(r.run_id for r in p.runs)) for p in self.points)


def _keys_of(pairs: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, list[str]]:
    keys: dict[str, dict[str, None]] = {}
    for key, run_ids in pairs:
        for rid in run_ids:
            keys.setdefault(rid, {})[key] = None
    return {rid: list(k) for rid, k in keys.items()}


def plan_table(spec: TableSpec, profile: str = "paper", seeds: int | None = None) -> Plan:
    """Resolve every trainable cell to its runs; runs with equal configs are shared."""
    n_seeds = seeds or spec.seeds_for(profile)
    plan = Plan(spec=spec, profile=profile, seeds=n_seeds, cells=[])
    for row in spec.rows:
        for column in spec.columns:
            runs: tuple[RunSpec, ...] = ()
            if row.trainable:
                runs = seeded_runs(spec.cell_config(row, column, profile), n_seeds, profile)
            for run in runs:
                plan.runs.setdefault(run.run_id, run)
            plan.cells.append(Cell(row, column, tuple(r.run_id for r in runs)))
    return plan


def seeded_runs(base: dict[str, Any], n_seeds: int, profile: str) -> tuple[RunSpec, ...]:
    """One run per seed 0..n_seeds-1 of the unseeded config ``base``."""
    runs = []
    for seed in range(n_seeds):
        config = {**base, "seed": seed, "profile": profile}
        runs.append(RunSpec(run_id(config), config))
    return tuple(runs)


def plan_figure(spec: FigureSpec, profile: str, seeds: int | None = None
                ) -> list[FigurePoint]:
    """Runs per (series, x value); pending series get no runs."""
    n_seeds = seeds or spec.seeds_for(profile)
    points = []
    for series in spec.series:
        if series.untrained:
            points.append(FigurePoint(series, None, ()))
            continue
        for x, base in spec.configs(series, profile):
            points.append(FigurePoint(series, x, seeded_runs(base, n_seeds, profile)))
    return points


def figure_plan(spec: FigureSpec, profile: str = "paper", seeds: int | None = None
                ) -> FigurePlan:
    """The figure's points and its runs (equal configs shared) as one plan."""
    points = plan_figure(spec, profile, seeds)
    plan = FigurePlan(spec, profile, seeds or spec.seeds_for(profile), points)
    for point in points:
        for run in point.runs:
            plan.runs.setdefault(run.run_id, run)
    return plan


def work_scale(run: RunSpec) -> float:
    """A run's work relative to a run at its method's defaults: the method's
    ``cost_scale``, else its steps over the default steps, else 1."""
    info = registry.get(run.method)
    if info.cost_scale is not None:
        return info.cost_scale(run.config["params"])
    steps = run.config["params"].get("steps")
    default_steps = info.defaults.get("steps")
    return steps / default_steps if steps and default_steps else 1.0


def _run_cost(run: RunSpec) -> float:
    info = registry.get(run.method)
    if run.config.get("profile") == "smoke" and info.smoke_cpu_seconds:
        return info.smoke_cpu_seconds
    return info.cost_cpu_seconds * work_scale(run)

