"""``build`` of ``cho_vcagan`` (see methods/cho_vcagan/config.py for the method): data,
evaluator, model and schedule; the engine trains, writes ``grid.npz`` and re-scores it."""

from __future__ import annotations

from typing import Any

from methods.cho_vcagan.evaluate import VCAGANEvaluator
from methods.cho_vcagan.model import ConvVCAGAN
from methods.engine import BatchStream, Engine, EngineConfig, preserved_rng, resolve_device
from methods.engine.protocol import Built
from reproduce.data.images import load_image_dataset


def engine_config(p: Any) -> EngineConfig:
    """Epochs of ``steps_per_epoch`` steps; the step keeps its own G EMA (engine EMA off)."""
    spe = p.steps_per_epoch
    return EngineConfig(steps=p.epochs * spe, d_steps=1,
                        eval_every=p.eval_every_epochs * spe,
                        checkpoint_every=p.checkpoint_every_epochs * spe,
                        ema_decay=0.0, progress_every=min(spe, 100))


def build(p: Any, seed: int, dataset: str) -> Built:
    """The run's engine. Data and the evaluator's real features leave the global random
    generators untouched, so the networks start from the run's seed alone."""
    device = resolve_device(p.device)
    cfg = engine_config(p)
    with preserved_rng():
        data = load_image_dataset(dataset, split="train", image_size=p.image_size,
                                  channels=p.channels)
        evaluator = VCAGANEvaluator(p, data, seed, device, final_step=cfg.steps)
    model = ConvVCAGAN(p, data.channels, device)
    stream = BatchStream(data, p.batch_size, seed, device)
    return Built(Engine(model, stream, cfg, evaluator), cfg.schedule())
