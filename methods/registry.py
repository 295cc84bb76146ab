"""Registry of trainable methods: name -> parameters, metrics, build, cost (torch-free).

A method is declared once, in its ``config.py``: its typed parameters (defaults and
rules), the metrics its evaluations write, and ``build`` ("package.module:function",
``build(p, seed, dataset) -> methods.engine.protocol.Built``). The engine's
:func:`methods.engine.protocol.train` trains every method that has a build and
:func:`methods.engine.protocol.rescore` re-scores its checkpoints. Modules behind the
entry points are imported only when a run starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, is_dataclass
from functools import cached_property
from typing import Any

from methods.deviations import Deviation
from methods.params import Param, Rule, check_params, schema, typed

TRAIN = "methods.engine.protocol:train"  # the trainer of every method with a build
RESCORE = "methods.engine.protocol:rescore"  # its `reproduce eval`


@dataclass(frozen=True)
class MethodInfo:
    """One trainable method."""

    name: str
    defaults: Mapping[str, Any]
    metrics: tuple[str, ...]  # metric names its evaluations write (checked at spec load)
    build: str = ""  # "package.module:function": (typed params, seed, dataset) -> Built
    trainer: str = TRAIN  # "package.module:function": (ctx) -> final metrics
    paper: str = ""
    description: str = ""
    cost_cpu_seconds: float = 60.0  # rough cost of one run at the defaults (for `plan`)
    cost_note: str = ""
    gpu_hours: float = 0.0  # estimated GPU-hours of one paper-scale run (0: a CPU method)
    smoke_cpu_seconds: float = 0.0  # measured cost of one smoke run, when steps don't scale it
    # a run's work relative to a run at the defaults (params -> factor), for methods whose
    # cost is not scaled by a ``steps`` parameter (e.g. epochs x steps x sweep members)
    cost_scale: Callable[[Mapping[str, Any]], float] | None = None
    # members a run trains as one batched model (params -> count; None: always 1), so a
    # figure series' ``member`` key can be checked when the spec is loaded
    members: Callable[[Mapping[str, Any]], int] | None = None
    # "package.module:function": (ctx, state, metrics, options) -> dict (``reproduce eval``),
    # RESCORE for a method with a build, or "" (no re-scoring)
    evaluator: str = ""
    # `reproduce eval` option -> the parameter it overrides ("n_samples", "extractor")
    eval_options: Mapping[str, str] = field(default_factory=dict)
    # parameters that change only the evaluation: a run differing from a finished run in
    # these alone evaluates that run's final model instead of training
    eval_params: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    rules: Mapping[str, Rule] = field(default_factory=dict)  # domains beyond ">= 0"
    deviations: tuple[Deviation, ...] = ()  # settings that differ from the paper's text
    # parameters whose value the paper's text states: name -> (that value, where it says so)
    paper_values: Mapping[str, tuple[Any, str]] = field(default_factory=dict)

    @cached_property
    def params(self) -> dict[str, Param]:
        """The typed parameter schema (methods/params.py)."""
        return schema(self.defaults, **self.rules)

    def check(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` checked and coerced against the schema (ParamError names the key)."""
        return check_params(params, self.params)

    def typed(self, params: Any) -> Any:
        """The run's parameters as a frozen dataclass (defaults filled in); parameters that
        are typed already are returned as they are."""
        if is_dataclass(params) and not isinstance(params, type):
            return params
        return typed(self.name, params, self.params)

    def load_trainer(self) -> Callable[..., dict[str, float]]:
        """Import and return the trainer function."""
        return load_entry(self.trainer)

    def load_evaluator(self) -> Callable[..., dict[str, Any]] | None:
        """Import and return the evaluator of stored checkpoints, if the method has one."""
        return load_entry(self.evaluator) if self.evaluator else None


def load_entry(entry: str) -> Callable[..., Any]:
    """The function named by ``"package.module:function"``."""
    module_name, func = entry.split(":")
    return getattr(importlib.import_module(module_name), func)


METHODS: dict[str, MethodInfo] = {}


def register(info: MethodInfo) -> MethodInfo:
    """Add a method to the registry (names are unique)."""
    if info.name in METHODS:
        raise ValueError(f"method {info.name!r} registered twice")
    METHODS[info.name] = info
    return info


def get(name: str) -> MethodInfo:
    """The method called ``name``; KeyError lists the known ones."""
    _load_all()
    if name not in METHODS:
        raise KeyError(f"unknown method {name!r}; known: {', '.join(sorted(METHODS))}")
    return METHODS[name]


def names() -> list[str]:
    """All registered method names."""
    _load_all()
    return sorted(METHODS)


_CONFIG_MODULES = (
    "methods.liu2d.config",
    "methods.cho2d.config",
    "methods.cho_vcagan.config",
    "methods.real_data.config",
    "methods.zhou_modedrop.config",
    "methods.zhou_amgan.config",
    "methods.watanabe.config",
    "methods.medgan.config",
    "methods.slcgan.config",
)


def _load_all() -> None:
    for mod in _CONFIG_MODULES:
        importlib.import_module(mod)
