"""The run store: one directory per run, keyed by the hash of its resolved config.

``<store>/runs/<run_id>/`` holds ``config.json`` (the resolved config), ``status.json``
(state, reason, progress, owner), ``metrics.jsonl`` (one line per evaluation, keyed by
step), ``result.json`` (final metrics), ``provenance.json`` and ``checkpoint.pt``.
Every file is written atomically (temporary file in the same folder, then rename), so
many array tasks can share one store on a shared file system.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reproduce.errors import UserError

STATES = ("missing", "pending", "running", "done", "failed")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode())


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return default


class Store:
    """A folder of runs."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / run_id

    def run_ids(self) -> Iterator[str]:
        runs = self.root / "runs"
        if runs.is_dir():
            yield from sorted(p.name for p in runs.iterdir() if p.is_dir())

    # --- config -----------------------------------------------------------------
    def prepare(self, run_id: str, config: dict[str, Any]) -> None:
        """Create the run's folder with its config; refuse a different config under that id."""
        stored = self.config(run_id)
        if stored is not None and stored != config:
            raise UserError(f"{self.run_dir(run_id) / 'config.json'}: stored config differs from "
                            "the requested one; refusing to resume a run with changed settings")
        if stored is None:
            atomic_write_json(self.run_dir(run_id) / "config.json", config)
            self.set_status(run_id, "pending")

    def config(self, run_id: str) -> dict[str, Any] | None:
        return read_json(self.run_dir(run_id) / "config.json")

    # --- status -----------------------------------------------------------------
    def status(self, run_id: str) -> dict[str, Any]:
        """The run's status record; ``state`` is one of STATES."""
        run_dir = self.run_dir(run_id)
        if (run_dir / "result.json").exists():
            return {**read_json(run_dir / "status.json", {}), "state": "done"}
        status = read_json(run_dir / "status.json")
        if status is None:
            return {"state": "missing"}
        if status.get("state") == "running" and not _owner_alive(status):
            status = {**status, "state": "failed", "stale": True,
                      "reason": _gone_reason(status)}
        return status

    def state(self, run_id: str) -> str:
        return self.status(run_id)["state"]

    def set_status(self, run_id: str, state: str, **extra: Any) -> None:
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        record = {"state": state, "updated": time.time(), **extra}
        atomic_write_json(self.run_dir(run_id) / "status.json", record)

    def mark_running(self, run_id: str) -> None:
        self.set_status(run_id, "running", **_owner_record(), started=time.time())

    def claim(self, run_id: str) -> bool:
        """Take the run's lock for this process; False when a live owner holds it.

        The lock (``.lock`` in the run folder) names host, pid and SLURM job; a lock whose
        owner is gone (or is this same SLURM job, requeued) is taken over.
        """
        lock = self.run_dir(run_id) / ".lock"
        me = _owner_record()
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = read_json(lock, {})
                same_job = bool(me["job_id"]) and owner.get("job_id") == me["job_id"]
                if owner and not same_job and _owner_alive(owner):
                    return False
                lock.unlink(missing_ok=True)  # a stale lock: take it over
                continue
            with os.fdopen(fd, "w") as f:
                json.dump(me, f)
            return True
        return False

    def release(self, run_id: str) -> None:
        """Drop the run's lock if this process holds it."""
        lock = self.run_dir(run_id) / ".lock"
        owner = read_json(lock, {})
        if owner.get("pid") == os.getpid() and owner.get("host") == socket.gethostname():
            lock.unlink(missing_ok=True)

    def update_progress(self, run_id: str, step: int, total: int) -> None:
        status = read_json(self.run_dir(run_id) / "status.json", {})
        status.update(step=step, total=total, updated=time.time())
        atomic_write_json(self.run_dir(run_id) / "status.json", status)

    def finished_like(self, config: dict[str, Any], ignore_params: set[str],
                      exclude: str = "") -> str | None:
        """A done run with a checkpoint whose config equals ``config`` but for the params in
        ``ignore_params`` (e.g. evaluation-time settings), or None."""
        def strip(cfg: dict[str, Any]) -> dict[str, Any]:
            params = {k: v for k, v in cfg.get("params", {}).items() if k not in ignore_params}
            return {**cfg, "params": params}

        wanted = strip(config)
        for rid in self.run_ids():
            if rid == exclude or not (self.run_dir(rid) / "checkpoint.pt").is_file():
                continue
            other = self.config(rid)
            if other is not None and strip(other) == wanted and self.state(rid) == "done":
                return rid
        return None

    # --- metrics and results ---------------------------------------------------------
    def log_eval(self, run_id: str, step: int, metrics: dict[str, float]) -> None:
        """Record one evaluation; a second record for the same step replaces the first."""
        entries = {e["step"]: e for e in self.metrics_log(run_id)}
        entries[int(step)] = {"step": int(step), **{k: _num(v) for k, v in metrics.items()}}
        lines = [json.dumps(entries[s], sort_keys=True) for s in sorted(entries)]
        atomic_write_bytes(self.run_dir(run_id) / "metrics.jsonl",
                           ("\n".join(lines) + "\n").encode())

    def truncate_log(self, run_id: str, after_step: int) -> None:
        """Drop evaluations after ``after_step`` (a resumed run recomputes them)."""
        kept = [e for e in self.metrics_log(run_id) if e["step"] <= after_step]
        atomic_write_bytes(self.run_dir(run_id) / "metrics.jsonl",
                           "".join(json.dumps(e, sort_keys=True) + "\n" for e in kept).encode())

    def metrics_log(self, run_id: str) -> list[dict[str, Any]]:
        path = self.run_dir(run_id) / "metrics.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def write_result(self, run_id: str, metrics: dict[str, float],
                     provenance: dict[str, Any]) -> None:
        run_dir = self.run_dir(run_id)
        atomic_write_json(run_dir / "provenance.json", provenance)
        atomic_write_json(run_dir / "result.json", {k: _num(v) for k, v in metrics.items()})
        self.set_status(run_id, "done", finished=time.time(),
                        wall_seconds=provenance.get("wall_seconds"))

    def merge_result(self, run_id: str, values: dict[str, Any]) -> None:
        """Add (or replace) values in a finished run's ``result.json``."""
        merged = {**(self.result(run_id) or {}), **{k: _num(v) for k, v in values.items()}}
        atomic_write_json(self.run_dir(run_id) / "result.json", merged)

    def result(self, run_id: str) -> dict[str, float] | None:
        return read_json(self.run_dir(run_id) / "result.json")

    def provenance(self, run_id: str) -> dict[str, Any]:
        return read_json(self.run_dir(run_id) / "provenance.json", {})


def _num(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _owner_record() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "job_id": os.environ.get("SLURM_JOB_ID", "")}


def _owner_alive(status: dict[str, Any]) -> bool:
    """Whether the process that owns a run still exists: by pid on this host, else by
    asking SLURM's accounting about its job; unknown owners count as alive."""
    if status.get("host") == socket.gethostname() and status.get("pid"):
        return pid_alive(int(status["pid"]))
    if status.get("job_id"):
        from reproduce.slurm_state import job_alive

        return job_alive(str(status["job_id"]))
    return True


def _gone_reason(status: dict[str, Any]) -> str:
    if status.get("job_id"):
        from reproduce.slurm_state import job_state

        return (f"SLURM job {status['job_id']} ended ({job_state(str(status['job_id']))}) "
                "without a result")
    return "the process running it is gone (killed?) without a result"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
