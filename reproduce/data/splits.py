"""Labelled / unlabelled split of a labelled training set, chosen with a recorded seed.

``labelled_split(labels, per_class=400, seed=0)`` keeps 400 labelled images per class;
``fraction=0.1`` keeps ``round(0.1 * n_c)`` of each class c (at least 1); ``count=4000``
spreads 4000 over the classes as evenly as the class sizes allow (the remainder to the
lowest class indices). The choice is per class, by ``numpy.random.default_rng(seed)``, so
the same (labels, rule, seed) always gives the same split; :meth:`LabelledSplit.record`
is what a run writes to its log to say which split it used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LabelledSplit:
    """Indices of the labelled and unlabelled images, and how they were chosen."""

    labelled: np.ndarray  # sorted int64 indices into the data set
    unlabelled: np.ndarray  # the complement, sorted
    seed: int
    rule: str  # e.g. "per_class=400"

    def record(self) -> dict[str, object]:
        """A JSON-able description (rule, seed, sizes, a digest of the labelled indices)."""
        digest = hashlib.sha256(self.labelled.astype(np.int64).tobytes()).hexdigest()[:16]
        return {"split_rule": self.rule, "split_seed": self.seed,
                "n_labelled": int(len(self.labelled)), "n_unlabelled": int(len(self.unlabelled)),
                "labelled_sha256": digest}


def _per_class_counts(sizes: np.ndarray, per_class: int | None, fraction: float | None,
                      count: int | None) -> np.ndarray:
    if per_class is not None:
        return np.minimum(sizes, int(per_class))
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be in (0, 1], got {fraction}")
        return np.minimum(sizes, np.maximum(1, np.round(sizes * fraction).astype(np.int64)))
    assert count is not None
    if count > sizes.sum():
        raise ValueError(f"count {count} exceeds the {int(sizes.sum())} labelled images")
    out = np.zeros_like(sizes)
    left = int(count)
    while left > 0:  # water-filling: equal shares, capped by each class's size
        open_ = np.flatnonzero(out < sizes)
        share = max(1, left // len(open_))
        for c in open_:
            add = min(share, int(sizes[c] - out[c]), left)
            out[c] += add
            left -= add
            if left == 0:
                break
    return out


def labelled_split(labels: np.ndarray, *, per_class: int | None = None,
                   fraction: float | None = None, count: int | None = None,
                   seed: int = 0) -> LabelledSplit:
    """Choose the labelled images per class (exactly one of per_class, fraction, count)."""
    given = [v is not None for v in (per_class, fraction, count)]
    if sum(given) != 1:
        raise ValueError("give exactly one of per_class, fraction, count")
    labels = np.asarray(labels, dtype=np.int64)
    classes = np.unique(labels[labels >= 0])
    sizes = np.array([(labels == c).sum() for c in classes], dtype=np.int64)
    counts = _per_class_counts(sizes, per_class, fraction, count)
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == c), int(n), replace=False)
              for c, n in zip(classes, counts, strict=True)]
    lab = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
    unl = np.setdiff1d(np.arange(len(labels)), lab)
    rule = (f"per_class={per_class}" if per_class is not None else
            f"fraction={fraction}" if fraction is not None else f"count={count}")
    return LabelledSplit(lab.astype(np.int64), unl.astype(np.int64), int(seed), rule)
