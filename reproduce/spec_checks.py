"""Checks shared by table and figure specs: TOML reading, run layers, method parameters
and metric names, each error naming the file and the field."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from methods import registry
from methods.params import ParamError, check_value
from reproduce.errors import SpecError
from reproduce.validate import Fields

RUN_KEYS = {"method", "dataset", "params"}
_REDUCER = re.compile(r"^(last|best|last_k:[1-9][0-9]*)$")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning syntax errors into a one-line SpecError."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(path, "", f"invalid TOML: {err}") from None
    except OSError as err:
        raise SpecError(path, "", f"cannot read: {err.strerror}") from None


def check_reducer(value: str, path: Path, where: str) -> str:
    if not _REDUCER.match(value):
        raise SpecError(path, where, f"unknown reducer {value!r}; allowed: last, best, last_k:N")
    return value


def check_run(data: dict[str, Any], path: Path, where: str) -> dict[str, Any]:
    """Check the keys and types of a run-config layer (method, dataset, params)."""
    fields = Fields(data, path, where)
    fields.check_keys(RUN_KEYS)
    fields.get("method", str, "")
    fields.get("dataset", str, "")
    fields.get("params", dict, {})
    return data


def check_method_params(config_layers: list[tuple[str, dict[str, Any]]], method_name: str,
                        path: Path, pending: bool) -> None:
    """Every params key of every layer must be a parameter the method declares."""
    if method_name not in registry.names():
        if pending:
            return
        where = next((w for w, layer in reversed(config_layers) if "method" in layer), "run")
        raise SpecError(path, f"{where}.method",
                        f"unknown method {method_name!r}; allowed: {', '.join(registry.names())}"
                        " (or mark the row pending/cited)")
    info = registry.get(method_name)
    for where, layer in config_layers:
        for key, value in layer.get("params", {}).items():
            if key not in info.params:
                raise SpecError(path, f"{where}.params.{key}",
                                f"unknown parameter of method {method_name!r}; "
                                f"allowed: {', '.join(sorted(info.params))}")
            try:
                check_value(info.params[key], value)
            except ParamError as err:
                raise SpecError(path, f"{where}.params.{key}", str(err)) from None


def check_metric_names(names: Iterable[str], method_name: str, path: Path, where: str) -> None:
    """Every metric a spec reads from a method's runs must be one the method writes."""
    if method_name not in registry.names():
        return
    known = registry.get(method_name).metrics
    for name in names:
        if name not in known:
            raise SpecError(path, where, f"metric {name!r} is not written by method "
                            f"{method_name!r}; allowed: {', '.join(known)}")


def declared_params(layer: dict[str, Any], method: registry.MethodInfo) -> dict[str, Any]:
    """``layer`` with only the params ``method`` declares. A row that names its own method
    inherits from the table, column and profile layers the data set and the parameters
    the two methods share (image size, sample counts, extractors), not the others."""
    if "params" not in layer:
        return layer
    return {**layer, "params": {k: v for k, v in layer["params"].items()
                                if k in method.params}}
