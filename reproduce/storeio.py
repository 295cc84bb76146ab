"""The store's file primitives: atomic replacement, exclusive creation, strict reads.

Every file the harness writes goes through :func:`atomic_write_bytes` (a temporary file
in the same folder, fsync, then ``rename``) or :func:`create_exclusive` (the same, but
published with ``link``, which fails when the name exists). Both keep the user's umask.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class RecordError(ValueError):
    """A record that cannot be read: missing, not JSON, or the wrong shape."""


def current_umask() -> int:
    """The process umask, read without changing it (Linux), else by setting it back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_temp(path: Path, data: bytes) -> str:
    """A fully written, synced temporary file next to ``path`` (mode 0666 & ~umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` at once: readers see the old or the new bytes."""
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data`` unless it exists; True when this call created it.

    The file is complete before its name appears (``link`` of a written temporary file),
    so no reader ever sees it empty; ``link`` is atomic on local file systems and NFS.
    """
    tmp = _write_temp(path, data)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)


def dumps(obj: Any) -> bytes:
    """The store's JSON encoding of a record."""
    return (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode()


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, dumps(obj))


def read_json(path: Path, default: Any = None) -> Any:
    """A JSON file's value, or ``default`` when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return default


def load_json(path: Path) -> Any:
    """A JSON file's value; :class:`RecordError` (with a short reason) when unreadable."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise RecordError("missing") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RecordError(f"unreadable ({type(err).__name__})") from None
    if not text.strip():
        raise RecordError("empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise RecordError(f"not JSON ({err.msg} at line {err.lineno})") from None
