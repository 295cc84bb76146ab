"""FS-100: the 100 FaceScrub identities with the most images, with a held-out test split.

FaceScrub is distributed as lists of image URLs and face boxes; its download script
stores one folder of face images per identity, ``facescrub/<identity>/*.jpg``, which is
what this reader expects under the data root (nothing is downloaded). The 100 identities
with the most images (ties by name) are the classes, in sorted name order. liu et al.
report "about 13k training images and 2k test images" without the split: here each
identity's images (sorted by file name) are permuted with ``numpy.random.default_rng``
seeded by the identity's index and the first ``round(n * 2 / 15)`` of them are the test
split, the rest the train split (``all``: both).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reproduce.data.image_folder import FileImageSet, images_in
from reproduce.data.images import DatasetInfo, missing

TEST_SHARE = 2 / 15  # about 2k of the about 15k images (liu et al., section 5.1)
N_CLASSES = 100


def held_out(n: int, k: int) -> np.ndarray:
    """Whether each of identity ``k``'s ``n`` images (in file-name order) is a test image."""
    test = np.zeros(n, dtype=bool)
    test[np.random.default_rng(k).permutation(n)[: round(n * TEST_SHARE)]] = True
    return test


def load_fs100(root: Path, split: str, *, name: str, image_size: int | None,
               channels: int | None) -> FileImageSet:
    """The ``split`` (train, test or all) of FS-100 as a lazily read image set."""
    base = root / "facescrub"
    if not base.is_dir():
        raise missing(name, base, "http://vintage.winklerbros.net/facescrub.html (URL lists "
                      "and its download script)", "one folder of face images per identity, "
                      "<identity>/*.jpg")
    files = {p.name: images_in(p) for p in base.iterdir() if p.is_dir()}
    classes = sorted(sorted(files, key=lambda c: (-len(files[c]), c))[:N_CLASSES])
    paths: list[Path] = []
    labels: list[int] = []
    for k, cls in enumerate(classes):
        test = held_out(len(files[cls]), k)
        keep = np.ones_like(test) if split == "all" else test if split == "test" else ~test
        chosen = [p for p, s in zip(files[cls], keep, strict=True) if s]
        paths += chosen
        labels += [k] * len(chosen)
    return FileImageSet(name, paths, np.asarray(labels, np.int64), len(classes),
                        image_size or 64, channels or 3, classes)


INFO = DatasetInfo("fs100", N_CLASSES, 64, 3, ("train", "test", "all"), load_fs100, "folder")
