"""Trainer of ``cho_vcagan`` (see methods/cho_vcagan/config.py for the method)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from methods.base import RunContext
from methods.cho_vcagan.config import INFO
from methods.cho_vcagan.evaluate import VCAGANEvaluator
from methods.cho_vcagan.model import ConvVCAGAN
from methods.engine import BatchStream, Engine, EngineConfig, resolve_device, seed_all
from reproduce.data.images import load_image_dataset

GRID_SEED = 20211  # the same z's for every run's sample grid


def engine_config(p: Any) -> EngineConfig:
    """Epochs of ``steps_per_epoch`` steps; the step keeps its own G EMA (engine EMA off)."""
    spe = int(p.steps_per_epoch)
    return EngineConfig(steps=int(p.epochs) * spe, d_steps=1,
                        eval_every=int(p.eval_every_epochs) * spe,
                        checkpoint_every=int(p.checkpoint_every_epochs) * spe,
                        ema_decay=0.0, progress_every=min(spe, 100))


def save_grid(path: os.PathLike[str], grid: dict[str, Any]) -> None:
    """Write the sample grid atomically (tmp file + rename)."""
    tmp = f"{os.fspath(path)}.tmp.npz"
    np.savez(tmp, **grid)
    os.replace(tmp, path)


def train(ctx: RunContext) -> dict[str, Any]:
    """Train one VCAGAN run; log P(C) every evaluation, FID / P / R at the end; grid.npz."""
    p = INFO.typed(ctx.params)
    device = resolve_device(str(p.device))
    data = load_image_dataset(str(ctx.config["dataset"]), split="train",
                              image_size=int(p.image_size), channels=int(p.channels))
    cfg = engine_config(p)
    evaluator = VCAGANEvaluator(p, data, int(ctx.seed), device, final_step=cfg.steps)
    seed_all(int(ctx.seed))
    model = ConvVCAGAN(p, data.channels, device)
    stream = BatchStream(data, int(p.batch_size), int(ctx.seed), device)
    metrics = Engine(model, stream, cfg, evaluator).run(ctx)
    save_grid(ctx.run_dir / "grid.npz",
              model.grid(GRID_SEED, int(p.grid_columns), float(p.grid_min_prob)))
    return metrics
