"""From a table spec and a profile to cells and runs, each run keyed by its config hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from methods import registry
from reproduce.specs import Column, Row, TableSpec


def run_id(config: dict[str, Any]) -> str:
    """Stable id of a resolved run config: 16 hex digits of SHA-256 of its canonical JSON."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


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
        if self.row.cited:
            return "cited"
        if self.row.pending:
            return "pending"
        return "trainable"


@dataclass
class Plan:
    """Everything a table needs in one profile."""

    spec: TableSpec
    profile: str
    seeds: int
    cells: list[Cell]
    runs: dict[str, RunSpec] = field(default_factory=dict)

    def cost_cpu_seconds(self) -> float:
        """Rough CPU cost of the runs of CPU methods, from each method's measured cost at
        its defaults, scaled by the run's work (steps, or the method's ``cost_scale``)."""
        return sum(_run_cost(r) for r in self.runs.values()
                   if not (self.profile == "paper" and registry.get(r.method).gpu_hours))

    def gpu_hours(self) -> float:
        """Estimated GPU-hours of the paper-scale runs of GPU methods (0 for other profiles)."""
        if self.profile != "paper":
            return 0.0
        return sum(registry.get(r.method).gpu_hours for r in self.runs.values())


def plan_table(spec: TableSpec, profile: str = "paper", seeds: int | None = None) -> Plan:
    """Resolve every trainable cell to its runs; runs with equal configs are shared."""
    n_seeds = seeds or spec.seeds_for(profile)
    plan = Plan(spec=spec, profile=profile, seeds=n_seeds, cells=[])
    for row in spec.rows:
        for column in spec.columns:
            ids: list[str] = []
            if row.trainable:
                base = spec.cell_config(row, column, profile)
                for seed in range(n_seeds):
                    config = {**base, "seed": seed, "profile": profile}
                    rid = run_id(config)
                    plan.runs.setdefault(rid, RunSpec(rid, config))
                    ids.append(rid)
            plan.cells.append(Cell(row, column, tuple(ids)))
    return plan


def _run_cost(run: RunSpec) -> float:
    info = registry.get(run.method)
    if run.config.get("profile") == "smoke" and info.smoke_cpu_seconds:
        return info.smoke_cpu_seconds
    if info.cost_scale is not None:
        return info.cost_cpu_seconds * info.cost_scale(run.config["params"])
    steps = run.config["params"].get("steps")
    default_steps = info.defaults.get("steps")
    if steps and default_steps:
        return info.cost_cpu_seconds * steps / default_steps
    return info.cost_cpu_seconds
