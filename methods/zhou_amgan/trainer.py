"""``build`` of zhou_amgan (see methods/zhou_amgan/config.py for the method and choices):
data, evaluator, model and schedule; the engine trains and re-scores it."""

from __future__ import annotations

from typing import Any

import numpy as np

from methods.engine import BatchStream, Engine, EngineConfig, preserved_rng, resolve_device
from methods.engine.protocol import Built
from methods.zhou_amgan.evaluate import ZhouEvaluator
from methods.zhou_amgan.model import ZhouGAN
from reproduce.data.images import load_image_dataset


def build(p: Any, seed: int, dataset: str) -> Built:
    """The run's engine. Data and evaluator leave the global generators untouched (a
    cached classifier and a freshly trained one give the same run)."""
    device = resolve_device(p.device)
    with preserved_rng():
        data = load_image_dataset(dataset, split="train", image_size=p.image_size,
                                  channels=p.channels)
        evaluator = ZhouEvaluator(p, data, dataset, seed, device)
    init_idx = np.random.default_rng(seed + 1).choice(len(data), p.batch_size, replace=False)
    model = ZhouGAN(p, data.num_classes, device, init_batch=data.batch(init_idx))
    stream = BatchStream(data, p.batch_size, seed, device)
    cfg = EngineConfig.from_params(p)
    return Built(Engine(model, stream, cfg, evaluator), cfg.schedule())
