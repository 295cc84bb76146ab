"""Image-array conventions shared by the metrics: NCHW, float32, values in [0, 255]."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_torch(x: Any) -> bool:
    """True when ``x`` is a torch tensor (without importing torch)."""
    return type(x).__module__.startswith("torch")


def to_numpy(x: Any) -> np.ndarray:
    """A numpy view of an array or (possibly GPU) tensor."""
    if is_torch(x):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def as_nchw255(images: Any) -> np.ndarray:
    """Images (N,C,H,W) or (N,H,W,C), uint8 or float in [0,255] -> float32 NCHW, 3 channels.

    A trailing axis of size 1 or 3 (with a leading axis that is not) is read as NHWC.
    Grey images are repeated to 3 channels.
    """
    x = to_numpy(images)
    if x.ndim == 3:  # (N, H, W) grey
        x = x[:, None]
    if x.ndim != 4:
        raise ValueError(f"expected a 4-D image batch, got shape {x.shape}")
    if x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
        x = x.transpose(0, 3, 1, 2)
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    return np.ascontiguousarray(x, dtype=np.float32)


def to_255(images: Any, value_range: tuple[float, float] = (-1.0, 1.0)) -> Any:
    """Map images from ``value_range`` (e.g. a tanh generator's [-1, 1]) to [0, 255], clipped.

    Works on numpy arrays and torch tensors alike and keeps the type.
    """
    lo, hi = value_range
    y = (images - lo) * (255.0 / (hi - lo))
    return y.clamp(0, 255) if is_torch(y) else np.clip(y, 0, 255)
