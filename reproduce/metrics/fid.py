"""Frechet Inception Distance through clean-fid's math, with cached real-data statistics.

Every result is a record that says how it was computed (extractor, mode, resize, n_real,
n_fake, reference set, split): FIDs from different extractors, modes or sample sizes are
not comparable. ``mode`` is clean-fid's: ``legacy_tensorflow`` computes FID as the
official TF implementation (Heusel et al.) that the papers cite did, on images quantised
to uint8 as saved images are; ``clean`` on float images with PIL's bicubic resize.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

import numpy as np

from .extractors import Extractor, check_mode, get_extractor
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


def quantised(x: Any) -> Any:
    """Images in [0, 255] rounded to uint8 values, as saving them would (an array, a
    tensor, or an iterable of batches, lazily); a (N, D) feature matrix passes unchanged."""
    if isinstance(x, np.ndarray) or is_torch(x):
        if x.ndim == 2:
            return x
        if is_torch(x):
            return x.detach().clamp(0, 255).round()
        return np.rint(np.clip(x, 0, 255)).astype(np.uint8)
    return (quantised(b[0] if isinstance(b, tuple | list) else b) for b in x)


def _prepared(x: Any, mode: str) -> Any:
    if mode != "legacy_tensorflow":
        return x
    if callable(x) and not (isinstance(x, np.ndarray) or is_torch(x)):
        return lambda: quantised(x())
    return quantised(x)


def _extractor(extractor: str | Extractor, mode: str | None) -> tuple[Extractor, str]:
    """The extractor and the FID mode; an Extractor built for another mode is an error."""
    if isinstance(extractor, Extractor):
        mode = mode or extractor.mode or "clean"
        if extractor.mode and extractor.mode != mode:
            raise ValueError(f"extractor {extractor.name!r} was built for mode "
                             f"{extractor.mode!r}, not {mode!r}")
        return extractor, mode
    mode = check_mode(mode or "clean")
    return get_extractor(extractor, mode=mode), mode


def stats_path(cache_dir: str, dataset: str, split: str, extractor: str, n: int,
               mode: str = "clean") -> str:
    """The cache file of real statistics for (dataset, split, extractor, mode, n)."""
    key = f"{dataset}-{split}-{extractor}-{mode}-n{n}"
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
    mode: str | None = None,
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """(mu, sigma, n, from_cache) of the real data, cached on disk when possible.

    ``real`` is a feature matrix, an image batch, an iterable of batches, or a callable
    returning one of those (called only on a cache miss). The cache is used when
    ``dataset`` and ``cache_dir`` are given; its key needs ``n_real`` unless ``real`` has
    a length. ``mode``: see :func:`compute_fid`.
    """
    ext, mode = _extractor(extractor, mode)
    if n_real is None and hasattr(real, "__len__") and not callable(real):
        n_real = len(real)
    path = None
    if dataset is not None and cache_dir is not None:
        if n_real is None:
            raise ValueError("n_real is required to cache statistics of a lazy real source")
        path = stats_path(cache_dir, dataset, split, ext.name, n_real, mode)
        if os.path.isfile(path):
            with np.load(path) as f:
                return f["mu"], f["sigma"], int(f["n"]), True
    source = _prepared(real() if callable(real) else real, mode)
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
    mode: str | None = None,
) -> dict[str, Any]:
    """FID between fake and real samples; returns a self-describing record.

    ``fake``: (N, D) features from ``extractor``, images (NCHW/NHWC in [0,255]) or an
    iterable of image batches (e.g. :func:`generator_sampler`); ``n_fake`` caps it.
    ``real``: the same, or a callable returning it (see :func:`real_stats`).
    ``mode``: ``legacy_tensorflow`` (images quantised to uint8, the official TF FID) or
    ``clean`` (the default, or the mode an Extractor was built for).
    ``method``: see :func:`frechet_distance`. Record keys: fid, extractor,
    comparable_with_inception, mode, quantised, n_real, n_fake, split, resize, dataset,
    real_stats_cached, method.
    """
    ext, mode = _extractor(extractor, mode)
    mu_r, sig_r, n_r, cached = real_stats(
        real, extractor=ext, dataset=dataset, split=split, n_real=n_real,
        cache_dir=cache_dir, batch_size=batch_size, mode=mode,
    )
    feats = _features(_prepared(fake, mode), ext, batch_size, n_fake)
    mu_f, sig_f = feature_stats(feats)
    resize = _resize_of(fake, ext)
    return {
        "fid": frechet_distance(mu_f, sig_f, mu_r, sig_r, method),
        "extractor": ext.name,
        "comparable_with_inception": ext.comparable_with_inception,
        "mode": mode,
        "quantised": mode == "legacy_tensorflow" and resize != FEATURES_GIVEN,
        "n_real": n_r,
        "n_fake": len(feats),
        "split": split,
        "resize": resize,
        "dataset": dataset,
        "real_stats_cached": cached,
        "method": method,
    }


def fid_fields(record: dict[str, Any], extractor_label: str = "") -> dict[str, Any]:
    """The ``fid_*`` fields of a metrics record from a :func:`compute_fid` record: the
    value and how it was computed (extractor, mode, resize, samples, reference set,
    split). ``extractor_label`` replaces the extractor's short name when given."""
    return {"fid": record["fid"],
            "fid_extractor": extractor_label or record["extractor"],
            "fid_mode": record["mode"],
            "fid_resize": record["resize"],
            "fid_n_fake": record["n_fake"],
            "fid_n_real": record["n_real"],
            "fid_reference": str(record["dataset"] or ""),
            "fid_split": record["split"]}


def fid_from_features(
    fake_feats: np.ndarray, real_feats: np.ndarray, method: str = "cleanfid"
) -> float:
    """FID of two feature matrices (``cleanfid.fid.fid_from_feats`` with the default method)."""
    mu1, s1 = feature_stats(fake_feats)
    mu2, s2 = feature_stats(real_feats)
    return frechet_distance(mu1, s1, mu2, s2, method)

