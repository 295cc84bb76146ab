"""Image data sets: the embedded digits set, readers of the native formats on small files
written here, the missing-data-set message, and the labelled/unlabelled split."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from reproduce.data.errors import DataError
from reproduce.data.image_folder import LSUN_OBJECTS
from reproduce.data.images import available_datasets, data_root, load_image_dataset
from reproduce.data.splits import labelled_split

torch.set_num_threads(1)


# --- digits ------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "channels"), [(16, 3), (32, 1)])
def test_digits(size: int, channels: int) -> None:
    train = load_image_dataset("digits", image_size=size, channels=channels)
    test = load_image_dataset("digits", split="test", image_size=size, channels=channels)
    assert len(train) == 1500 and len(test) == 297 and train.num_classes == 10
    x, y = train.batch(np.arange(7))
    assert x.shape == (7, channels, size, size) and x.dtype == torch.float32
    assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0
    assert float(x.min()) == -1.0 and float(x.max()) > 0.9  # the full [-1, 1] range is used
    assert y.dtype == torch.int64 and set(train.labels.tolist()) == set(range(10))
    images, labels = train.arrays(max_n=50, seed=0)
    assert images.dtype == np.uint8 and images.shape == (50, channels, size, size)
    assert np.array_equal(train.arrays(max_n=50, seed=0)[0], images)


def test_digits_native_and_registry() -> None:
    d = load_image_dataset("digits", split="all")
    assert len(d) == 1797 and d.uint8(np.arange(2)).shape == (2, 1, 8, 8)
    for name in ("digits", "mnist", "cifar10", "cifar100", "stl10", "svhn", "imagenet64",
                 "tinyimagenet", "cub200", "fs100", "lsun20"):
        assert name in available_datasets()
    with pytest.raises(DataError, match="unknown image data set"):
        load_image_dataset("nope")
    with pytest.raises(DataError, match="no split"):
        load_image_dataset("digits", split="val")


# --- missing data sets -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cifar10", "mnist", "svhn", "stl10", "tinyimagenet", "cub200",
                                  "imagenet64", "fs100", "lsun20"])
def test_missing_data_set_is_one_line(tmp_path: Path, name: str) -> None:
    with pytest.raises(DataError) as err:
        load_image_dataset(name, root=tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and str(tmp_path) in msg and "get it from" in msg
    assert "nothing is downloaded" in msg and "REPRODUCE_DATA" in msg


def test_data_root_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPRODUCE_DATA", str(tmp_path))
    assert data_root() == tmp_path
    with pytest.raises(DataError, match=str(tmp_path / "cifar10")):
        load_image_dataset("cifar10")


# --- native formats written by the tests -------------------------------------------------

def _write_idx(path: Path, arr: np.ndarray) -> None:
    dims = arr.shape
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, len(dims)))
        f.write(struct.pack(f">{len(dims)}I", *dims))
        f.write(arr.astype(np.uint8).tobytes())


def test_mnist_idx_files(tmp_path: Path) -> None:
    raw = tmp_path / "mnist" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)
    for prefix in ("train", "t10k"):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", imgs)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    d = load_image_dataset("mnist", root=tmp_path)
    assert np.array_equal(d.uint8(np.arange(6))[:, 0], imgs)
    assert d.labels.tolist() == labels.tolist() and d.num_classes == 10
    big = load_image_dataset("mnist", split="test", root=tmp_path, image_size=32, channels=3)
    assert big.uint8(np.arange(2)).shape == (2, 3, 32, 32)


class NoMd5CIFAR10(torchvision.datasets.CIFAR10):
    """torchvision's reader without its md5 checks (the test files are not the real ones)."""

    def _check_integrity(self) -> bool:
        return True

    def _load_meta(self) -> None:
        with open(Path(self.root) / self.base_folder / self.meta["filename"], "rb") as f:
            self.classes = pickle.load(f, encoding="latin1")[self.meta["key"]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}


def test_cifar_pickled_batches(tmp_path: Path) -> None:
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {}
    for i, name in enumerate(names):
        data = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
        batches[name] = data
        with open(folder / name, "wb") as f:
            pickle.dump({"data": data, "labels": [i % 10, (i + 1) % 10]}, f)
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": classes}, f)
    d = load_image_dataset("cifar10", root=tmp_path, dataset_class=NoMd5CIFAR10)
    assert len(d) == 10 and d.num_classes == 10 and d.class_names == classes
    first = d.uint8(np.array([0]))[0]
    assert np.array_equal(first, batches["data_batch_1"][0].reshape(3, 32, 32))
    assert d.labels[:4].tolist() == [0, 1, 1, 2]
    t = load_image_dataset("cifar10", split="test", root=tmp_path, dataset_class=NoMd5CIFAR10,
                           image_size=16)
    assert len(t) == 2 and t.uint8(np.arange(2)).shape == (2, 3, 16, 16)


def _png(path: Path, value: int, size: tuple[int, int] = (64, 64), mode: str = "RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, (value,) * 3 if mode == "RGB" else value).save(path)


def test_imagenet64_folder_tree(tmp_path: Path) -> None:
    base = tmp_path / "imagenet64" / "train"
    for k, wnid in enumerate(["n02", "n01"]):
        for j in range(2):
            _png(base / wnid / f"{j}.png", 10 * k + j)
    d = load_image_dataset("imagenet64", root=tmp_path, image_size=32)
    assert d.class_names == ["n01", "n02"] and d.labels.tolist() == [0, 0, 1, 1]
    x, y = d.batch(np.array([2]))
    assert x.shape == (1, 3, 32, 32) and y.tolist() == [1]
    assert float(x[0, 0, 0, 0]) == pytest.approx(0 / 127.5 - 1)  # n02 image 0 has value 0


def test_tinyimagenet_layout(tmp_path: Path) -> None:
    base = tmp_path / "tiny-imagenet-200"
    base.mkdir()
    (base / "wnids.txt").write_text("n0b\nn0a\n")
    for wnid, v in (("n0b", 50), ("n0a", 100)):
        _png(base / "train" / wnid / "images" / f"{wnid}_0.JPEG", v)
        (base / "train" / wnid / f"{wnid}_boxes.txt").write_text("")
    _png(base / "val" / "images" / "val_0.JPEG", 200)
    (base / "val" / "val_annotations.txt").write_text("val_0.JPEG\tn0a\t0\t0\t63\t63\n")
    train = load_image_dataset("tinyimagenet", root=tmp_path, image_size=32)
    assert train.labels.tolist() == [0, 1] and train.num_classes == 2
    assert train.uint8(np.array([0]))[0, 0, 0, 0] == 50  # wnids.txt order, not sorted
    val = load_image_dataset("tinyimagenet", split="val", root=tmp_path)
    assert val.labels.tolist() == [1] and val.uint8(np.array([0]))[0, 0, 5, 5] == 200


def test_cub200_layout(tmp_path: Path) -> None:
    base = tmp_path / "CUB_200_2011"
    files = ["001.Albatross/a.jpg", "001.Albatross/b.jpg", "002.Auklet/c.jpg"]
    for i, f in enumerate(files):
        _png(base / "images" / f, 40 * i, size=(80, 60))
    (base / "images.txt").write_text("".join(f"{i + 1} {f}\n" for i, f in enumerate(files)))
    (base / "train_test_split.txt").write_text("1 1\n2 0\n3 1\n")
    (base / "image_class_labels.txt").write_text("1 1\n2 1\n3 2\n")
    train = load_image_dataset("cub200", root=tmp_path, image_size=16)
    assert train.labels.tolist() == [0, 1] and len(train.sources) == 2
    assert train.uint8(np.arange(2)).shape == (2, 3, 16, 16)  # non-square: crop to square
    assert len(load_image_dataset("cub200", split="test", root=tmp_path)) == 1


def test_fs100_keeps_the_largest_identities(tmp_path: Path) -> None:
    base = tmp_path / "facescrub"
    for k in range(102):
        n = 2 if k < 100 else 1  # the last two identities are the smallest
        for j in range(n):
            _png(base / f"person_{k:03d}" / f"{j}.jpg", 1, size=(8, 8))
    d = load_image_dataset("fs100", root=tmp_path, image_size=8, channels=1)
    assert d.num_classes == 100 and "person_101" not in d.class_names and len(d) == 200
    assert d.uint8(np.array([0])).shape == (1, 1, 8, 8)


def test_lsun20_exported_folders(tmp_path: Path) -> None:
    for cat in LSUN_OBJECTS:
        _png(tmp_path / "lsun" / cat / "x.png", 7, size=(10, 12))
    d = load_image_dataset("lsun20", root=tmp_path, image_size=8)
    assert d.num_classes == 20 and d.labels.tolist() == list(range(20))
    assert d.uint8(np.array([19])).shape == (1, 3, 8, 8)


# --- labelled / unlabelled split ---------------------------------------------------------

def test_labelled_split_rules() -> None:
    labels = np.repeat(np.arange(4), [10, 20, 30, 5])
    s = labelled_split(labels, per_class=4, seed=3)
    assert np.bincount(labels[s.labelled]).tolist() == [4, 4, 4, 4]
    assert len(np.intersect1d(s.labelled, s.unlabelled)) == 0
    assert len(s.labelled) + len(s.unlabelled) == len(labels)
    assert np.array_equal(labelled_split(labels, per_class=4, seed=3).labelled, s.labelled)
    assert not np.array_equal(labelled_split(labels, per_class=4, seed=4).labelled, s.labelled)
    f = labelled_split(labels, fraction=0.1, seed=0)
    assert np.bincount(labels[f.labelled]).tolist() == [1, 2, 3, 1]
    c = labelled_split(labels, count=22, seed=0)
    assert np.bincount(labels[c.labelled]).tolist() == [6, 6, 5, 5]
    rec = s.record()
    assert rec["split_rule"] == "per_class=4" and rec["split_seed"] == 3
    assert rec["n_labelled"] == 16 and len(rec["labelled_sha256"]) == 16
    with pytest.raises(ValueError):
        labelled_split(labels, per_class=1, count=2)
