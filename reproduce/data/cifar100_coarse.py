"""CIFAR-100's 20 superclass labels, read from the python archive's pickles (never
downloaded): ``coarse_labels`` of ``cifar100/cifar-100-python/{train,test}``, in the order
of the images torchvision's CIFAR100 reads from the same files."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from reproduce.data.images import data_root, missing

NUM_SUPERCLASSES = 20


def cifar100_coarse_labels(split: str, root: str | Path | None = None) -> np.ndarray:
    """The superclass (0..19) of every image of the ``train`` or ``test`` split."""
    if split not in ("train", "test"):
        raise ValueError(f"CIFAR-100 has splits train and test, not {split!r}")
    path = data_root(root) / "cifar100" / "cifar-100-python" / split
    if not path.is_file():
        raise missing("cifar100", path.parent, "https://www.cs.toronto.edu/~kriz/"
                      "cifar-100-python.tar.gz", "cifar-100-python/ (the extracted archive)")
    with open(path, "rb") as fh:
        entry = pickle.load(fh, encoding="latin1")
    return np.asarray(entry["coarse_labels"], dtype=np.int64)
