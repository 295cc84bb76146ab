"""The method protocol (torch): how the harness trains and re-scores every method.

A method registers (methods/registry.py) its typed parameters, its metrics and a
``build(p, seed, dataset) -> Built``: the :class:`core.Model` (networks, optimisers, one
training step) with its evaluation, and the :class:`core.Schedule`. :func:`train` is the
trainer of every such method, :func:`rescore` its ``reproduce eval``. The harness seeds
the global generators with the run's seed before either is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from methods import registry
from methods.base import RunContext
from methods.engine import core
from methods.engine.core import Metrics

# the options of `reproduce eval` and the suffix each adds to the keys it changes
EVAL_SUFFIX = {"n_samples": "_n{}", "extractor": "_{}"}


@dataclass
class Built:
    """What a method's ``build`` returns."""

    model: core.Model
    schedule: core.Schedule
    result: Mapping[str, Any] = field(default_factory=dict)  # added to the final result


def build(info: registry.MethodInfo, params: Mapping[str, Any], seed: int,
          dataset: str) -> Built:
    """The method's model and schedule for these parameters (checked and typed)."""
    make: Callable[..., Built] = registry.load_entry(info.build)
    return make(info.typed(params), seed, dataset)


def train(ctx: RunContext) -> Metrics:
    """Train one run of a method with a ``build``: resume from the run's checkpoint, or
    evaluate a finished run's model when only evaluation-time parameters differ, or train
    from scratch. Writes the model's artifacts; returns the final metrics."""
    info = registry.get(ctx.config["method"])
    built = build(info, ctx.params, ctx.seed, str(ctx.config["dataset"]))
    state = ctx.load_checkpoint()
    metrics = None
    if state is None and info.eval_params:
        metrics = _reuse_finished(ctx, info, built)
    if metrics is None:
        metrics = core.train_loop(built.model, built.schedule, ctx, state)
    save_artifacts(ctx, built.model)
    for key, value in built.result.items():
        metrics.setdefault(key, value)
    return metrics


def _reuse_finished(ctx: RunContext, info: registry.MethodInfo, built: Built) -> Metrics | None:
    """Evaluate, with this run's parameters, the final model of a finished run that differs
    from this one only in ``info.eval_params`` (None when there is none)."""
    found = ctx.finished_state_like(info.eval_params)
    if found is None:
        return None
    donor, state = found
    step = core.restore(built.model, state)
    if step != built.schedule.steps:
        raise RuntimeError(f"finished run {donor} stopped at step {step}, "
                           f"not {built.schedule.steps}")
    metrics = core.evaluate(built.model, step)
    metrics["model_from_run"] = donor
    ctx.log_eval(step, metrics)
    return metrics


def save_artifacts(ctx: RunContext, model: core.Model) -> None:
    """Write the model's ``artifacts()`` (name -> arrays), if it has any."""
    make = getattr(model, "artifacts", None)
    for name, arrays in (make() if make else {}).items():
        ctx.save_artifact(name, **arrays)


def eval_overrides(info: registry.MethodInfo, options: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that ``reproduce eval`` options set (empty options are not given);
    ValueError for an option the method does not have."""
    out: dict[str, Any] = {}
    for option, value in options.items():
        if value in (None, "", 0):
            continue
        if option not in info.eval_options:
            allowed = ", ".join(f"--{o.replace('_', '-')}" for o in info.eval_options)
            raise ValueError(f"{info.name} has no --{option.replace('_', '-')} option "
                             f"(allowed: {allowed or 'none'})")
        out[info.eval_options[option]] = value
    return out


def metric_suffix(info: registry.MethodInfo, params: Mapping[str, Any],
                  overrides: Mapping[str, Any]) -> str:
    """The one rule for re-scored metric keys: every option that changes the run's value
    appends its suffix (``_n<N>`` for a sample count, ``_<name>`` for an extractor), in the
    order of :data:`EVAL_SUFFIX`; re-scoring with the run's own values adds nothing."""
    parts = []
    for option, form in EVAL_SUFFIX.items():
        param = info.eval_options.get(option)
        if param in overrides and overrides[param] != params.get(param):
            parts.append(form.format(overrides[param]))
    return "".join(parts)


def rescore(ctx: RunContext, state: dict[str, Any], metrics: list[str],
            options: Mapping[str, Any]) -> dict[str, Any]:
    """Score a stored checkpoint again (``reproduce eval``): the asked ``metrics`` and the
    ``<metric>_extractor`` fields naming what computed them, keys suffixed by
    :func:`metric_suffix`. ValueError for a metric the evaluation does not produce."""
    info = registry.get(ctx.config["method"])
    overrides = eval_overrides(info, options)
    suffix = metric_suffix(info, ctx.params, overrides)
    built = build(info, {**ctx.params, **overrides}, ctx.seed, str(ctx.config["dataset"]))
    values = core.evaluate(built.model, core.restore(built.model, state))
    unknown = sorted(set(metrics) - set(values))
    if unknown:
        raise ValueError(f"{info.name} evaluates {', '.join(sorted(values))}; not {unknown}")
    keys = [k for m in metrics for k in (m, f"{m}_extractor") if k in values]
    return {f"{k}{suffix}": values[k] for k in keys}
