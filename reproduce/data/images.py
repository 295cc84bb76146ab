"""Image data sets: one registry, one container, nothing ever downloaded.

Every data set lives under the data root (``$REPRODUCE_DATA``, default
``~/.cache/reproduce/data``) in its native distribution format; a missing one raises
:class:`reproduce.data.errors.DataError` with one line saying where to get it and where to put
it. :func:`load_image_dataset` returns an :class:`ImageSet`: uint8 NCHW images in
[0, 255] (in memory, or read lazily from files for the large folder data sets), int64
labels, and :meth:`ImageSet.batch` giving float tensors in [-1, 1] for a generator's
tanh range.

Registered names (``available_datasets()``): ``digits`` (the embedded demo set:
scikit-learn's bundled 8x8 digits, upscaled bilinearly; no files needed), ``mnist``,
``cifar10``, ``cifar100``, ``stl10``, ``svhn`` (torchvision readers, ``download=False``),
and the folder data sets of :mod:`reproduce.data.image_folder`: ``imagenet64``,
``tinyimagenet``, ``cub200``, ``fs100`` (FaceScrub, the 100 largest identities) and
``lsun20`` (20 LSUN object categories). Data sets are resized to ``image_size`` when given
(bilinear with antialiasing for arrays, PIL bicubic for files) and grey images are
repeated to ``channels = 3`` when asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reproduce.data.errors import DataError

DATA_ENV = "REPRODUCE_DATA"
DIGITS_TRAIN = 1500  # digits: the first 1500 of a fixed permutation train, the rest test


def data_root(root: str | Path | None = None) -> Path:
    """The data root: ``root``, else ``$REPRODUCE_DATA``, else ``~/.cache/reproduce/data``."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "reproduce" / "data"


def missing(name: str, where: Path, url: str, layout: str) -> DataError:
    """The one-line error for a data set that is not on disk."""
    return DataError(
        f"data set {name!r} not found at {where} (expected {layout}): get it from {url} and "
        f"put it there; nothing is downloaded (set ${DATA_ENV} to use another data root)")


class ImageSet:
    """Labelled images as uint8 NCHW in [0, 255]; base class of the in-memory and file sets."""

    name: str
    num_classes: int
    labels: np.ndarray  # (N,) int64; -1 where unlabelled (STL-10 unlabeled split)
    channels: int
    image_size: int

    def __len__(self) -> int:
        return len(self.labels)

    def uint8(self, idx: np.ndarray) -> np.ndarray:
        """Images ``idx`` as uint8 (n, C, H, W)."""
        raise NotImplementedError

    def batch(self, idx: np.ndarray) -> tuple[Any, Any]:
        """``(x, y)``: float32 tensor (n, C, H, W) in [-1, 1] and int64 labels."""
        import torch

        x = torch.from_numpy(self.uint8(np.asarray(idx))).float().div_(127.5).sub_(1.0)
        return x, torch.from_numpy(self.labels[idx])

    def arrays(self, max_n: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """All images and labels (or ``max_n`` chosen with ``seed``), uint8 NCHW."""
        idx = np.arange(len(self))
        if max_n is not None and max_n < len(idx):
            idx = np.sort(np.random.default_rng(seed).choice(idx, max_n, replace=False))
        return self.uint8(idx), self.labels[idx]


class ArrayImageSet(ImageSet):
    """An image set held in memory; small sets also keep their [-1, 1] float tensor."""

    FLOAT_CACHE_BYTES = 256 * 2**20

    def __init__(self, name: str, images: np.ndarray, labels: np.ndarray, num_classes: int,
                 class_names: list[str] | None = None) -> None:
        if images.dtype != np.uint8 or images.ndim != 4:
            raise ValueError(f"{name}: images must be uint8 NCHW, got {images.dtype} "
                             f"{images.shape}")
        self.name = name
        self.images = np.ascontiguousarray(images)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.num_classes = int(num_classes)
        self.class_names = class_names or [str(i) for i in range(num_classes)]
        self.channels = int(images.shape[1])
        self.image_size = int(images.shape[2])
        self._float: Any = None  # [-1, 1] float tensor, built on first use when small
        self._labels_t: Any = None

    def uint8(self, idx: np.ndarray) -> np.ndarray:
        return self.images[idx]

    def batch(self, idx: np.ndarray) -> tuple[Any, Any]:
        import torch

        if self._float is None and self.images.size * 4 <= self.FLOAT_CACHE_BYTES:
            self._float = torch.from_numpy(self.images).float().div_(127.5).sub_(1.0)
            self._labels_t = torch.from_numpy(self.labels)
        if self._float is not None:
            t = torch.from_numpy(np.asarray(idx, dtype=np.int64))
            return self._float[t], self._labels_t[t]
        return super().batch(idx)


def resize_uint8(images: np.ndarray, size: int, chunk: int = 2048) -> np.ndarray:
    """Resize uint8 NCHW images to ``size`` x ``size`` (bilinear, antialiased), in chunks."""
    if images.shape[2] == size and images.shape[3] == size:
        return images
    import torch
    import torch.nn.functional as F

    out = np.empty((len(images), images.shape[1], size, size), dtype=np.uint8)
    for i in range(0, len(images), chunk):
        x = torch.from_numpy(images[i : i + chunk]).float()
        y = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True,
                          align_corners=False)
        out[i : i + chunk] = y.round_().clamp_(0, 255).to(torch.uint8).numpy()
    return out


def to_channels(images: np.ndarray, channels: int | None) -> np.ndarray:
    """Repeat grey images to 3 channels (or average colour to 1) when asked."""
    if channels is None or images.shape[1] == channels:
        return images
    if channels == 3 and images.shape[1] == 1:
        return np.repeat(images, 3, axis=1)
    if channels == 1 and images.shape[1] == 3:
        return images.mean(axis=1, keepdims=True).round().astype(np.uint8)
    raise ValueError(f"cannot convert {images.shape[1]} channels to {channels}")


# --- loaders of the array data sets -------------------------------------------------------

def _digits(root: Path, split: str, **_: Any) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
    """scikit-learn's bundled 8x8 digits (0..16), as uint8 [0, 255]; fixed train/test split."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = np.round(d.images * (255.0 / 16.0)).astype(np.uint8)[:, None]
    perm = np.random.default_rng(0).permutation(len(images))
    sel = {"train": perm[:DIGITS_TRAIN], "test": perm[DIGITS_TRAIN:],
           "all": np.arange(len(images))}[split]
    return images[sel], d.target[sel].astype(np.int64), 10, [str(i) for i in range(10)]


def _torchvision(cls_name: str, subdir: str, url: str, layout: str, probe: str
                 ) -> Callable[..., tuple[np.ndarray, np.ndarray, int, list[str]]]:
    """A loader reading a torchvision data set (``download=False``) under root/subdir."""

    def load(root: Path, split: str, name: str, dataset_class: Any = None
             ) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
        base = root / subdir
        if not (base / probe).exists():
            raise missing(name, base, url, layout)
        import torchvision.datasets as tvd

        cls = dataset_class or getattr(tvd, cls_name)
        try:
            if cls_name in ("SVHN", "STL10"):
                ds = cls(str(base), split=split, download=False)
                data, labels = np.asarray(ds.data), np.asarray(ds.labels)
            else:
                ds = cls(str(base), train=split == "train", download=False)
                data, labels = np.asarray(ds.data), np.asarray(ds.targets)
                data = data[:, None] if data.ndim == 3 else data.transpose(0, 3, 1, 2)
        except RuntimeError as err:  # torchvision: a file of the split missing or corrupt
            raise missing(name, base, url, layout) from err
        classes = list(getattr(ds, "classes", []) or [])
        k = len(classes) or int(labels.max()) + 1
        return data.astype(np.uint8), labels.astype(np.int64), k, classes

    return load


@dataclass(frozen=True)
class DatasetInfo:
    """One registered data set."""

    name: str
    num_classes: int
    native_size: int
    channels: int
    splits: tuple[str, ...]
    loader: Callable[..., Any]
    kind: str = "array"  # "array": in memory; "folder": read lazily from files


_CIFAR_URL = "https://www.cs.toronto.edu/~kriz/"
DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo("digits", 10, 8, 1, ("train", "test", "all"), _digits),
    "mnist": DatasetInfo("mnist", 10, 28, 1, ("train", "test"), _torchvision(
        "MNIST", "mnist", "http://yann.lecun.com/exdb/mnist/ (gunzip the 4 files)",
        "MNIST/raw/train-images-idx3-ubyte etc.", "MNIST/raw")),
    "cifar10": DatasetInfo("cifar10", 10, 32, 3, ("train", "test"), _torchvision(
        "CIFAR10", "cifar10", _CIFAR_URL + "cifar-10-python.tar.gz",
        "cifar-10-batches-py/ (the extracted python archive)", "cifar-10-batches-py")),
    "cifar100": DatasetInfo("cifar100", 100, 32, 3, ("train", "test"), _torchvision(
        "CIFAR100", "cifar100", _CIFAR_URL + "cifar-100-python.tar.gz",
        "cifar-100-python/ (the extracted python archive)", "cifar-100-python")),
    "stl10": DatasetInfo("stl10", 10, 96, 3, ("train", "test", "unlabeled", "train+unlabeled"),
                         _torchvision("STL10", "stl10",
                                      "https://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
                                      "stl10_binary/ (the extracted binary archive)",
                                      "stl10_binary")),
    "svhn": DatasetInfo("svhn", 10, 32, 3, ("train", "test", "extra"), _torchvision(
        "SVHN", "svhn", "http://ufldl.stanford.edu/housenumbers/ (train_32x32.mat, ...)",
        "train_32x32.mat, test_32x32.mat", "train_32x32.mat")),
}


def _register_folders() -> None:
    from reproduce.data import facescrub, image_folder, imagenet64_npz, lsun_objects

    for info in image_folder.FOLDER_DATASETS:
        DATASETS[info.name] = info
    DATASETS[imagenet64_npz.INFO.name] = imagenet64_npz.INFO
    DATASETS[lsun_objects.INFO.name] = lsun_objects.INFO
    DATASETS[facescrub.INFO.name] = facescrub.INFO


def available_datasets() -> list[str]:
    """Names of every registered image data set."""
    _register_folders()
    return sorted(DATASETS)


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry of ``name`` (DataError naming the known ones)."""
    _register_folders()
    if name not in DATASETS:
        raise DataError(f"unknown image data set {name!r}; known: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]


def load_image_dataset(name: str, *, split: str = "train", image_size: int | None = None,
                       channels: int | None = None, root: str | Path | None = None,
                       dataset_class: Any = None) -> ImageSet:
    """Load a registered data set (never downloads; DataError when it is not on disk).

    ``image_size`` resizes (None: native), ``channels`` converts grey/colour (None:
    native). ``dataset_class`` replaces the torchvision class of the array data sets (a
    site's patched reader, or a test's subclass without md5 checks).
    """
    info = dataset_info(name)
    if split not in info.splits:
        raise DataError(f"data set {name!r} has no split {split!r}; splits: "
                        f"{', '.join(info.splits)}")
    base = data_root(root)
    if info.kind == "folder":
        return info.loader(base, split, name=name, image_size=image_size, channels=channels)
    images, labels, k, classes = info.loader(base, split, name=name, dataset_class=dataset_class)
    if image_size is not None:
        images = resize_uint8(images, int(image_size))
    images = to_channels(images, channels)
    return ArrayImageSet(name, images, labels, k, classes or None)
