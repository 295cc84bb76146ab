"""The shape of every record in a run folder, checked on every read.

Each check returns None for a valid record or a short reason; the store turns a reason
into the state ``corrupt`` with ``corrupt: <file>: <reason>``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

RUN_ID = re.compile(r"[0-9a-f]{16}")
STORED_STATES = ("pending", "running", "done", "failed")
_CONFIG_TYPES: dict[str, type | tuple[type, ...]] = {
    "method": str, "dataset": str, "params": dict, "seed": int, "profile": str}
_STATUS_NUMBERS = ("updated", "started", "finished", "wall_seconds", "step", "total")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value),
                                                                    type(value).__name__)


def check_config(config: Any) -> str | None:
    if not isinstance(config, dict):
        return f"expected an object, found {_kind(config)}"
    for key, kind in _CONFIG_TYPES.items():
        if key not in config:
            return f"no {key!r}"
        value = config[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{key!r} is {_kind(value)}, expected {kind.__name__}"
    return None


def check_status(status: Any) -> str | None:
    if not isinstance(status, dict):
        return f"expected an object, found {_kind(status)}"
    if status.get("state") not in STORED_STATES:
        return (f"state {status.get('state')!r} is unknown; "
                f"allowed: {', '.join(STORED_STATES)}")
    for key in _STATUS_NUMBERS:
        if status.get(key) is not None and not _is_number(status[key]):
            return f"{key!r} is {_kind(status[key])}, expected a number"
    if not isinstance(status.get("reason", ""), str):
        return "'reason' is not a string"
    return None


def check_result(result: Any) -> str | None:
    if not isinstance(result, dict):
        return f"expected an object of metric values, found {_kind(result)}"
    bad = [k for k, v in result.items() if not _is_scalar(v)]
    if bad:
        return f"value of {bad[0]!r} is {_kind(result[bad[0]])}, expected a number or text"
    return None


def check_provenance(provenance: Any) -> str | None:
    if not isinstance(provenance, dict):
        return f"expected an object, found {_kind(provenance)}"
    wall = provenance.get("wall_seconds")
    if wall is not None and not (_is_number(wall) and math.isfinite(wall) and wall >= 0):
        return "'wall_seconds' is not a non-negative number"
    return None


def parse_metrics(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """(entries, reason): the evaluations up to the first bad line and why that line is
    bad (None when every line is good)."""
    entries: list[dict[str, Any]] = []
    last = -1
    lines = [line for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            return entries, f"line {number} is not JSON (half-written?)"
        reason = _check_entry(entry, last)
        if reason:
            return entries, f"line {number}: {reason}"
        last = entry["step"]
        entries.append(entry)
    return entries, None


def _check_entry(entry: Any, last_step: int) -> str | None:
    if not isinstance(entry, dict):
        return f"expected an object, found {_kind(entry)}"
    step = entry.get("step")
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        return "no integer 'step' >= 0"
    if step <= last_step:
        return f"step {step} does not follow step {last_step}"
    bad = [k for k, v in entry.items() if not _is_scalar(v)]
    return f"value of {bad[0]!r} is {_kind(entry[bad[0]])}" if bad else None


def read_metrics_file(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """The evaluations of a ``metrics.jsonl`` and the reason it is damaged (or None)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return [], None
    except (OSError, UnicodeDecodeError) as err:
        return [], f"unreadable ({type(err).__name__})"
    return parse_metrics(text)
