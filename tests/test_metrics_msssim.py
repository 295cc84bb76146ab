"""MS-SSIM against torchmetrics (large images) and a scipy transcription of the TF reference."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, signal

from reproduce.metrics import intra_class_msssim, ms_ssim

W = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def _images(n, size, seed, noise=20.0):
    rng = np.random.default_rng(seed)
    base = ndimage.gaussian_filter(rng.uniform(0, 255, (n, 3, size, size)), sigma=(0, 0, 2, 2))
    base = (base - base.min()) / (base.max() - base.min()) * 255
    other = np.clip(base + rng.normal(0, noise, base.shape), 0, 255)
    return base, other


def _gauss(size, sigma):
    # MATLAB fspecial('gaussian'), as in the reference; even sizes on a half-pixel grid
    ax = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def _reference_msssim(a, b, max_val=255.0):
    """Transcription of tensorflow/models research/compression msssim.py (NHWC, one pair)."""
    im1, im2 = a.transpose(1, 2, 0)[None], b.transpose(1, 2, 0)[None]
    mssim, mcs = [], []
    for _ in range(5):
        _, h, w, _ = im1.shape
        size = min(11, h, w)
        win = _gauss(size, size * 1.5 / 11).reshape(1, size, size, 1)
        mu1, mu2 = (signal.fftconvolve(x, win, mode="valid") for x in (im1, im2))
        s11 = signal.fftconvolve(im1 * im1, win, mode="valid") - mu1 * mu1
        s22 = signal.fftconvolve(im2 * im2, win, mode="valid") - mu2 * mu2
        s12 = signal.fftconvolve(im1 * im2, win, mode="valid") - mu1 * mu2
        c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
        v1, v2 = 2 * s12 + c2, s11 + s22 + c2
        mssim.append(np.mean((2 * mu1 * mu2 + c1) * v1 / ((mu1**2 + mu2**2 + c1) * v2)))
        mcs.append(np.mean(v1 / v2))
        down = np.ones((1, 2, 2, 1)) / 4.0
        im1, im2 = (ndimage.convolve(x, down, mode="reflect")[:, ::2, ::2, :] for x in (im1, im2))
    return np.prod(np.array(mcs[:4]) ** W[:4]) * mssim[4] ** W[4]


def test_identical_images_give_one():
    a, _ = _images(4, 32, 0)
    np.testing.assert_allclose(ms_ssim(a, a), 1.0, atol=1e-12)


@pytest.mark.parametrize("size", [32, 37])
def test_matches_tf_reference_transcription(size):
    a, b = _images(3, size, 1)
    ours = ms_ssim(a, b, normalize=None)
    ref = [_reference_msssim(a[i], b[i]) for i in range(3)]
    np.testing.assert_allclose(ours, ref, rtol=1e-7)


def test_matches_torchmetrics_at_176():
    # Coinciding settings: H, W >= 176 (> 10 * 2^4, torchmetrics' minimum) so that the
    # window is 11 at all 5 levels; sigma 1.5, data_range 255, k1 0.01, k2 0.03,
    # normalize None, even sizes down to the 4th level (176 -> 88 -> 44 -> 22 -> 11) so
    # that 2x2 average pooling and the reference's reflect-convolve agree. torchmetrics
    # averages the contrast terms over the valid region (as the reference) but the
    # last-level SSIM over the reflect-padded full image, so the 5th beta is set to 0 for
    # an exact comparison; the SSIM term is compared on torchmetrics' cropped full map.
    import torch
    from torchmetrics.functional.image import (
        multiscale_structural_similarity_index_measure as tm_msssim,
    )
    from torchmetrics.functional.image import structural_similarity_index_measure as tm_ssim

    from reproduce.metrics.msssim import _ssim_cs

    a, b = _images(1, 176, 2)
    ta, tb = torch.from_numpy(a[:, :1]), torch.from_numpy(b[:, :1])  # one channel: faster
    betas = (0.0448, 0.2856, 0.3001, 0.2363, 0.0)
    ref = tm_msssim(tb, ta, kernel_size=11, sigma=1.5, data_range=255.0, reduction="none",
                    normalize=None, betas=betas).numpy()
    np.testing.assert_allclose(ms_ssim(ta, tb, normalize=None, weights=betas), ref, rtol=1e-8)
    # the SSIM term: torchmetrics' full map cropped to the valid region
    small_a, small_b = ta[..., :44, :44], tb[..., :44, :44]
    _, full = tm_ssim(small_b, small_a, kernel_size=11, sigma=1.5, data_range=255.0,
                      reduction="none", return_full_image=True)
    ref_ssim = full[..., 5:-5, 5:-5].mean(dim=(1, 2, 3)).numpy()
    ours, _ = _ssim_cs(small_a, small_b, 255.0, 11, 1.5, 0.01, 0.03)
    np.testing.assert_allclose(ours.numpy(), ref_ssim, rtol=1e-8)
    # with the standard betas the two differ only through that border convention
    std = tm_msssim(tb, ta, data_range=255.0, reduction="none", normalize=None).numpy()
    np.testing.assert_allclose(ms_ssim(ta, tb, normalize=None), std, rtol=1e-3)


def test_relu_normalisation_only_replaces_nan():
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 255, (20, 3, 32, 32))
    b = rng.uniform(0, 255, (20, 3, 32, 32))
    raw = ms_ssim(a, b, normalize=None)
    relu = ms_ssim(a, b)
    ok = np.isfinite(raw)
    np.testing.assert_allclose(relu[ok], raw[ok])
    assert np.all(np.isfinite(relu)) and np.all(relu[~ok] == 0.0)


def test_intra_class_max_and_mean():
    a, b = _images(10, 32, 4, noise=60.0)
    collapsed = np.repeat(a[:1], 10, axis=0)  # class 0: one image repeated -> MS-SSIM 1
    images = np.concatenate([collapsed, b])
    labels = np.array([0] * 10 + [1] * 10)
    rec = intra_class_msssim(images, labels, n_pairs=None)
    assert rec["per_class"][0] == pytest.approx(1.0)
    assert rec["per_class"][1] < 0.9
    assert rec["max"] == pytest.approx(1.0)
    assert rec["mean"] == pytest.approx((1.0 + rec["per_class"][1]) / 2)
    sampled = intra_class_msssim(images, labels, n_pairs=30, seed=1)
    assert sampled["per_class"][0] == pytest.approx(1.0)
