"""LSUN's 20 object categories split as noroozi's slcGAN does: per category 100K training
images and 10K held-out images (2M and 200K in all), read lazily with the ``lsun20``
reader of :mod:`reproduce.data.image_folder` (``lsun/<category>/``, lmdb or images).

Per category, the images are ordered by ``numpy.random.default_rng(SPLIT_SEED)``'s
permutation; the first ``HELD_OUT`` are the ``test`` split, the next ``PER_CATEGORY`` the
``train`` split (all that remain when a category has fewer).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reproduce.data.image_folder import FileImageSet
from reproduce.data.images import DatasetInfo, dataset_info

PER_CATEGORY = 100_000
HELD_OUT = 10_000
SPLIT_SEED = 0


def split_indices(labels: np.ndarray, split: str, per_category: int = PER_CATEGORY,
                  held_out: int = HELD_OUT, seed: int = SPLIT_SEED) -> np.ndarray:
    """Sorted indices of ``split`` (train or test) within the full set's ``labels``."""
    out = []
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        idx = idx[np.random.default_rng(seed + int(k)).permutation(len(idx))]
        out.append(idx[:held_out] if split == "test" else idx[held_out:held_out + per_category])
    return np.sort(np.concatenate(out))


def load(root: Path, split: str, *, name: str, image_size: int | None,
         channels: int | None) -> FileImageSet:
    """The ``train`` or ``test`` part of the 20 categories."""
    full = dataset_info("lsun20").loader(root, "train", name=name, image_size=image_size,
                                         channels=channels)
    keep = split_indices(full.labels, split, PER_CATEGORY, HELD_OUT, SPLIT_SEED)
    return FileImageSet(name, [full.sources[i] for i in keep], full.labels[keep],
                        full.num_classes, full.image_size, full.channels, full.class_names,
                        full._reader)


INFO = DatasetInfo("lsun20split", 20, 64, 3, ("train", "test"), load, "folder")
