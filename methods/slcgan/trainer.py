"""Build of noroozi_slcgan runs on the image GAN engine (see methods/slcgan/config.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from methods.engine import BatchStream, Engine, EngineConfig, preserved_rng, resolve_device
from methods.engine.protocol import Built
from methods.slcgan.evaluate import SlcEvaluator
from methods.slcgan.model import SlcGAN
from reproduce.data.cifar100_coarse import cifar100_coarse_labels
from reproduce.data.images import ImageSet, load_image_dataset


class SlcEngine(Engine):
    """The engine, plus the run's artifact: the cluster lengths of the final evaluation."""

    def artifacts(self) -> dict[str, dict[str, np.ndarray]]:
        """``cluster_sizes.npz`` with ``values`` (once the final evaluation has run)."""
        sizes = self.evaluator.sizes  # type: ignore[attr-defined]
        return {} if sizes is None else {"cluster_sizes.npz": {"values": sizes}}


def ground_truth(p: Any, dataset: str, split: str, data: ImageSet) -> np.ndarray:
    """The classes the clustering metrics and the probe compare with (``gt_labels``)."""
    if p.gt_labels == "fine":
        return data.labels
    if dataset != "cifar100":
        raise ValueError(f"gt_labels = 'coarse' needs cifar100, not {dataset!r}")
    return cifar100_coarse_labels(split)


def load_data(p: Any, dataset: str) -> tuple[dict[str, ImageSet], dict[str, np.ndarray]]:
    """The training set, the evaluation split and the FID reference split, with labels."""
    splits = {"train": "train", "eval": p.eval_split, "fid_ref": p.fid_ref_split}
    loaded: dict[str, ImageSet] = {}
    data, labels = {}, {}
    for role, split in splits.items():
        if split not in loaded:
            loaded[split] = load_image_dataset(dataset, split=split, image_size=p.image_size,
                                               channels=p.channels)
        data[role] = loaded[split]
        labels[role] = ground_truth(p, dataset, split, loaded[split])
    return data, labels


def build(p: Any, seed: int, dataset: str) -> Built:
    """The run's model (G, D, C on the engine) and schedule; data and the evaluator (whose
    substitute classifier may be trained or loaded) leave the global generators alone."""
    device = resolve_device(p.device)
    cfg = EngineConfig.from_params(p)
    if p.untrained:
        cfg = dataclasses.replace(cfg, steps=0)
    with preserved_rng():
        data, labels = load_data(p, dataset)
        evaluator = SlcEvaluator(p, data, labels, dataset, seed, device, final_step=cfg.steps)
    stream = BatchStream(data["train"], p.batch_size, seed, device)
    method = SlcGAN(p, data["train"].num_classes, stream, device)
    return Built(SlcEngine(method, stream, cfg, evaluator), cfg.schedule(),
                 {"num_clusters": float(method.k)})
