"""Checkpoints that carry the run they belong to and load nothing but tensors and plain data.

A checkpoint is ``torch.save`` of the trainer's state plus a stamp under ``_run``: the
run id, the SHA-256 of the run's config and the thread count it trained with. Loading
uses ``weights_only=True`` (a pickled object cannot run code) and checks the stamp.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from pathlib import Path
from typing import Any

from reproduce.storeio import atomic_write_bytes

STAMP = "_run"


class CheckpointError(Exception):
    """A checkpoint that must not be used. ``kind``: damaged, unsafe or foreign."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of a config's canonical JSON (the run id is its first 16 hex digits)."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def stamp(run_id: str, config: dict[str, Any], threads: int) -> dict[str, Any]:
    return {"run_id": run_id, "config_sha256": config_hash(config), "threads": int(threads)}


def save(path: Path, state: dict[str, Any], run_stamp: dict[str, Any]) -> None:
    """Write ``state`` with ``run_stamp`` atomically."""
    import torch

    buffer = io.BytesIO()
    torch.save({**state, STAMP: run_stamp}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load(path: Path, expected: dict[str, Any]) -> dict[str, Any]:
    """The state saved at ``path`` (stamp removed), checked against ``expected``.

    Raises :class:`CheckpointError`: ``damaged`` (empty, truncated), ``unsafe`` (holds
    objects other than tensors and plain data) or ``foreign`` (another run's, or unstamped).
    """
    import torch

    name = path.name
    if path.stat().st_size == 0:
        raise CheckpointError("damaged", f"{name}: empty (0 bytes)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        first = str(err).strip().splitlines()[0][:160] if str(err).strip() else "refused"
        raise CheckpointError("unsafe", f"{name}: holds objects that are not tensors or "
                              f"plain data; refused ({first})") from None
    except (EOFError, RuntimeError, OSError, ValueError) as err:
        raise CheckpointError("damaged", f"{name}: unreadable ({type(err).__name__}: "
                              f"{str(err).strip()[:120]})") from None
    if not isinstance(state, dict):
        raise CheckpointError("damaged", f"{name}: not a state dictionary")
    found = state.pop(STAMP, None)
    if not isinstance(found, dict):
        raise CheckpointError("foreign", f"{name}: carries no run stamp, so it cannot be "
                              f"shown to belong to run {expected['run_id']}")
    for key in ("run_id", "config_sha256"):
        if found.get(key) != expected[key]:
            raise CheckpointError("foreign", f"{name}: belongs to run {found.get('run_id')} "
                                  f"(its {key} differs), not to run {expected['run_id']}")
    if expected.get("threads") is not None and found.get("threads") != expected["threads"]:
        raise CheckpointError("threads", f"{name}: trained with {found.get('threads')} "
                              f"thread(s), this process uses {expected['threads']}; a resume "
                              "under another thread count would change the numbers")
    return state
