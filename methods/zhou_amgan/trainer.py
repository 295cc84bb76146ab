"""Trainer of zhou_amgan (see methods/zhou_amgan/config.py for the method and choices)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from methods.base import RunContext
from methods.engine import BatchStream, Engine, EngineConfig, resolve_device, seed_all
from methods.zhou_amgan.config import check_params
from methods.zhou_amgan.evaluate import ZhouEvaluator
from methods.zhou_amgan.model import ZhouGAN
from reproduce.data.images import load_image_dataset


def build(p: dict[str, Any], dataset: str, seed: int, device: str
          ) -> tuple[ZhouGAN, BatchStream, ZhouEvaluator]:
    """Data, evaluator (before seeding, so a cached classifier changes nothing), model."""
    data = load_image_dataset(dataset, split="train", image_size=int(p["image_size"]),
                              channels=int(p["channels"]))
    evaluator = ZhouEvaluator(p, data, dataset, seed, device)
    seed_all(seed)
    init_idx = np.random.default_rng(seed + 1).choice(len(data), int(p["batch_size"]),
                                                      replace=False)
    model = ZhouGAN(p, data.num_classes, device, init_batch=data.batch(init_idx))
    stream = BatchStream(data, int(p["batch_size"]), seed, device)
    return model, stream, evaluator


def train(ctx: RunContext) -> dict[str, Any]:
    """Train one zhou_amgan run; returns the metrics of the last evaluation."""
    if not os.environ.get("REPRODUCE_THREADS_PER_WORKER"):
        torch.set_num_threads(1)  # as the other CPU trainers; the harness may set more
    p = dict(ctx.params)
    check_params(p)
    device = resolve_device(str(p["device"]))
    model, stream, evaluator = build(p, str(ctx.config["dataset"]), int(ctx.seed), device)
    cfg = EngineConfig.from_params(p, int(ctx.seed))
    return Engine(model, stream, cfg, evaluator).run(ctx)


def evaluate(ctx: RunContext, state: dict[str, Any], metrics: list[str],
             options: dict[str, Any]) -> dict[str, Any]:
    """Score a stored checkpoint again (``reproduce eval``): e.g. the Inception Score with
    the real Inception weights (``--extractor inception``) or more samples. Returns the
    asked metrics plus the ``*_extractor`` fields that name what computed them."""
    p = dict(ctx.params)
    if options.get("extractor"):
        p["is_extractor"] = options["extractor"]
    if options.get("n_samples"):
        p["n_eval_samples"] = int(options["n_samples"])
    device = resolve_device(str(p["device"]))
    model, stream, evaluator = build(p, str(ctx.config["dataset"]), int(ctx.seed), device)
    engine = Engine(model, stream, EngineConfig.from_params(p, int(ctx.seed)), evaluator)
    step = engine.load(state)
    values = engine.evaluate(step)
    unknown = sorted(set(metrics) - set(values))
    if unknown:
        raise ValueError(f"zhou_amgan evaluates {', '.join(sorted(values))}; not {unknown}")
    keep = set(metrics) | {f"{m}_extractor" for m in metrics}
    return {k: v for k, v in values.items() if k in keep}
