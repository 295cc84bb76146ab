"""Downsampled ImageNet 64x64 (Chrabaszcz et al., 2017) in its published npz format, read
whole into memory (about 15.7 GB of uint8 for the training set), never downloaded.

Layout under the data root (the two extracted archives of image-net.org's "Downsampled
ImageNet 64x64"): ``imagenet64npz/Imagenet64_train_npz/train_data_batch_{1..10}.npz`` and
``imagenet64npz/Imagenet64_val_npz/val_data.npz``. Each file holds ``data`` (N, 12288)
uint8, every row one image as its 64x64 red, green and blue planes in turn, and
``labels``: the classes 1..1000 (stored here as 0..999).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from reproduce.data.images import DatasetInfo, missing

SIZE = 64
URL = "https://image-net.org/download-images (Downsampled ImageNet 64x64, npz)"
FILES = {"train": ("Imagenet64_train_npz", [f"train_data_batch_{i}.npz" for i in range(1, 11)]),
         "val": ("Imagenet64_val_npz", ["val_data.npz"])}


def read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One file's images (N, 3, 64, 64) uint8 and labels 0..999."""
    with np.load(path) as f:
        data, labels = np.asarray(f["data"]), np.asarray(f["labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * SIZE * SIZE:
        raise ValueError(f"{path}: 'data' must be uint8 (N, {3 * SIZE * SIZE}), got "
                         f"{data.dtype} {data.shape}")
    return data.reshape(-1, 3, SIZE, SIZE), labels.astype(np.int64) - 1


def load(root: Path, split: str, name: str, **_: Any
         ) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
    """The ``train`` or ``val`` split as (images, labels, 1000, class names)."""
    folder, names = FILES[split]
    base = root / "imagenet64npz" / folder
    absent = [n for n in names if not (base / n).is_file()]
    if absent:
        raise missing(name, base, URL, f"{', '.join(names[:2])}{' ...' if len(names) > 2 else ''}"
                      f" ({len(absent)} missing, e.g. {absent[0]})")
    parts = [read_npz(base / n) for n in names]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return images, labels, 1000, [str(i) for i in range(1000)]


INFO = DatasetInfo("imagenet64npz", 1000, SIZE, 3, ("train", "val"), load)
