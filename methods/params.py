"""Typed method parameters (torch-free): declared once, checked when a spec loads.

A method declares its parameters as a mapping ``name -> default`` plus :class:`Rule`s for
the ones with a narrower domain (choices, ranges). The type of a parameter is the type of
its default (bool, int, float, str, or a list of numbers). Every number is ``>= 0`` unless
its rule says otherwise (no count, rate, weight or width of the five papers is negative).

:func:`check_value` coerces what a TOML spec may legitimately write (an int for a float
parameter) and rejects everything else with a :class:`ParamError` naming what is allowed,
so equal configs hash equal and no worker ever sees an invalid value. A trainer reads its
checked parameters as a frozen dataclass (:func:`typed`), never with hand casts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, make_dataclass
from functools import cache
from typing import Any


class ParamError(ValueError):
    """A parameter value outside its declared type, choices or range."""


@dataclass(frozen=True)
class Rule:
    """The domain of one parameter beyond its type."""

    choices: tuple[Any, ...] = ()
    low: float | None = 0.0  # numbers are >= 0 unless a rule says otherwise
    high: float | None = None
    low_open: bool = False  # ``low < value`` instead of ``low <= value``
    high_open: bool = False

    def describe(self) -> str:
        """The allowed values in words, e.g. ``> 0`` or ``one of a, b``."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return " and ".join(parts) or "any number"

    def admits(self, x: float) -> bool:
        """Whether the number ``x`` lies in the range."""
        if not math.isfinite(x):
            return False
        if self.low is not None and (x <= self.low if self.low_open else x < self.low):
            return False
        return self.high is None or (x < self.high if self.high_open else x <= self.high)


NON_NEGATIVE = Rule()
POSITIVE = Rule(low_open=True)
ANY_NUMBER = Rule(low=None)
PROBABILITY = Rule(high=1.0)


def one_of(*choices: Any) -> Rule:
    """A parameter restricted to ``choices``."""
    return Rule(choices=tuple(choices))


def at_least(low: float) -> Rule:
    """A number ``>= low``."""
    return Rule(low=low)


def between(low: float, high: float, *, low_open: bool = False,
            high_open: bool = False) -> Rule:
    """A number in the interval from ``low`` to ``high`` (closed unless said)."""
    return Rule(low=low, high=high, low_open=low_open, high_open=high_open)


@dataclass(frozen=True)
class Param:
    """One declared parameter: its default (which fixes its type) and its rule."""

    name: str
    default: Any
    rule: Rule = NON_NEGATIVE

    @property
    def kind(self) -> str:
        """``bool``, ``int``, ``float``, ``str`` or ``list``."""
        return type(self.default).__name__

    def allowed(self) -> str:
        """What values are allowed, for error messages."""
        if self.rule.choices or self.kind == "str":
            return self.rule.describe() if self.rule.choices else "a string"
        if self.kind == "bool":
            return "true or false"
        noun = {"int": "an integer", "float": "a number", "list": "a list of numbers"}[self.kind]
        return f"{noun} {self.rule.describe()}"


Schema = Mapping[str, Param]


def schema(defaults: Mapping[str, Any], **rules: Rule) -> dict[str, Param]:
    """The schema of a method: every default with its rule (``NON_NEGATIVE`` if none)."""
    unknown = set(rules) - set(defaults)
    if unknown:
        raise KeyError(f"rules for undeclared parameters: {', '.join(sorted(unknown))}")
    for name, value in defaults.items():
        if type(value).__name__ not in ("bool", "int", "float", "str", "list"):
            raise TypeError(f"parameter {name!r}: unsupported default type {type(value)}")
    return {k: Param(k, v, rules.get(k, NON_NEGATIVE)) for k, v in defaults.items()}


def check_value(param: Param, value: Any) -> Any:
    """``value`` coerced to ``param``'s type (an int for a float, an int list for a float
    list); ParamError when the type, choice or range is not allowed."""
    kind, rule = param.kind, param.rule
    if kind == "list":
        if not isinstance(value, list):
            raise ParamError(f"expected {param.allowed()}, got {value!r}")
        return [_number(param, v, float) for v in value]
    if kind == "bool":
        if not isinstance(value, bool):
            raise ParamError(f"expected {param.allowed()}, got {value!r}")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ParamError(f"expected {param.allowed()}, got {value!r}")
    else:
        value = _number(param, value, int if kind == "int" else float)
    if rule.choices and value not in rule.choices:
        raise ParamError(f"got {value!r}; allowed: {param.allowed()}")
    return value


def _number(param: Param, value: Any, cast: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamError(f"expected {param.allowed()}, got {value!r}")
    if cast is int and not isinstance(value, int):
        raise ParamError(f"expected {param.allowed()}, got {value!r}")
    if not param.rule.choices and not param.rule.admits(float(value)):
        raise ParamError(f"got {value!r}; allowed: {param.allowed()}")
    return cast(value)


def check_params(params: Mapping[str, Any], declared: Schema) -> dict[str, Any]:
    """Every value of ``params`` checked and coerced; ParamError names the parameter."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key not in declared:
            raise ParamError(f"unknown parameter {key!r}; allowed: {', '.join(sorted(declared))}")
        try:
            out[key] = check_value(declared[key], value)
        except ParamError as err:
            raise ParamError(f"{key}: {err}") from None
    return out


@cache
def _params_class(method: str, names: tuple[str, ...]) -> type:
    fields = [(n, Any) for n in names]
    cls_name = "".join(p.capitalize() for p in method.split("_")) + "Params"
    return make_dataclass(cls_name, fields, frozen=True)


def typed(method: str, params: Mapping[str, Any], declared: Schema) -> Any:
    """The checked parameters as a frozen dataclass (``p.steps``, ``p.lr``, ...); params
    missing from ``params`` take their defaults."""
    full = {k: p.default for k, p in declared.items()}
    full.update(check_params(params, declared))
    return _params_class(method, tuple(declared))(**full)


_PROBABILITY_OPEN = between(0.0, 1.0, high_open=True)
_STANDARD: dict[str, Rule] = {
    "steps": at_least(1), "epochs": at_least(1), "eval_every": at_least(1),
    "checkpoint_every": at_least(1), "d_steps": at_least(1),
    "eval_every_epochs": at_least(1), "checkpoint_every_epochs": at_least(1),
    "lr": POSITIVE, "lr_g": POSITIVE, "lr_d": POSITIVE, "lr_c": POSITIVE,
    "beta1": _PROBABILITY_OPEN, "beta2": _PROBABILITY_OPEN,
    "device": one_of("auto", "cpu", "cuda"),
}


def standard_rules(defaults: Mapping[str, Any]) -> dict[str, Rule]:
    """The rules shared by every method for the parameters it has among the common ones
    (steps and cadences >= 1, learning rates > 0, Adam betas in [0, 1), batch sizes >= 1,
    device auto|cpu|cuda)."""
    rules = {k: r for k, r in _STANDARD.items() if k in defaults}
    rules.update({k: at_least(1) for k in defaults if k.startswith("batch")
                  and isinstance(defaults[k], int)})
    return rules
