"""The ``real_data`` "trainer": scores the run's data set with the generators' evaluators
and logs one evaluation at step 0 (see methods/real_data/config.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from methods.base import RunContext
from methods.engine import cache_root, resolve_device
from methods.real_data.config import INFO
from reproduce import metrics as M
from reproduce.data.images import ImageSet, load_image_dataset

INCEPTION = "inception-v3 (clean-fid TorchScript, ImageNet)"


def entropy(probs: np.ndarray) -> np.ndarray:
    """Entropy (nats) of each row of class probabilities; 0 log 0 = 0."""
    return -(probs * np.log(np.where(probs > 0, probs, 1.0))).sum(axis=1)


def select(data: ImageSet, class_index: int, n: int) -> tuple[np.ndarray, str]:
    """The images of class ``class_index`` (-1: all), at most ``n`` (0: all), and the
    class's name; ValueError for a class the data set does not have."""
    idx = np.arange(len(data))
    name = "every class"
    if class_index >= 0:
        if class_index >= data.num_classes:
            raise ValueError(f"real_data: class_index {class_index} is not a class of "
                            f"{data.name} (0..{data.num_classes - 1})")
        idx = idx[data.labels == class_index]
        names = list(getattr(data, "class_names", []) or [])
        label = names[class_index] if class_index < len(names) else "?"
        name = f"{label!r} (class index {class_index})"
    if 0 < n < len(idx):
        idx = np.sort(np.random.default_rng(0).choice(idx, n, replace=False))
    return data.uint8(idx), name


def data_classifier(p: Any, data: ImageSet, dataset: str, device: str
                    ) -> tuple[torch.nn.Module, str]:
    """The data-set classifier (trained once and cached, under the key and recipe that
    zhou_amgan's AM Score uses, so both share it) and its description."""
    key = (f"{dataset}-{data.image_size}px-{data.channels}ch-{p.am_recipe}"
           f"{p.am_epochs}")
    with torch.random.fork_rng(devices=[]):
        clf, _ = M.load_or_train_classifier(
            key, data.arrays, cache_dir=str(cache_root()),
            num_classes=data.num_classes, arch=p.am_classifier,
            recipe=p.am_recipe, epochs=p.am_epochs, seed=0, device=device)
    return clf, (f"{p.am_classifier} trained on {key} ({p.am_recipe} recipe, "
                 f"{p.am_epochs} epochs)")


def score(p: Any, data: ImageSet, dataset: str, device: str) -> dict[str, Any]:
    """Every metric of ``real_data`` on the selected images of ``data``."""
    images, class_name = select(data, p.class_index, p.n_eval_samples)
    out: dict[str, Any] = {"n_images": float(len(images)), "scored_class": class_name}
    clf = None
    if p.with_classifier or p.is_extractor == "am_classifier":
        clf, clf_name = data_classifier(p, data, dataset, device)
        clf_probs = M.predict_probs(clf, images, device=device)
    if p.is_extractor == "inception":
        probs = M.get_extractor("inception", device=device).probs(images)
        is_name = INCEPTION
    else:
        probs = clf_probs
        is_name = f"SUBSTITUTE {clf_name} (not inception-v3; not comparable with the paper)"
    mean, std = M.inception_score(probs, splits=min(p.is_splits, len(images)))
    out.update(inception_score=mean, inception_score_std=std,
               inception_entropy=float(entropy(probs).mean()),
               inception_score_extractor=is_name, inception_entropy_extractor=is_name)
    if p.with_classifier and clf is not None:
        low = entropy(clf_probs) < p.low_entropy_threshold
        out.update(low_entropy_share=100.0 * float(low.mean()),
                   low_entropy_share_extractor=clf_name)
    if p.fid_reference_split:
        out.update(reference_fid(p, images, dataset))
    return out


def reference_fid(p: Any, images: np.ndarray, dataset: str) -> dict[str, Any]:
    """FID of ``images`` against every image of the data set's ``fid_reference_split``."""
    ref = load_image_dataset(dataset, split=p.fid_reference_split,
                             image_size=p.image_size, channels=p.channels)
    ext = M.get_extractor(p.fid_extractor)
    fid = M.fid_from_features(ext.features(images), ext.features(ref.arrays()[0]), "eigh")
    name = ext.name if ext.comparable_with_inception else (
        f"SUBSTITUTE {ext.name} (not inception-v3; not comparable with the paper)")
    return {"fid": fid, "fid_extractor": name,
            "fid_reference": f"{p.fid_reference_split} split, {len(ref)} images"}


def train(ctx: RunContext) -> dict[str, Any]:
    """Score the images (no training); one evaluation at step 0."""
    p = INFO.typed(ctx.params)
    dataset = str(ctx.config["dataset"])
    data = load_image_dataset(dataset, split=p.split, image_size=p.image_size,
                              channels=p.channels)
    metrics = score(p, data, dataset, resolve_device(p.device))
    ctx.log_eval(0, metrics)
    ctx.progress(1, 1)
    return metrics
