"""Folder-format image data sets, read lazily from files (PIL), never downloaded.

Layouts under the data root (each data set in its native distribution layout):

- ``imagenet64``: ``imagenet64/{train,val}/<wnid>/*`` (an ImageFolder tree of the 64x64
  downsampled ILSVRC images; 1000 classes).
- ``tinyimagenet``: ``tiny-imagenet-200/`` as distributed: ``wnids.txt``,
  ``train/<wnid>/images/*.JPEG``, ``val/images/*.JPEG`` + ``val/val_annotations.txt``
  (200 classes, 64x64).
- ``cub200``: ``CUB_200_2011/`` as distributed: ``images/<class>/*.jpg``, ``images.txt``,
  ``image_class_labels.txt``, ``train_test_split.txt`` (200 classes).
- ``lsun20``: ``lsun/<category>/`` for the 20 LSUN object categories, each either the
  distributed lmdb (``data.mdb``; needs the ``lmdb`` package) or an exported ImageFolder
  directory of images.

FS-100 (FaceScrub's 100 largest identities, with a test split) is read by
:mod:`reproduce.data.facescrub`.

Class indices follow the sorted folder (or ``wnids.txt``) order. Images are converted to
RGB (or grey when ``channels = 1``), resized so that the shorter side is ``image_size``
(PIL bicubic) and centre-cropped square.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from reproduce.data.errors import DataError
from reproduce.data.images import DatasetInfo, ImageSet, missing

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".ppm")
LSUN_OBJECTS = ("airplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
                "cow", "dining_table", "dog", "horse", "motorbike", "person", "potted_plant",
                "sheep", "sofa", "train", "tv-monitor")


class FileImageSet(ImageSet):
    """Images read from files (or lmdb values) on demand; ``sources`` are paths or keys."""

    def __init__(self, name: str, sources: list[Any], labels: np.ndarray, num_classes: int,
                 image_size: int, channels: int, class_names: list[str],
                 reader: Any = None) -> None:
        self.name = name
        self.sources = sources
        self.labels = np.asarray(labels, dtype=np.int64)
        self.num_classes = num_classes
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.class_names = class_names
        self._reader = reader  # callable source -> bytes (lmdb); None: source is a path

    def _open(self, source: Any) -> Any:
        from PIL import Image

        if self._reader is not None:
            return Image.open(io.BytesIO(self._reader(source)))
        return Image.open(source)

    def load_one(self, i: int) -> np.ndarray:
        """Image ``i`` as uint8 (C, size, size): shorter side resized, centre crop."""
        from PIL import Image

        with self._open(self.sources[i]) as im:
            im = im.convert("L" if self.channels == 1 else "RGB")
            w, h = im.size
            s = self.image_size
            scale = s / min(w, h)
            nw, nh = max(s, round(w * scale)), max(s, round(h * scale))
            if (nw, nh) != (w, h):
                im = im.resize((nw, nh), Image.Resampling.BICUBIC)
            left, top = (nw - s) // 2, (nh - s) // 2
            arr = np.asarray(im.crop((left, top, left + s, top + s)), dtype=np.uint8)
        return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)

    def uint8(self, idx: np.ndarray) -> np.ndarray:
        idx = np.atleast_1d(np.asarray(idx))
        out = np.empty((len(idx), self.channels, self.image_size, self.image_size), np.uint8)
        for j, i in enumerate(idx):
            out[j] = self.load_one(int(i))
        return out


def images_in(folder: Path) -> list[Path]:
    """The image files under ``folder`` (any depth), sorted by path."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTS)


def _class_tree(base: Path, classes: list[str]) -> tuple[list[Path], list[int]]:
    paths: list[Path] = []
    labels: list[int] = []
    for k, cls in enumerate(classes):
        files = images_in(base / cls)
        paths += files
        labels += [k] * len(files)
    return paths, labels


def _make(name: str, paths: list[Any], labels: list[int], classes: list[str],
          image_size: int | None, native: int, channels: int | None, reader: Any = None
          ) -> FileImageSet:
    return FileImageSet(name, paths, np.asarray(labels, np.int64), len(classes),
                        image_size or native, channels or 3, classes, reader)


def _imagenet64(root: Path, split: str, *, name: str, image_size: int | None,
                channels: int | None) -> FileImageSet:
    base = root / "imagenet64" / split
    if not base.is_dir():
        raise missing(name, base, "https://image-net.org/download-images (downsampled 64x64)",
                      "an ImageFolder tree <wnid>/*.png")
    classes = sorted(p.name for p in base.iterdir() if p.is_dir())
    paths, labels = _class_tree(base, classes)
    return _make(name, paths, labels, classes, image_size, 64, channels)


def _tinyimagenet(root: Path, split: str, *, name: str, image_size: int | None,
                  channels: int | None) -> FileImageSet:
    base = root / "tiny-imagenet-200"
    if not (base / "wnids.txt").is_file():
        raise missing(name, base, "http://cs231n.stanford.edu/tiny-imagenet-200.zip",
                      "the extracted zip: wnids.txt, train/, val/")
    classes = (base / "wnids.txt").read_text().split()
    if split == "train":
        paths, labels = _class_tree(base / "train", classes)
    else:
        index = {c: k for k, c in enumerate(classes)}
        rows = [line.split("\t") for line in
                (base / "val" / "val_annotations.txt").read_text().splitlines() if line]
        paths = [base / "val" / "images" / r[0] for r in rows]
        labels = [index[r[1]] for r in rows]
    return _make(name, paths, labels, classes, image_size, 64, channels)


def _cub200(root: Path, split: str, *, name: str, image_size: int | None,
            channels: int | None) -> FileImageSet:
    base = root / "CUB_200_2011"
    if not (base / "images.txt").is_file():
        raise missing(name, base, "https://data.caltech.edu/records/65de6-vp158 (CUB_200_2011.tgz)",
                      "the extracted archive: images/, images.txt, train_test_split.txt")

    def table(fname: str) -> dict[str, str]:
        return dict(line.split(maxsplit=1) for line in
                    (base / fname).read_text().splitlines() if line.strip())

    images, is_train = table("images.txt"), table("train_test_split.txt")
    labels_of = table("image_class_labels.txt")
    classes = sorted({Path(p).parent.name for p in images.values()})
    want = "1" if split == "train" else "0"
    ids = [i for i in sorted(images, key=int) if split == "all" or is_train[i].strip() == want]
    paths = [base / "images" / images[i].strip() for i in ids]
    labels = [int(labels_of[i]) - 1 for i in ids]
    return _make(name, paths, labels, classes, image_size, 128, channels)


def _lsun20(root: Path, split: str, *, name: str, image_size: int | None,
            channels: int | None) -> FileImageSet:
    base = root / "lsun"
    absent = [c for c in LSUN_OBJECTS if not (base / c).is_dir()]
    if absent:
        raise missing(name, base, "http://dl.yf.io/lsun/objects/ (one lmdb per category)",
                      f"one folder per object category ({len(absent)} missing, e.g. "
                      f"{absent[0]}/), lmdb or images")
    sources: list[Any] = []
    labels: list[int] = []
    envs: dict[str, Any] = {}
    for k, cat in enumerate(LSUN_OBJECTS):
        folder = base / cat
        if (folder / "data.mdb").is_file():
            try:
                import lmdb
            except ImportError as err:
                raise DataError(f"{folder} is an lmdb database: pip install lmdb to read it"
                                ) from err
            env = lmdb.open(str(folder), readonly=True, lock=False, readahead=False)
            envs[cat] = env
            with env.begin() as txn:
                keys = [(cat, key) for key in txn.cursor().iternext(keys=True, values=False)]
        else:
            keys = [(None, p) for p in images_in(folder)]
        sources += keys
        labels += [k] * len(keys)

    def read(src: tuple[str | None, Any]) -> bytes:
        cat, key = src
        if cat is None:
            return Path(key).read_bytes()
        with envs[cat].begin() as txn:
            return txn.get(key)

    return _make(name, sources, labels, list(LSUN_OBJECTS), image_size, 64, channels, read)


FOLDER_DATASETS = (
    DatasetInfo("imagenet64", 1000, 64, 3, ("train", "val"), _imagenet64, "folder"),
    DatasetInfo("tinyimagenet", 200, 64, 3, ("train", "val"), _tinyimagenet, "folder"),
    DatasetInfo("cub200", 200, 128, 3, ("train", "test", "all"), _cub200, "folder"),
    DatasetInfo("lsun20", 20, 64, 3, ("train",), _lsun20, "folder"),
)
