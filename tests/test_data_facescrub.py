"""FS-100 read from FaceScrub's per-identity folders (tiny files written here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reproduce.data.errors import DataError
from reproduce.data.facescrub import held_out
from reproduce.data.images import load_image_dataset


def _faces(root: Path) -> None:
    """102 identities: 100 with 8 images, 'zz_small_a' / 'zz_small_b' with 7 and 2."""
    counts = {f"person_{k:03d}": 8 for k in range(100)}
    counts.update(zz_small_a=7, zz_small_b=2)
    for k, (name, n) in enumerate(sorted(counts.items())):
        for j in range(n):
            path = root / "facescrub" / name / f"{name}_{j}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (10, 12), (k, j * 20, 0)).save(path)


def test_fs100_splits_from_the_identity_folders(tmp_path: Path) -> None:
    _faces(tmp_path)
    train = load_image_dataset("fs100", split="train", root=tmp_path, image_size=8)
    test = load_image_dataset("fs100", split="test", root=tmp_path, image_size=8)
    full = load_image_dataset("fs100", split="all", root=tmp_path, image_size=8)
    assert train.num_classes == test.num_classes == 100
    assert "zz_small_a" not in train.class_names and "zz_small_b" not in train.class_names
    # 8 images per identity: round(8 * 2 / 15) = 1 test image, 7 train images
    assert np.bincount(test.labels).tolist() == [1] * 100
    assert np.bincount(train.labels).tolist() == [7] * 100
    assert sorted(map(str, train.sources + test.sources)) == sorted(map(str, full.sources))
    assert not set(train.sources) & set(test.sources)
    # the same split on every load
    again = load_image_dataset("fs100", split="test", root=tmp_path, image_size=8)
    assert again.sources == test.sources
    x = test.uint8(np.array([0, 99]))
    assert x.shape == (2, 3, 8, 8) and x.dtype == np.uint8


def test_held_out_share() -> None:
    for n in (1, 7, 15, 150):
        test = held_out(n, 3)
        assert test.sum() == round(n * 2 / 15)
        assert np.array_equal(test, held_out(n, 3))


def test_missing_facescrub_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        load_image_dataset("fs100", split="test", root=tmp_path)
    message = str(err.value)
    assert "\n" not in message and str(tmp_path / "facescrub") in message
