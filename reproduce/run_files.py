"""What a run folder holds besides its config and status: the metrics log, the result,
provenance, the checkpoint and artifacts (the file names are known here and in store.py
only). Mixed into :class:`reproduce.store.Store`."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reproduce import checkpoints, integrity
from reproduce.errors import UserError
from reproduce.storeio import atomic_write_bytes, atomic_write_json, read_json

if TYPE_CHECKING:
    import pandas as pd

EVAL_COLUMNS = ["run_id", "step", "metric", "value"]
CHECKPOINT = "checkpoint.pt"
_ARTIFACT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.npz")


class RunFiles:
    """Records of a run other than config and status (``Store`` provides ``run_dir``,
    ``run_ids``, ``config``, ``state`` and ``set_status``)."""

    root: Path

    # --- metrics --------------------------------------------------------------------
    def log_eval(self, run_id: str, step: int, metrics: dict[str, Any]) -> None:
        """Record one evaluation; a second record for the same step replaces the first."""
        entries = {e["step"]: e for e in self.metrics_log(run_id)}
        entries[int(step)] = {"step": int(step), **{k: _num(v) for k, v in metrics.items()}}
        self._write_log(run_id, [entries[s] for s in sorted(entries)])

    def truncate_log(self, run_id: str, after_step: int) -> None:
        """Keep the evaluations up to ``after_step`` (a resumed run recomputes the rest)."""
        self._write_log(run_id, [e for e in self.metrics_log(run_id) if e["step"] <= after_step])

    def _write_log(self, run_id: str, entries: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries)
        atomic_write_bytes(self.run_dir(run_id) / "metrics.jsonl", text.encode())

    def metrics_log(self, run_id: str) -> list[dict[str, Any]]:
        """The run's valid evaluations, up to the first damaged line."""
        return integrity.read_metrics_file(self.run_dir(run_id) / "metrics.jsonl")[0]

    def metrics_damage(self, run_id: str) -> str | None:
        """Why the run's metrics log is damaged (e.g. a half-written last line), or None."""
        return integrity.read_metrics_file(self.run_dir(run_id) / "metrics.jsonl")[1]

    def metrics_frame(self, run_ids: Iterable[str]) -> pd.DataFrame:
        """Every numeric evaluation of the runs, long form: run_id, step, metric, value."""
        import pandas as pd

        records = [(rid, entry["step"], k, v) for rid in run_ids
                   for entry in self.metrics_log(rid) for k, v in entry.items()
                   if k != "step" and isinstance(v, int | float) and not isinstance(v, bool)]
        return pd.DataFrame.from_records(records, columns=EVAL_COLUMNS)

    # --- result and provenance ---------------------------------------------------------
    def write_result(self, run_id: str, metrics: dict[str, Any],
                     provenance: dict[str, Any]) -> None:
        """Publish a finished run: provenance and result first, ``done`` last."""
        run_dir = self.run_dir(run_id)
        atomic_write_json(run_dir / "provenance.json", provenance)
        atomic_write_json(run_dir / "result.json", {k: _num(v) for k, v in metrics.items()})
        self.set_status(run_id, "done", finished=provenance.get("finished"),
                        wall_seconds=provenance.get("wall_seconds"))

    def merge_result(self, run_id: str, values: dict[str, Any]) -> None:
        """Add (or replace) values in a finished run's result."""
        merged = {**(self.result(run_id) or {}), **{k: _num(v) for k, v in values.items()}}
        atomic_write_json(self.run_dir(run_id) / "result.json", merged)

    def result(self, run_id: str) -> dict[str, Any] | None:
        result = read_json(self.run_dir(run_id) / "result.json")
        return result if integrity.check_result(result) is None else None

    def provenance(self, run_id: str) -> dict[str, Any]:
        record = read_json(self.run_dir(run_id) / "provenance.json", {})
        return record if isinstance(record, dict) else {}

    # --- checkpoint -------------------------------------------------------------------
    def has_checkpoint(self, run_id: str) -> bool:
        path = self.run_dir(run_id) / CHECKPOINT
        return path.is_file() and path.stat().st_size > 0

    def save_checkpoint(self, run_id: str, state: dict[str, Any], config: dict[str, Any],
                        threads: int) -> None:
        stamp = checkpoints.stamp(run_id, config, threads)
        checkpoints.save(self.run_dir(run_id) / CHECKPOINT, state, stamp)

    def load_checkpoint(self, run_id: str, config: dict[str, Any],
                        threads: int | None) -> dict[str, Any] | None:
        """The run's checkpoint, checked (:func:`reproduce.checkpoints.load`), or None."""
        path = self.run_dir(run_id) / CHECKPOINT
        if not path.exists():
            return None
        return checkpoints.load(path, checkpoints.stamp(run_id, config, threads or 0)
                                | {"threads": threads})

    def set_aside_checkpoint(self, run_id: str) -> str:
        """Rename a damaged checkpoint (kept for inspection); returns its new name."""
        path = self.run_dir(run_id) / CHECKPOINT
        target = path.with_name(f"{CHECKPOINT}.damaged-{os.getpid()}")
        os.replace(path, target)
        return target.name

    def finished_like(self, config: dict[str, Any], ignore_params: set[str],
                      exclude: str = "") -> str | None:
        """A done run with a checkpoint whose config equals ``config`` but for the params in
        ``ignore_params`` (e.g. evaluation-time settings), or None. Only folders named by a
        valid run id whose config hashes to that id count."""
        def strip(cfg: dict[str, Any]) -> dict[str, Any]:
            params = {k: v for k, v in cfg.get("params", {}).items() if k not in ignore_params}
            return {**cfg, "params": params}

        wanted = strip(config)
        for rid in self.run_ids():
            if rid == exclude or not integrity.RUN_ID.fullmatch(rid) or \
                    not self.has_checkpoint(rid):
                continue
            other = self.config(rid)
            if other is not None and strip(other) == wanted and self.state(rid) == "done":
                return rid
        return None

    # --- artifacts --------------------------------------------------------------------
    def save_artifact(self, run_id: str, name: str, data: bytes | None = None,
                      **arrays: Any) -> None:
        """Write the artifact ``name`` (an ``.npz`` file) atomically: numpy ``arrays``, or
        ``data``, the bytes of an ``.npz`` file already made."""
        if data is None:
            import numpy as np

            buffer = io.BytesIO()
            np.savez(buffer, **arrays)
            data = buffer.getvalue()
        atomic_write_bytes(self.run_dir(run_id) / _artifact(name), data)

    def has_artifact(self, run_id: str, name: str) -> bool:
        return (self.run_dir(run_id) / _artifact(name)).is_file()

    def read_artifact(self, run_id: str, name: str) -> dict[str, Any]:
        """The arrays of artifact ``name`` (no pickled objects are loaded)."""
        import numpy as np

        path = self.run_dir(run_id) / _artifact(name)
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except FileNotFoundError:
            raise UserError(f"{path}: no artifact {name}") from None
        except (OSError, ValueError) as err:
            raise UserError(f"{path}: unreadable artifact ({err})") from None


def _artifact(name: str) -> str:
    if not _ARTIFACT.fullmatch(name):
        raise ValueError(f"artifact name {name!r}: allowed: letters, digits, _ . - ending .npz")
    return name


def _num(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
