"""Sampling a (class-conditional) generator in batches for the metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .images import to_255


def sample_labels(n: int, num_classes: int, *, balanced: bool = True, seed: int = 0) -> np.ndarray:
    """n labels: each class n // K or n // K + 1 times, shuffled (balanced), or iid uniform."""
    rng = np.random.default_rng(seed)
    if balanced:
        return rng.permutation(np.arange(n) % num_classes)
    return rng.integers(0, num_classes, size=n)


def generator_sampler(
    G: Any,
    n: int,
    num_classes: int,
    z_dim: int,
    *,
    batch_size: int = 100,
    device: str = "cpu",
    seed: int = 0,
    labels: str | np.ndarray = "balanced",
    value_range: tuple[float, float] = (-1.0, 1.0),
    call: Callable[[Any, Any, Any], Any] | None = None,
    with_labels: bool = False,
) -> Iterator[Any]:
    """Yield batches of G's samples as float tensors (NCHW, [0,255]) on ``device``.

    Labels: ``"balanced"`` (equal class counts, shuffled), ``"uniform"`` (iid) or an
    array of n labels; ``num_classes = 0`` samples an unconditional G(z). G is called
    as ``G(z, y)`` (y: int64 class indices) unless ``call(G, z, y)`` is given. With
    ``with_labels`` each item is ``(images, labels)``. z ~ N(0, I) from a seeded
    generator; G runs under ``torch.no_grad`` and is not switched to eval mode here.
    """
    import torch

    if isinstance(labels, str):
        if num_classes > 0:
            ys = sample_labels(n, num_classes, balanced=labels == "balanced", seed=seed)
        else:
            ys = np.zeros(n, dtype=np.int64)
    else:
        ys = np.asarray(labels, dtype=np.int64)
        if len(ys) != n:
            raise ValueError(f"got {len(ys)} labels for n={n} samples")
    gen = torch.Generator().manual_seed(seed)
    for start in range(0, n, batch_size):
        b = min(batch_size, n - start)
        z = torch.randn(b, z_dim, generator=gen).to(device)
        y = torch.from_numpy(ys[start : start + b]).to(device)
        with torch.no_grad():
            if call is not None:
                x = call(G, z, y)
            else:
                x = G(z, y) if num_classes > 0 else G(z)
        x = to_255(x.float(), value_range)
        yield (x, y) if with_labels else x


def collect(batches: Iterator[Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """Concatenate sampler output into numpy (images, labels or None)."""
    xs, ys = [], []
    for item in batches:
        x, y = item if isinstance(item, tuple) else (item, None)
        xs.append(x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x))
        if y is not None:
            ys.append(y.detach().cpu().numpy() if hasattr(y, "detach") else np.asarray(y))
    return np.concatenate(xs), (np.concatenate(ys) if ys else None)
