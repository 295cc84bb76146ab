"""The MNIST reader (torchvision, never downloading) on tiny native idx files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reproduce.data.errors import DataError
from reproduce.data.images import load_image_dataset


def write_idx(path: Path, arr: np.ndarray) -> None:
    """An idx file as distributed by LeCun et al. (big-endian dims, uint8 data)."""
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in arr.shape)
    path.write_bytes(header + arr.astype(np.uint8).tobytes())


def make_mnist(root: Path, n_train: int = 6, n_test: int = 4) -> Path:
    raw = root / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    return raw


def test_reads_native_idx_files(tmp_path: Path) -> None:
    raw = make_mnist(tmp_path)
    d = load_image_dataset("mnist", root=tmp_path, image_size=32, channels=3)
    assert len(d) == 6 and d.uint8(np.arange(6)).shape == (6, 3, 32, 32)
    assert d.labels.tolist() == [0, 1, 2, 3, 4, 5] and d.num_classes == 10
    native = load_image_dataset("mnist", split="test", root=tmp_path)
    want = np.frombuffer((raw / "t10k-images-idx3-ubyte").read_bytes()[16:], np.uint8)
    assert np.array_equal(native.uint8(np.arange(4)).ravel(), want)


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    raw = make_mnist(tmp_path)
    (raw / "t10k-labels-idx1-ubyte").unlink()  # a partial copy: the test labels gone
    with pytest.raises(DataError) as err:
        load_image_dataset("mnist", split="test", root=tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and "not found" in msg and "yann.lecun.com" in msg
    assert str(tmp_path / "mnist") in msg

