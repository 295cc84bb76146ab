"""`reproduce doctor`: every problem in a store, each with what the user can do about it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from reproduce import integrity
from reproduce.claim import holder_alive, lock_owner
from reproduce.liveness import JobAlive
from reproduce.run_files import CHECKPOINT
from reproduce.store import Store
from reproduce.storeio import read_json

TEMP_AGE_S = 3600.0


@dataclass(frozen=True)
class Problem:
    """One finding: where (a run id or a path in the store), what is wrong, what to do."""

    where: str
    what: str
    action: str

    def line(self) -> str:
        return f"{self.where}: {self.what}; {self.action}"


def check_store(store: Store) -> list[Problem]:
    """Every problem in ``store``: corrupt or abandoned runs, damaged resume material,
    stale locks, leftover temporary files, unreadable submission records."""
    problems: list[Problem] = []
    for rid in store.run_ids():
        problems.extend(check_run(store, rid))
    for path in sorted((store.root / "submissions").glob("*.json")):
        if not isinstance(read_json(path), dict):
            problems.append(Problem(str(path.relative_to(store.root)), "unreadable submission "
                                    "record", "delete it (only `wait` reattaching uses it)"))
    set_aside = sorted(p.name for p in (store.root / "corrupt").glob("*") if p.is_dir())
    if set_aside:
        problems.append(Problem("corrupt/", f"{len(set_aside)} corrupt run folder(s) set aside "
                                "(bytes as found)", "inspect them, then delete the folder"))
    return problems


def check_run(store: Store, run_id: str) -> list[Problem]:
    """The problems of one run folder."""
    if not integrity.RUN_ID.fullmatch(run_id):
        return [Problem(f"runs/{run_id}", "folder name is not a run id (16 hex digits)",
                        "move it out of runs/; the harness never reads it as a run")]
    status = store.status(run_id)
    state = status["state"]
    found: list[Problem] = []
    if state == "corrupt":
        found.append(Problem(run_id, status["reason"], "restore the file, or let `table` move "
                             "the folder to corrupt/ and train a fresh attempt"))
    elif state == "failed" and status.get("stale"):
        found.append(Problem(run_id, status["reason"], "`table` resumes it from its "
                             "checkpoint (or from scratch)"))
    run_dir = store.run_dir(run_id)
    if state not in ("done", "corrupt") and (damage := store.metrics_damage(run_id)):
        found.append(Problem(run_id, f"metrics.jsonl: {damage}", "the next resume keeps the "
                             "good lines before it and recomputes the rest"))
    checkpoint = run_dir / CHECKPOINT
    if checkpoint.is_file() and checkpoint.stat().st_size == 0:
        found.append(Problem(run_id, f"{CHECKPOINT}: empty (0 bytes)", "the next resume sets "
                             "it aside and trains from scratch"))
    if lock_owner(run_dir) is not None and holder_alive(run_dir, store.job_alive) is None:
        found.append(Problem(run_id, "stale lock (its owner is gone)", "harmless: the next "
                             "claimant takes it over"))
    found.extend(_leftover_temporaries(run_id, run_dir))
    return found


def _leftover_temporaries(run_id: str, run_dir: Path) -> list[Problem]:
    now = time.time()
    old = [p.name for p in run_dir.glob(".*.tmp") if now - p.stat().st_mtime > TEMP_AGE_S]
    if not old:
        return []
    return [Problem(run_id, f"{len(old)} leftover temporary file(s) of an interrupted write "
                    f"({old[0]})", "safe to delete")]


def doctor(store_path: str, job_alive: JobAlive | None = None) -> int:
    """Print every problem of the store at ``store_path`` (one line each) and a summary;
    exit status 1 when there are problems, 0 when there are none."""
    store = Store.open(store_path, for_writing=False, job_alive=job_alive)
    problems = check_store(store)
    for problem in problems:
        print(problem.line())
    runs = sum(1 for _ in store.run_ids())
    print(f"store {store.root}: {runs} run folder(s), {len(problems)} problem(s)")
    return 1 if problems else 0
