"""The build of medgan (see methods/medgan/config.py) on the image GAN engine."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from methods.engine import BatchStream, Engine, EngineConfig, preserved_rng, resolve_device
from methods.engine.protocol import Built
from methods.medgan.evaluate import MedGANEvaluator
from methods.medgan.model import MedGAN
from reproduce.data.images import ImageSet, load_image_dataset
from reproduce.data.splits import labelled_split


class Subset:
    """The images ``idx`` of a data set, with the data set's ``batch`` interface."""

    def __init__(self, data: ImageSet, idx: np.ndarray) -> None:
        self.data, self.idx = data, np.asarray(idx, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.idx)

    def batch(self, i: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return self.data.batch(self.idx[np.asarray(i)])


class MedGANEngine(Engine):
    """The engine of a medgan run; its artifact is the class-wise FID (Figure 6)."""

    evaluator: MedGANEvaluator

    def artifacts(self) -> dict[str, dict[str, np.ndarray]]:
        """``classwise_fid.npz`` (``values``: FID per class, ``classes``) once computed."""
        values = self.evaluator.classwise
        if values is None:
            return {}
        return {"classwise_fid.npz": {"values": values, "classes": np.arange(len(values))}}


def schedule(p: Any, n_stream: int, batch: int) -> EngineConfig:
    """An epoch is one pass over the stream; ``max_steps`` > 0 caps the G steps;
    evaluations and checkpoints every so many epochs."""
    per_epoch = max(1, n_stream // batch)
    steps = per_epoch * p.epochs
    if p.max_steps > 0:
        steps = min(steps, p.max_steps)
    return EngineConfig(steps=steps, d_steps=p.d_steps, ema_decay=p.ema_decay,
                        eval_every=min(steps, per_epoch * p.eval_every_epochs),
                        checkpoint_every=min(steps, per_epoch * p.checkpoint_every_epochs),
                        progress_every=max(1, min(50, per_epoch)))


def build(p: Any, seed: int, dataset: str) -> Built:
    """Data and label split, the evaluator (which may train a substitute IS classifier,
    leaving the global generators alone), the model and its engine."""
    device = resolve_device(p.device)
    semi = p.supervision == "semi"
    with preserved_rng():
        train = load_image_dataset(dataset, split="train", image_size=p.image_size,
                                   channels=p.channels)
        test = (load_image_dataset(dataset, split="test", image_size=p.image_size,
                                   channels=p.channels) if semi else None)
    result: dict[str, Any] = {}
    if semi:
        split = labelled_split(train.labels, count=p.num_labeled, seed=p.split_seed)
        labelled, stream_data = Subset(train, split.labelled), Subset(train, split.unlabelled)
        batch = p.batch_unlabeled
        result["n_labelled"] = float(len(split.labelled))
    else:
        labelled, stream_data, batch = None, train, p.batch_labeled
    cfg = schedule(p, len(stream_data), batch)
    with preserved_rng():
        evaluator = MedGANEvaluator(p, train, test, dataset, seed, device, cfg.steps)
    method = MedGAN(p, train.num_classes, device, labelled, seed)
    stream = BatchStream(stream_data, batch, seed, device)
    return Built(MedGANEngine(method, stream, cfg, evaluator), cfg.schedule(), result)
