"""MS-SSIM in the TF reference convention (tensorflow/models msssim.py, as AC-GAN/AM-GAN).

Per level: Gaussian window of size min(11, H, W) with sigma 1.5 * size / 11, valid
convolution, C1 = (0.01 L)^2, C2 = (0.03 L)^2, ssim and cs averaged over pixels and
channels; between levels 2x2 average downsampling (edge-replicated on odd sizes, as
scipy's 'reflect'); 5 levels with weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333);
MS-SSIM = prod_{l<5} cs_l^w_l * ssim_5^w_5. Works at 32x32 (windows 11, 11, 8, 4, 2).
``normalize="relu"`` clamps negative cs/ssim to 0 where the reference gives NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .images import as_nchw255, is_torch

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """1-D factor of the reference's _FSpecialGauss (even sizes on a half-pixel grid)."""
    ax = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(ax**2) / (2.0 * sigma**2))
    return g / g.sum()


def gaussian_window(size: int, sigma: float) -> np.ndarray:
    """The reference's normalised size x size Gaussian window (separable: outer product)."""
    g = gaussian_1d(size, sigma)
    return np.outer(g, g)


def _band(n: int, g: np.ndarray) -> np.ndarray:
    """(n - k + 1, n) matrix whose product with a signal is its valid correlation with g."""
    k = len(g)
    m = np.zeros((n - k + 1, n))
    for i in range(n - k + 1):
        m[i, i : i + k] = g
    return m


def _ssim_cs(x: Any, y: Any, max_val: float, filter_size: int, filter_sigma: float,
             k1: float, k2: float) -> tuple[Any, Any]:
    """Per-pair (ssim, cs) at one scale; the valid Gaussian blur is two banded matmuls."""
    import torch

    h, w = x.shape[-2], x.shape[-1]
    size = min(filter_size, h, w)
    g = gaussian_1d(size, size * filter_sigma / filter_size)
    ah = torch.from_numpy(_band(h, g)).to(x)
    aw = torch.from_numpy(_band(w, g)).to(x)
    stats = ah @ torch.stack([x, y, x * x, y * y, x * y]) @ aw.T
    mu1, mu2, s11, s22, s12 = stats.unbind(0)
    mu11, mu22, mu12 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    s11, s22, s12 = s11 - mu11, s22 - mu22, s12 - mu12
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    v1, v2 = 2.0 * s12 + c2, s11 + s22 + c2
    ssim = ((2.0 * mu12 + c1) * v1) / ((mu11 + mu22 + c1) * v2)
    return ssim.mean(dim=(1, 2, 3)), (v1 / v2).mean(dim=(1, 2, 3))


def _down(t: Any) -> Any:
    import torch.nn.functional as F

    ph, pw = t.shape[-2] % 2, t.shape[-1] % 2
    if ph or pw:
        t = F.pad(t, (0, pw, 0, ph), mode="replicate")
    return F.avg_pool2d(t, 2)


def ms_ssim(
    img1: Any,
    img2: Any,
    *,
    max_val: float = 255.0,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
    weights: tuple[float, ...] = WEIGHTS,
    normalize: str | None = "relu",
    batch_size: int = 2000,
) -> np.ndarray:
    """MS-SSIM of each pair (img1[i], img2[i]) -> (N,) float64.

    Images NCHW or NHWC, numpy or torch, values in [0, max_val]. Computed in float64.
    """
    import torch

    a = img1 if is_torch(img1) else torch.from_numpy(as_nchw255(img1))
    b = img2 if is_torch(img2) else torch.from_numpy(as_nchw255(img2))
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    wts = torch.tensor(weights, dtype=torch.float64)
    out = []
    for i in range(0, len(a), batch_size):
        x = a[i : i + batch_size].to(torch.float64)
        y = b[i : i + batch_size].to(torch.float64)
        vals = []
        for level in range(len(weights)):
            ssim, cs = _ssim_cs(x, y, max_val, filter_size, filter_sigma, k1, k2)
            vals.append(cs if level < len(weights) - 1 else ssim)
            if level < len(weights) - 1:
                x, y = _down(x), _down(y)
        v = torch.stack(vals, dim=1)
        if normalize == "relu":
            v = v.clamp_min(0.0)
        elif normalize is not None:
            raise ValueError(f"normalize must be 'relu' or None, got {normalize!r}")
        out.append(torch.prod(v ** wts.to(v.device), dim=1).cpu())
    return torch.cat(out).numpy()


def same_class_pairs(
    labels: np.ndarray, n_pairs: int | None = 100, seed: int = 0
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Index pairs (i, j), i != j, of the same class: all pairs i < j, or ``n_pairs`` random."""
    labels = np.asarray(labels).reshape(-1)
    rng = np.random.default_rng(seed)
    pairs = {}
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        if len(idx) < 2:
            continue
        if n_pairs is None:
            i, j = np.triu_indices(len(idx), k=1)
        else:
            i = rng.integers(0, len(idx), size=n_pairs)
            j = (i + rng.integers(1, len(idx), size=n_pairs)) % len(idx)  # j != i
        pairs[int(k)] = (idx[i], idx[j])
    return pairs


def intra_class_msssim(
    images: Any, labels: np.ndarray, *, n_pairs: int | None = 100, seed: int = 0, **kwargs: Any
) -> dict[str, Any]:
    """Intra-class diversity: mean MS-SSIM over same-class pairs per class, then max/mean.

    High values mean intra-class mode collapse (AC-GAN; AM-GAN Table 2 reports the max over
    classes). ``labels``: a fake's conditioning label or a classifier's argmax.
    ``n_pairs`` random pairs per class (None: all pairs). kwargs go to :func:`ms_ssim`.
    """
    x = images if is_torch(images) else as_nchw255(images)
    per_class = {}
    for k, (i, j) in same_class_pairs(labels, n_pairs, seed).items():
        per_class[k] = float(np.mean(ms_ssim(x[i], x[j], **kwargs)))
    if not per_class:
        raise ValueError("no class has two samples")
    vals = np.array(list(per_class.values()))
    return {"max": float(vals.max()), "mean": float(vals.mean()), "per_class": per_class,
            "n_pairs": n_pairs}
