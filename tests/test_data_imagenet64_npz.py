"""The downsampled ImageNet 64x64 npz reader, on tiny files in the published format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reproduce.data.errors import DataError
from reproduce.data.images import load_image_dataset


def _write(path: Path, images: np.ndarray, labels: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, data=images.reshape(len(images), -1), labels=labels)


def test_reads_planes_and_one_based_labels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (10, 3, 64, 64), dtype=np.uint8)
    base = tmp_path / "imagenet64npz" / "Imagenet64_train_npz"
    for i in range(10):  # ten batches of one image each, labels 1..10
        _write(base / f"train_data_batch_{i + 1}.npz", train[i : i + 1], [i + 1])
    d = load_image_dataset("imagenet64npz", root=tmp_path)
    assert len(d) == 10 and d.num_classes == 1000
    assert d.labels.tolist() == list(range(10))
    # a row is the red plane, then green, then blue
    np.testing.assert_array_equal(d.uint8(np.array([3])), train[3:4])
    x, y = d.batch(np.array([0]))
    assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0 and int(y[0]) == 0


def test_val_split_and_resize(tmp_path: Path) -> None:
    img = np.zeros((2, 3, 64, 64), np.uint8)
    img[:, 1] = 255  # pure green
    _write(tmp_path / "imagenet64npz" / "Imagenet64_val_npz" / "val_data.npz", img, [1000, 5])
    d = load_image_dataset("imagenet64npz", split="val", image_size=32, root=tmp_path)
    assert d.labels.tolist() == [999, 4]
    small = d.uint8(np.array([0]))[0]
    assert small.shape == (3, 32, 32) and small[1].min() == 255 and small[0].max() == 0


def test_missing_batch_is_one_line(tmp_path: Path) -> None:
    base = tmp_path / "imagenet64npz" / "Imagenet64_train_npz"
    _write(base / "train_data_batch_1.npz", np.zeros((1, 3, 64, 64), np.uint8), [1])
    with pytest.raises(DataError) as err:
        load_image_dataset("imagenet64npz", root=tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and "train_data_batch_2.npz" in msg and str(base) in msg


def test_wrong_row_length_names_the_file(tmp_path: Path) -> None:
    base = tmp_path / "imagenet64npz" / "Imagenet64_val_npz"
    base.mkdir(parents=True)
    np.savez(base / "val_data.npz", data=np.zeros((1, 100), np.uint8), labels=[1])
    with pytest.raises(ValueError, match="val_data.npz"):
        load_image_dataset("imagenet64npz", split="val", root=tmp_path)
