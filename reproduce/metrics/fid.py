"""Frechet Inception Distance through clean-fid's math, with cached real-data statistics.

Every result is a record that says how it was computed (extractor, n_real, n_fake,
split, resize): FIDs from different extractors or sample sizes are not comparable.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

import numpy as np

from .extractors import Extractor, get_extractor
from .images import is_torch, to_numpy

FEATURES_GIVEN = "none (features given)"


def feature_stats(feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (ddof=1, float64) of a (N, D) feature matrix, as clean-fid."""
    feats = np.asarray(feats, dtype=np.float64)
    return feats.mean(axis=0), np.cov(feats, rowvar=False)


def frechet_distance(
    mu1: np.ndarray,
    sigma1: np.ndarray,
    mu2: np.ndarray,
    sigma2: np.ndarray,
    method: str = "cleanfid",
) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2).

    ``method="cleanfid"``: clean-fid's implementation (scipy ``sqrtm`` of sigma1 sigma2,
    the reference; ~80 s at 2048-d on 2 cores). ``method="eigh"``: the same quantity via
    tr sqrt(sigma1 sigma2) = sum sqrt(eig(A sigma2 A)), A = sigma1^1/2 from a symmetric
    eigendecomposition (exact for PSD covariances, ~5x faster, agrees to ~1e-9 rel).
    """
    if method == "eigh":
        diff = np.asarray(mu1, np.float64) - np.asarray(mu2, np.float64)
        w, v = np.linalg.eigh(sigma1)
        root = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
        ev = np.linalg.eigvalsh(root @ sigma2 @ root)
        tr = np.sqrt(np.clip(ev, 0.0, None)).sum()
        return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr)
    if method != "cleanfid":
        raise ValueError(f"method must be 'cleanfid' or 'eigh', got {method!r}")
    from cleanfid.fid import frechet_distance as _fd

    with warnings.catch_warnings():  # clean-fid passes scipy's deprecated sqrtm(disp=...)
        warnings.filterwarnings("ignore", message=".*disp.*", category=DeprecationWarning)
        return float(_fd(mu1, sigma1, mu2, sigma2))


def _features(x: Any, ext: Extractor, batch_size: int, limit: int | None = None) -> np.ndarray:
    """Features of: a (N, D) feature matrix, an image batch, or an iterable of image batches."""
    if isinstance(x, np.ndarray) or is_torch(x):
        if x.ndim == 2:
            feats = to_numpy(x).astype(np.float64)
            if feats.shape[1] != ext.dim:
                raise ValueError(
                    f"features have dim {feats.shape[1]}, extractor {ext.name!r} gives {ext.dim}"
                )
            return feats[:limit]
        return ext.features(x[:limit], batch_size=batch_size)
    chunks, n = [], 0
    for batch in x:
        images = batch[0] if isinstance(batch, tuple | list) else batch
        chunks.append(ext.features(images, batch_size=batch_size))
        n += len(chunks[-1])
        if limit is not None and n >= limit:
            break
    return np.concatenate(chunks)[:limit]


def _resize_of(x: Any, ext: Extractor) -> str:
    is_feats = (isinstance(x, np.ndarray) or is_torch(x)) and x.ndim == 2
    return FEATURES_GIVEN if is_feats else ext.resize


def stats_path(cache_dir: str, dataset: str, split: str, extractor: str, n: int) -> str:
    """The cache file of real statistics for (dataset, split, extractor, n)."""
    key = f"{dataset}-{split}-{extractor}-n{n}"
    return os.path.join(cache_dir, "fid_stats", re.sub(r"[^A-Za-z0-9_.=-]", "_", key) + ".npz")


def real_stats(
    real: Any,
    *,
    extractor: str | Extractor = "randproj-v1",
    dataset: str | None = None,
    split: str = "train",
    n_real: int | None = None,
    cache_dir: str | None = None,
    batch_size: int = 100,
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """(mu, sigma, n, from_cache) of the real data, cached on disk when possible.

    ``real`` is a feature matrix, an image batch, an iterable of batches, or a callable
    returning one of those (called only on a cache miss). The cache is used when
    ``dataset`` and ``cache_dir`` are given; its key needs ``n_real`` unless ``real`` has
    a length.
    """
    ext = get_extractor(extractor)
    if n_real is None and hasattr(real, "__len__") and not callable(real):
        n_real = len(real)
    path = None
    if dataset is not None and cache_dir is not None:
        if n_real is None:
            raise ValueError("n_real is required to cache statistics of a lazy real source")
        path = stats_path(cache_dir, dataset, split, ext.name, n_real)
        if os.path.isfile(path):
            with np.load(path) as f:
                return f["mu"], f["sigma"], int(f["n"]), True
    source = real() if callable(real) else real
    feats = _features(source, ext, batch_size, n_real)
    if n_real is not None and len(feats) < n_real:
        raise ValueError(f"real data has {len(feats)} samples, fewer than n_real={n_real}")
    mu, sigma = feature_stats(feats)
    if path is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp.npz"
        np.savez(tmp, mu=mu, sigma=sigma, n=len(feats))
        os.replace(tmp, path)
    return mu, sigma, len(feats), False


def compute_fid(
    fake: Any,
    real: Any,
    *,
    extractor: str | Extractor = "randproj-v1",
    dataset: str | None = None,
    split: str = "train",
    n_real: int | None = None,
    n_fake: int | None = None,
    cache_dir: str | None = None,
    batch_size: int = 100,
    method: str = "cleanfid",
) -> dict[str, Any]:
    """FID between fake and real samples; returns a self-describing record.

    ``fake``: (N, D) features from ``extractor``, images (NCHW/NHWC in [0,255]) or an
    iterable of image batches (e.g. :func:`generator_sampler`); ``n_fake`` caps it.
    ``real``: the same, or a callable returning it (see :func:`real_stats`).
    ``method``: see :func:`frechet_distance`. Record keys: fid, extractor,
    comparable_with_inception, n_real, n_fake, split, resize, dataset,
    real_stats_cached, method.
    """
    ext = get_extractor(extractor)
    mu_r, sig_r, n_r, cached = real_stats(
        real, extractor=ext, dataset=dataset, split=split, n_real=n_real,
        cache_dir=cache_dir, batch_size=batch_size,
    )
    feats = _features(fake, ext, batch_size, n_fake)
    mu_f, sig_f = feature_stats(feats)
    return {
        "fid": frechet_distance(mu_f, sig_f, mu_r, sig_r, method),
        "extractor": ext.name,
        "comparable_with_inception": ext.comparable_with_inception,
        "n_real": n_r,
        "n_fake": len(feats),
        "split": split,
        "resize": _resize_of(fake, ext),
        "dataset": dataset,
        "real_stats_cached": cached,
        "method": method,
    }


def fid_from_features(
    fake_feats: np.ndarray, real_feats: np.ndarray, method: str = "cleanfid"
) -> float:
    """FID of two feature matrices (``cleanfid.fid.fid_from_feats`` with the default method)."""
    mu1, s1 = feature_stats(fake_feats)
    mu2, s2 = feature_stats(real_feats)
    return frechet_distance(mu1, s1, mu2, s2, method)

