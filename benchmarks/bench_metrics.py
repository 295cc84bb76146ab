"""Benchmark of the metrics against their references; prints one small table.

    python benchmarks/bench_metrics.py [--pairs 10000] [--fid-n 5000] [--peer-pairs 50]

Rows: FID on 2048-d features (ours with method="eigh" vs clean-fid's fid_from_feats;
our default method calls clean-fid's frechet_distance, timed only with --fid-default);
MS-SSIM on 10,000 pairs at 32x32 (ours vs a batched scipy transcription of the TF
reference; torchmetrics cannot run 5 scales with an 11-px window below 161 px, so it is
timed against ours at 176x176); Hungarian accuracy on 1,000,000 samples with K = 1000.
Single-threaded torch; BLAS keeps its default threads.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reproduce.metrics import clustering_accuracy, fid_from_features, ms_ssim  # noqa: E402

W = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def tf_reference_msssim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """tensorflow/models msssim.py in scipy, batched over pairs (NCHW in [0, 255])."""
    from scipy import ndimage, signal

    im1, im2 = a.transpose(0, 2, 3, 1), b.transpose(0, 2, 3, 1)
    mssim, mcs = [], []
    for _ in range(5):
        size = min(11, im1.shape[1], im1.shape[2])
        ax = np.arange(size) - (size - 1) / 2.0
        sig = size * 1.5 / 11
        g = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * sig**2))
        win = (g / g.sum()).reshape(1, size, size, 1)

        def conv(x: np.ndarray, win: np.ndarray = win) -> np.ndarray:
            return signal.fftconvolve(x, win, mode="valid")

        mu1, mu2 = conv(im1), conv(im2)
        s11, s22 = conv(im1 * im1) - mu1**2, conv(im2 * im2) - mu2**2
        s12 = conv(im1 * im2) - mu1 * mu2
        c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
        v1, v2 = 2 * s12 + c2, s11 + s22 + c2
        mssim.append(((2 * mu1 * mu2 + c1) * v1 / ((mu1**2 + mu2**2 + c1) * v2)).mean((1, 2, 3)))
        mcs.append((v1 / v2).mean((1, 2, 3)))
        down = np.ones((1, 2, 2, 1)) / 4.0
        im1, im2 = (ndimage.convolve(x, down, mode="reflect")[:, ::2, ::2, :] for x in (im1, im2))
    mcs_arr = np.stack(mcs[:4], axis=1)
    return np.prod(mcs_arr ** W[:4], axis=1) * mssim[4] ** W[4]


def image_pairs(n: int, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    base = ndimage.gaussian_filter(rng.uniform(0, 255, (n, 3, size, size)), (0, 0, 1.5, 1.5))
    base = (base - base.min()) / (base.max() - base.min()) * 255
    return base, np.clip(base + rng.normal(0, 15, base.shape), 0, 255)


def bench_fid(n: int, rows: list[tuple[str, ...]], time_default: bool) -> None:
    from cleanfid.fid import fid_from_feats

    rng = np.random.default_rng(0)
    mix = rng.normal(size=(2048, 2048)) / np.sqrt(2048)
    a = np.maximum(rng.normal(size=(n, 2048)) @ mix, 0)  # ReLU'd correlated features
    b = np.maximum(rng.normal(0.05, 1.0, size=(n, 2048)) @ mix, 0)
    ref, t_ref = timed(fid_from_feats, a, b)
    eig, t_eig = timed(fid_from_features, a, b, method="eigh")
    rows.append((f"FID 2048-d, n={n}+{n}: clean-fid fid_from_feats", f"{t_ref:.2f}", "", "",
                 f"FID {ref:.6f}"))
    if time_default:
        ours, t_ours = timed(fid_from_features, a, b)
        rows.append(("FID ours method='cleanfid' (default)", f"{t_ours:.2f}", f"{t_ref:.2f}",
                     f"{t_ours / t_ref:.2f}", f"rel diff {abs(ours - ref) / ref:.1e}"))
    else:
        rows.append(("FID ours method='cleanfid' (default)", "(--fid-default)", "", "",
                     "calls clean-fid's frechet_distance"))
    rows.append(("FID ours method='eigh'", f"{t_eig:.2f}", f"{t_ref:.2f}",
                 f"{t_eig / t_ref:.2f}", f"rel diff {abs(eig - ref) / ref:.1e}"))


def bench_msssim(pairs: int, peer_pairs: int, rows: list[tuple[str, ...]]) -> None:
    import torch
    from torchmetrics.functional.image import multiscale_structural_similarity_index_measure

    a, b = image_pairs(pairs, 32, 1)
    ours, t_ours = timed(ms_ssim, a, b, normalize=None)
    ref, t_ref = timed(tf_reference_msssim, a, b)
    rows.append((f"MS-SSIM {pairs} pairs 32x32 (TF conv.) vs scipy TF ref", f"{t_ours:.2f}",
                 f"{t_ref:.2f}", f"{t_ours / t_ref:.2f}",
                 f"max |diff| {np.max(np.abs(ours - ref)):.1e}"))
    rows.append((f"MS-SSIM {pairs} pairs 32x32 vs torchmetrics", f"{t_ours:.2f}", "n/a", "n/a",
                 "torchmetrics needs H,W > 160 for 5 scales"))
    a, b = image_pairs(peer_pairs, 176, 2)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    ours, t_ours = timed(ms_ssim, ta, tb, normalize=None)
    tm, t_tm = timed(multiscale_structural_similarity_index_measure, tb, ta, data_range=255.0,
                     reduction="none", normalize=None)
    rows.append((f"MS-SSIM {peer_pairs} pairs 176x176 vs torchmetrics", f"{t_ours:.2f}",
                 f"{t_tm:.2f}", f"{t_ours / t_tm:.2f}",
                 f"max |diff| {np.max(np.abs(ours - tm.numpy())):.1e} (last-scale border)"))


def bench_hungarian(n: int, k: int, rows: list[tuple[str, ...]]) -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, k, n)
    perm = rng.permutation(k)
    pred = np.where(rng.random(n) < 0.7, perm[y], rng.integers(0, k, n))
    acc, t = timed(clustering_accuracy, y, pred)
    planted = float(np.mean(perm[y] == pred))
    rows.append((f"Hungarian accuracy n={n:,}, K={k}", f"{t:.2f}", "", "",
                 f"acc {acc:.4f} (planted map {planted:.4f})"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=10_000, help="MS-SSIM pairs at 32x32")
    p.add_argument("--peer-pairs", type=int, default=10, help="MS-SSIM pairs at 176x176")
    p.add_argument("--fid-n", type=int, default=5_000, help="feature vectors per set")
    p.add_argument("--hungarian-n", type=int, default=1_000_000)
    p.add_argument("--fid-default", action="store_true",
                   help="also time our default FID path (one more scipy sqrtm, ~40-100 s)")
    p.add_argument("--skip-fid", action="store_true", help="skip the ~90 s FID rows")
    args = p.parse_args()
    import torch

    torch.set_num_threads(1)
    rows: list[tuple[str, ...]] = []
    t0 = time.perf_counter()
    bench_hungarian(args.hungarian_n, 1000, rows)
    bench_msssim(args.pairs, args.peer_pairs, rows)
    if not args.skip_fid:
        bench_fid(args.fid_n, rows, args.fid_default)
    head = ("task", "ours s", "ref s", "ratio", "agreement")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
