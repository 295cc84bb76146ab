"""``build`` of watanabe_selflabel (see methods/watanabe/config.py): data with its label
split, evaluator, model and schedule; the engine trains and re-scores it."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from methods.engine import BatchStream, Engine, EngineConfig, preserved_rng, resolve_device
from methods.engine.protocol import Built
from methods.watanabe.config import INFO
from methods.watanabe.evaluate import WatanabeEvaluator
from methods.watanabe.model import WatanabeGAN, real_batch_size, uses_teacher
from reproduce.data.images import ImageSet, load_image_dataset
from reproduce.data.splits import labelled_split

TRAIN_SPLIT = {"stl10": "train+unlabeled"}  # STL-10: 5,000 labelled + 100,000 unlabeled


class PartlyLabelled:
    """A training set whose labels are kept only for ``labelled`` indices (-1 elsewhere)."""

    def __init__(self, data: ImageSet, labelled: np.ndarray) -> None:
        self.data = data
        self.labels = np.full(len(data), -1, dtype=np.int64)
        self.labels[labelled] = data.labels[labelled]
        self._labels_t = torch.from_numpy(self.labels)

    def __len__(self) -> int:
        return len(self.data)

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x, _ = self.data.batch(idx)
        return x, self._labels_t[torch.as_tensor(np.asarray(idx, dtype=np.int64))]


def choose_labelled(labels: np.ndarray, rate: float, seed: int
                    ) -> tuple[np.ndarray, dict[str, Any]]:
    """Indices keeping their real label: ``round(rate * N)`` images spread evenly over the
    classes (among images that have a label), chosen with ``seed``; all when rate = 1."""
    n_target = min(int(round(rate * len(labels))), int((labels >= 0).sum()))
    if n_target <= 0:
        return np.zeros(0, np.int64), {"n_labelled": 0, "split_rule": "none"}
    split = labelled_split(labels, count=n_target, seed=seed)
    return split.labelled, split.record()


def schedule(p: Any, n_train: int) -> dict[str, int]:
    """G steps per epoch (an epoch = n_train / batch_size D steps), total G steps, eval and
    checkpoint intervals in G steps."""
    p = INFO.typed(p)
    per_epoch = max(1, n_train // (p.batch_size * p.d_steps))
    if p.max_steps_per_epoch > 0:
        per_epoch = min(per_epoch, p.max_steps_per_epoch)
    return {"per_epoch": per_epoch, "d_per_epoch": per_epoch * p.d_steps,
            "steps": per_epoch * p.epochs,
            "eval_every": per_epoch * p.eval_every_epochs,
            "checkpoint_every": per_epoch * p.checkpoint_every_epochs}


def load_data(p: Any, dataset: str) -> tuple[ImageSet, ImageSet | None, PartlyLabelled,
                                             dict[str, Any]]:
    """Training set, test set (when a teacher is evaluated), the partly labelled training
    set and the record of its label split."""
    size, ch = p.image_size, p.channels
    data = load_image_dataset(dataset, split=TRAIN_SPLIT.get(dataset, "train"), image_size=size,
                              channels=ch)
    test = (load_image_dataset(dataset, split="test", image_size=size, channels=ch)
            if uses_teacher(p) else None)
    labelled, record = choose_labelled(data.labels, p.label_rate, p.split_seed)
    real_labels_used = len(labelled) > 0 and p.cond_loss in ("both", "eq11", "real")
    if real_labels_used and p.num_clusters != data.num_classes:
        raise ValueError(f"real labels feed D^C: num_clusters must equal the "
                         f"{data.num_classes} classes of {dataset}, got {p.num_clusters}")
    return data, test, PartlyLabelled(data, labelled), record


def build(p: Any, seed: int, dataset: str) -> Built:
    """The run's engine. Data and evaluator leave the global generators untouched (a
    cached statistic and a freshly computed one give the same run)."""
    device = resolve_device(p.device)
    with preserved_rng():
        data, test, partly, record = load_data(p, dataset)
        evaluator = WatanabeEvaluator(p, data, test, dataset, seed, device)
    sched = schedule(p, len(data))
    evaluator.final_step = sched["steps"]
    model = WatanabeGAN(p, device, sched["d_per_epoch"])
    stream = BatchStream(partly, real_batch_size(p), seed, device)
    cfg = EngineConfig(steps=sched["steps"], d_steps=p.d_steps, eval_every=sched["eval_every"],
                       checkpoint_every=sched["checkpoint_every"], ema_decay=p.ema_decay,
                       ema_start=p.ema_start, progress_every=max(1, min(50, sched["per_epoch"])))
    return Built(Engine(model, stream, cfg, evaluator), cfg.schedule(),
                 result={"n_labelled": float(record["n_labelled"])})
