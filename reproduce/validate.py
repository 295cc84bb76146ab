"""Small helpers to validate parsed TOML against an expected shape, with precise errors."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reproduce.errors import SpecError

_MISSING = object()
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true/false",
               dict: "a table", list: "an array"}


class Fields:
    """Reads the fields of one TOML table, remembering the file and the field path."""

    def __init__(self, data: Any, path: Path | str, where: str) -> None:
        self.path = path
        self.where = where
        if not isinstance(data, dict):
            raise SpecError(path, where or "(top level)", f"expected a table, got {_kind(data)}")
        self.data = data

    def field(self, key: str) -> str:
        """The dotted name of ``key`` inside this table."""
        return f"{self.where}.{key}" if self.where else key

    def check_keys(self, allowed: set[str]) -> None:
        """Reject keys outside ``allowed``, listing what is allowed."""
        for key in self.data:
            if key not in allowed:
                raise SpecError(self.path, self.field(key),
                                f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def get(self, key: str, kind: type, default: Any = _MISSING) -> Any:
        """The value of ``key``, checked to be of ``kind`` (int accepted for float)."""
        if key not in self.data:
            if default is _MISSING:
                raise SpecError(self.path, self.field(key), "missing (required)")
            return copy.deepcopy(default)
        value = self.data[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise SpecError(self.path, self.field(key),
                            f"expected {_TYPE_NAMES.get(kind, kind.__name__)}, got {_kind(value)}")
        return value

    def sub(self, key: str) -> Fields:
        """The nested table ``key`` (empty when absent)."""
        return Fields(self.get(key, dict, {}), self.path, self.field(key))


def _kind(value: Any) -> str:
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return f"{name} ({value!r})" if kind in (str, int, float, bool) else name
    return type(value).__name__


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; nested tables merge, other values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
