"""The LSUN 20-object split (per category: held-out first, then training images), on tiny
exported category folders that the test writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from reproduce.data.image_folder import LSUN_OBJECTS
from reproduce.data.images import load_image_dataset
from reproduce.data.lsun_objects import split_indices


def test_split_indices_are_disjoint_and_sized_per_category() -> None:
    labels = np.repeat(np.arange(3), [7, 5, 9])
    test = split_indices(labels, "test", per_category=3, held_out=2)
    train = split_indices(labels, "train", per_category=3, held_out=2)
    assert np.bincount(labels[test]).tolist() == [2, 2, 2]
    assert np.bincount(labels[train]).tolist() == [3, 3, 3]
    assert len(np.intersect1d(test, train)) == 0
    # a short category gives what remains after the held-out images
    short = split_indices(labels, "train", per_category=10, held_out=2)
    assert np.bincount(labels[short]).tolist() == [5, 3, 7]


def test_reads_category_folders(tmp_path: Path, monkeypatch) -> None:
    import reproduce.data.lsun_objects as lo

    monkeypatch.setattr(lo, "HELD_OUT", 1)
    monkeypatch.setattr(lo, "PER_CATEGORY", 2)
    for k, cat in enumerate(LSUN_OBJECTS):
        folder = tmp_path / "lsun" / cat
        folder.mkdir(parents=True)
        for j in range(4):  # every image one distinct grey level
            Image.fromarray(np.full((12, 10, 3), 10 * k + j, np.uint8)).save(folder / f"{j}.png")
    train = load_image_dataset("lsun20split", root=tmp_path, image_size=8)
    test = load_image_dataset("lsun20split", split="test", root=tmp_path, image_size=8)
    assert len(train) == 40 and len(test) == 20
    assert np.bincount(train.labels).tolist() == [2] * 20
    px_train = {int(v) for v in train.uint8(np.arange(40))[:, 0, 0, 0]}
    px_test = {int(v) for v in test.uint8(np.arange(20))[:, 0, 0, 0]}
    assert not px_train & px_test  # no image in both splits
    assert train.uint8(np.array([0])).shape == (1, 3, 8, 8)
