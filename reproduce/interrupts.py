"""Ctrl-C and SIGTERM for the main process and its local workers.

Local workers are started with SIGINT ignored, so a Ctrl-C in the terminal reaches the
main process only (no traceback from submitit's controllers); the main process then
stops its workers itself: SIGTERM to each controller, which forwards it to its tasks,
whose runs are left pending (:func:`reproduce.runner.execute_runs`); whatever is still
alive after a grace period is killed.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

GRACE_S = 20.0


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def local_controllers() -> Iterator[None]:
    """Processes started inside inherit SIGINT ignored (the main process stops them)."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def raise_interrupt(signum: int, frame: Any) -> None:
    """A signal handler that raises KeyboardInterrupt, as Ctrl-C does."""
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside, SIGTERM raises KeyboardInterrupt as Ctrl-C does."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                children = [int(c) for c in task.read_text().split()]
            except (OSError, ValueError):
                continue
            found.extend(children)
            todo.extend(children)
    return found


def stop_local_jobs(jobs: Sequence[Any], grace_s: float = GRACE_S) -> None:
    """Stop the local jobs' controllers and tasks: SIGTERM, then SIGKILL after ``grace_s``."""
    procs = [p for p in (getattr(j, "_process", None) for j in jobs)
             if p is not None and p.poll() is None]
    for proc in procs:
        _signal(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc in procs:
        if proc.poll() is None:
            for pid in [*_descendants(proc.pid), proc.pid]:
                _signal(pid, signal.SIGKILL)
            proc.wait()


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
