"""GPU-hours of paper-scale runs from measured step times (torch-free).

``benchmarks/bench_gpu.py --record`` writes what it measured on a GPU into
``benchmarks/gpu_measurements.json``, keyed by the device's name::

    {"NVIDIA H200": {"measured": "<UTC time>", "git_commit": "...",
                     "methods": {"zhou_amgan": {"seconds_per_step": 0.004,
                                                "steps_per_default_run": 300000},
                                 "cho2d": {"seconds_per_step": 0.002,
                                           "steps_per_default_run": 100000,
                                           "seconds_per_step_by_members": {"1": ..., "8": ...}}}}}

A run's GPU time is the seconds of one default run scaled by the run's work relative to a
default run; for a method that batches members (cho2d), its steps times the measured step
time of the smallest measured sweep holding its members (a batched step costs about the
same for 1 or 8 members on a GPU). A method or device without a measured figure is said
to be not measured: no figure is guessed here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from methods import registry

MEASUREMENTS = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_measurements.json"


def load(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Device name -> its measured record ({} where nothing was measured)."""
    path = MEASUREMENTS if path is None else path
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return data if isinstance(data, dict) else {}


def relative_work(method: str, params: Mapping[str, Any]) -> float:
    """A run's work relative to one run at the method's defaults (``cost_scale``, else
    its ``steps`` against the default ``steps``, else 1)."""
    info = registry.get(method)
    if info.cost_scale is not None:
        return float(info.cost_scale(params))
    steps, default = params.get("steps"), info.defaults.get("steps")
    return float(steps) / float(default) if steps and default else 1.0


def run_seconds(entry: Mapping[str, Any], method: str, params: Mapping[str, Any]) -> float:
    """GPU seconds of one run from a method's measured ``entry``."""
    work = relative_work(method, params)
    info = registry.get(method)
    by_members = entry.get("seconds_per_step_by_members")
    if by_members and info.members is not None:
        members = int(info.members(params))
        sizes = sorted(int(k) for k in by_members)
        size = next((s for s in sizes if s >= members), sizes[-1])
        steps = float(entry["steps_per_default_run"]) * work / members
        return steps * float(by_members[str(size)]) * max(1.0, members / size)
    return float(entry["seconds_per_step"]) * float(entry["steps_per_default_run"]) * work


def plan_hours(runs: Iterable[tuple[str, Mapping[str, Any]]], device: str,
               measured: Mapping[str, Mapping[str, Any]] | None = None
               ) -> tuple[dict[str, float], list[str]]:
    """GPU-hours per method of ``(method, params)`` runs on ``device``, and the methods
    that were not measured there (GPU methods only: those with ``gpu_hours``)."""
    table = load() if measured is None else measured
    methods = table.get(device, {}).get("methods", {})
    hours: dict[str, float] = {}
    missing: list[str] = []
    for method, params in runs:
        if method not in methods:
            if registry.get(method).gpu_hours and method not in missing:
                missing.append(method)
            continue
        seconds = run_seconds(methods[method], method, params)
        hours[method] = hours.get(method, 0.0) + seconds / 3600
    return hours, missing


def summary_lines(runs: list[tuple[str, Mapping[str, Any]]],
                  measured: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    """What ``plan`` prints: measured GPU-hours per device, or that none was measured."""
    table = load() if measured is None else measured
    measured_somewhere = {m for rec in table.values() for m in rec.get("methods", {})}
    gpu_methods = sorted({m for m, _ in runs
                          if registry.get(m).gpu_hours or m in measured_somewhere})
    if not gpu_methods:
        return []
    if not table:
        return [f"GPU-hours: not measured on any GPU ({', '.join(gpu_methods)}); "
                "benchmarks/bench_gpu.py --record measures them"]
    lines = []
    for device in sorted(table):
        hours, missing = plan_hours(runs, device, table)
        parts = [f"{m} {h:.2f}" for m, h in sorted(hours.items())]
        text = f"GPU-hours on {device} (measured {table[device].get('measured', '?')}): "
        text += f"{sum(hours.values()):.2f}" + (f" ({', '.join(parts)})" if parts else "")
        if missing:
            text += f"; not measured there: {', '.join(missing)}"
        lines.append(text)
    return lines
