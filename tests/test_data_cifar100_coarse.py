"""CIFAR-100 superclass labels, read from a tiny pickle in the archive's format."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from reproduce.data.cifar100_coarse import cifar100_coarse_labels
from reproduce.data.errors import DataError


def test_reads_coarse_labels_in_file_order(tmp_path: Path) -> None:
    base = tmp_path / "cifar100" / "cifar-100-python"
    base.mkdir(parents=True)
    entry = {"data": np.zeros((3, 3072), np.uint8), "fine_labels": [4, 30, 55],
             "coarse_labels": [11, 0, 19]}
    with open(base / "test", "wb") as fh:
        pickle.dump(entry, fh)
    labels = cifar100_coarse_labels("test", root=tmp_path)
    assert labels.dtype == np.int64 and labels.tolist() == [11, 0, 19]


def test_missing_archive_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        cifar100_coarse_labels("train", root=tmp_path)
    assert "\n" not in str(err.value) and "cifar-100-python" in str(err.value)
