"""The run store: one folder per run, keyed by the hash of its resolved config.

``<store>/runs/<run_id>/`` holds the run's config, status, metrics log, result,
provenance, checkpoint and artifacts; only this module and :mod:`reproduce.run_files`
know those file names. Every file is written atomically and every record is validated
when read: a run whose records are unreadable or inconsistent is ``corrupt``, never
``done``. Only the holder of a run's claim (:mod:`reproduce.claim`) changes its records.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reproduce import claim as claims
from reproduce import integrity
from reproduce.checkpoints import config_hash
from reproduce.errors import UserError
from reproduce.liveness import JobAlive, is_me, owner_alive, owner_record
from reproduce.run_files import RunFiles
from reproduce.storeio import (
    RecordError,
    atomic_write_json,
    create_exclusive,
    dumps,
    load_json,
    read_json,
)

__all__ = ["STATES", "Store", "atomic_write_json", "check_run_id", "read_json"]

STATES = ("missing", "pending", "running", "done", "failed", "corrupt")
_REPO = Path(__file__).resolve().parents[1]


DEFAULT_STORE = "results"  # --store when neither the option nor $REPRODUCE_STORE is set

def check_run_id(text: str) -> str:
    """``text`` if it is a run id (16 hex digits), else a UserError naming what is allowed."""
    if not integrity.RUN_ID.fullmatch(str(text)):
        raise UserError(f"--run: {str(text)[:80]!r} is not a run id; allowed: 16 hex digits "
                        "(as `status` and `plan` print them)")
    return str(text)


class Store(RunFiles):
    """A folder of runs. ``job_alive`` judges owners on other hosts by their SLURM job."""

    def __init__(self, root: Path | str, job_alive: JobAlive | None = None) -> None:
        self.root = Path(root)
        self.job_alive = job_alive

    @classmethod
    def open(cls, path: str | os.PathLike[str], for_writing: bool,
             job_alive: JobAlive | None = None) -> Store:
        """The store at ``path``, checked: a UserError (one line) when it cannot serve."""
        text = os.fspath(path)
        if not text.strip():
            raise UserError("--store: empty (is $REPRODUCE_STORE set to nothing?); "
                            "allowed: a folder path")
        root = Path(text).expanduser()
        _check_store_path(root, for_writing)
        return cls(root, job_alive)

    def run_dir(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or run_id.startswith(".") or "\0" in run_id:
            raise UserError(f"run id {run_id[:80]!r}: not a folder name inside the store")
        return self.root / "runs" / run_id

    def run_ids(self) -> Iterator[str]:
        """Every folder under ``runs/`` (valid run ids or not: ``doctor`` reports the rest)."""
        runs = self.root / "runs"
        if runs.is_dir():
            yield from sorted(p.name for p in runs.iterdir()
                              if p.is_dir() and not p.name.startswith("."))

    # --- config -----------------------------------------------------------------
    def prepare(self, run_id: str, config: dict[str, Any]) -> None:
        """Create the run's folder with its config; refuse a different config under that id."""
        path = self.run_dir(run_id) / "config.json"
        if not path.exists() and create_exclusive(path, dumps(config)):
            return
        try:
            stored = load_json(path)
        except RecordError as err:
            raise UserError(f"{path}: {err}; the run is corrupt (`doctor` says what to do)"
                            ) from None
        if stored != config:
            raise UserError(f"{path}: stored config differs from the requested one; "
                            "refusing to resume a run with changed settings")

    def config(self, run_id: str) -> dict[str, Any] | None:
        """The run's config when it is valid, else None."""
        config = read_json(self.run_dir(run_id) / "config.json")
        return config if integrity.check_config(config) is None else None

    # --- status -----------------------------------------------------------------
    def status(self, run_id: str) -> dict[str, Any]:
        """The run's status record; ``state`` is one of STATES (``corrupt`` with ``reason``
        ``corrupt: <file>: <why>``; a run whose owner is gone is ``failed``, ``stale``)."""
        run_dir = self.run_dir(run_id)
        if not any((run_dir / n).exists() for n in ("config.json", "status.json", "result.json")):
            return {"state": "missing"}
        problem = self.problem(run_id)
        if problem:
            return {"state": "corrupt", "file": problem[0],
                    "reason": f"corrupt: {problem[0]}: {problem[1]}"}
        status = read_json(run_dir / "status.json")
        if status is None:
            status = {"state": "pending"}
        if (run_dir / "result.json").exists():
            return status
        holder = claims.holder_alive(run_dir, self.job_alive)
        if status["state"] == "running" and not holder and not owner_alive(status,
                                                                             self.job_alive):
            return {**status, "state": "failed", "stale": True, "reason": _gone(status)}
        if holder and status["state"] in ("pending", "failed"):
            return {**status, "state": "running", **holder}
        return status

    def state(self, run_id: str) -> str:
        return self.status(run_id)["state"]

    def problem(self, run_id: str) -> tuple[str, str] | None:
        """(file, reason) of the first invalid or inconsistent record of the run, or None."""
        run_dir = self.run_dir(run_id)
        try:
            config = load_json(run_dir / "config.json")
        except RecordError as err:
            return "config.json", str(err)
        reason = integrity.check_config(config)
        if reason is None and config_hash(config)[:16] != run_id:
            reason = f"hashes to {config_hash(config)[:16]}, not to the folder's name"
        if reason:
            return "config.json", reason
        try:
            status = load_json(run_dir / "status.json")
        except RecordError as err:
            if str(err) != "missing":
                return "status.json", str(err)
            status = _ABSENT
        if status is not _ABSENT and (reason := integrity.check_status(status)):
            return "status.json", reason
        has_result = (run_dir / "result.json").exists()
        if has_result or (status is not _ABSENT and status.get("state") == "done"):
            return self._finished_problem(run_id, status, has_result)
        return None

    def _finished_problem(self, run_id: str, status: Any, has_result: bool
                          ) -> tuple[str, str] | None:
        run_dir = self.run_dir(run_id)
        if not has_result:
            return "result.json", "missing though status.json says done"
        if status is _ABSENT:
            return "status.json", "missing beside result.json"
        if status["state"] != "done" and not claims.holder_alive(run_dir, self.job_alive):
            return "status.json", f"says {status['state']} beside result.json"
        for name, check in (("result.json", integrity.check_result),
                            ("provenance.json", integrity.check_provenance)):
            try:
                record = load_json(run_dir / name)
            except RecordError as err:
                if name == "result.json" or str(err) != "missing":
                    return name, str(err)
                continue
            if reason := check(record):
                return name, reason
        entries, reason = integrity.read_metrics_file(run_dir / "metrics.jsonl")
        if reason or not entries:
            return "metrics.jsonl", reason or "no evaluation recorded for a finished run"
        return None

    def set_status(self, run_id: str, state: str, **extra: Any) -> None:
        """Write the run's status; a running segment of this process is closed now."""
        if state not in integrity.STORED_STATES:
            raise ValueError(f"unknown state {state!r}")
        now = time.time()
        record = {"state": state, "updated": now, **extra}
        previous = read_json(self.run_dir(run_id) / "status.json", {})
        segments = previous.get("segments") if isinstance(previous, dict) else None
        if isinstance(segments, list) and segments:
            if previous.get("state") == "running" and is_me(previous):
                segments = [*segments[:-1], [segments[-1][0], now]]
            record.setdefault("segments", segments)
        atomic_write_json(self.run_dir(run_id) / "status.json", record)

    def mark_running(self, run_id: str) -> None:
        """This process starts a training segment of the run (it holds the claim)."""
        previous = read_json(self.run_dir(run_id) / "status.json", {})
        segments = previous.get("segments", []) if isinstance(previous, dict) else []
        now = time.time()
        self.set_status(run_id, "running", **owner_record(), started=now,
                        segments=[*segments, [now, now]])

    def update_progress(self, run_id: str, step: int, total: int) -> None:
        status = read_json(self.run_dir(run_id) / "status.json", {})
        now = time.time()
        status.update(step=step, total=total, updated=now)
        if status.get("segments"):
            status["segments"][-1][1] = now
        atomic_write_json(self.run_dir(run_id) / "status.json", status)

    def wall_seconds(self, run_id: str) -> float:
        """Training time summed over the run's segments (resumes included)."""
        status = read_json(self.run_dir(run_id) / "status.json", {})
        segments = status.get("segments", []) if isinstance(status, dict) else []
        if status.get("state") == "running" and is_me(status) and segments:
            segments = [*segments[:-1], [segments[-1][0], time.time()]]
        return round(sum(max(0.0, end - start) for start, end in segments), 3)

    # --- claims -----------------------------------------------------------------
    def claim(self, run_id: str) -> bool:
        """Take the run's lock for this process; False when a live owner holds it."""
        return claims.claim(self.run_dir(run_id), self.job_alive)

    def release(self, run_id: str) -> None:
        claims.release(self.run_dir(run_id))

    def forget(self, run_id: str) -> None:
        """Return a run that holds nothing but its config and status to ``missing`` (a
        submission that failed); a run with more is left pending."""
        if not self.claim(run_id):
            return
        run_dir = self.run_dir(run_id)
        try:
            names = {p.name for p in run_dir.iterdir()} - {claims.LOCK, f"{claims.LOCK}.guard"}
            if names <= {"config.json", "status.json"}:
                for name in ("status.json", "config.json"):  # never a status without config
                    (run_dir / name).unlink(missing_ok=True)
            else:
                self.set_status(run_id, "pending", reason="not submitted")
        finally:
            self.release(run_id)

    def quarantine(self, run_id: str) -> Path | None:
        """Move a corrupt run's folder, bytes untouched, to ``corrupt/`` so that the run can
        be trained again as a fresh attempt; None when it is no longer corrupt."""
        (self.root / "corrupt").mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / "corrupt" / ".guard", os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if self.state(run_id) != "corrupt" or claims.holder_alive(self.run_dir(run_id),
                                                                       self.job_alive):
                return None
            target = self.root / "corrupt" / f"{run_id}.{int(time.time())}-{uuid.uuid4().hex[:6]}"
            os.rename(self.run_dir(run_id), target)
            return target
        finally:
            os.close(fd)


_ABSENT: Any = object()


def _gone(status: dict[str, Any]) -> str:
    who = claims.describe({k: status.get(k) for k in ("pid", "host", "job_id")})
    return f"abandoned: its process ({who}) is gone without a result"


def _check_store_path(root: Path, for_writing: bool) -> None:
    """One-line errors for a store that is a file, missing, unwritable or in the specs."""
    if root.exists() and not root.is_dir():
        raise UserError(f"--store: {root} is a file; allowed: a folder (existing or new)")
    resolved = root.resolve()
    for spec_dir in ("tables", "figures", "slurm", "reproduce", "methods"):
        if resolved == _REPO / spec_dir or (_REPO / spec_dir) in resolved.parents:
            raise UserError(f"--store: {root} is inside the repository's {spec_dir}/ folder; "
                            "allowed: a folder outside it (default ./results)")
    if not for_writing:
        if not root.exists():
            raise UserError(f"--store: {root} does not exist; allowed: an existing store "
                            "(a mistyped path?)")
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"--store: cannot create {root} ({os.strerror(err.errno or 0)})"
                        ) from None
    if not os.access(root, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only(root) else "not writable by this user"
        raise UserError(f"--store: {root} is {why}; allowed: a folder you can write to")


def _read_only(root: Path) -> bool:
    try:
        return bool(os.statvfs(root).f_flag & os.ST_RDONLY)
    except OSError as err:
        return err.errno == errno.EROFS
