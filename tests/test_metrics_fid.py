"""FID, extractors, resize modes and sampling: checked against clean-fid and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from reproduce.metrics import (
    FID_MODES,
    MissingWeights,
    collect,
    compute_fid,
    fid_fields,
    fid_from_features,
    generator_sampler,
    get_extractor,
)
from reproduce.metrics.extractors import RESIZE, clean_resize
from reproduce.metrics.fid import stats_path

# fewer samples than feature dimensions make singular covariances: expected here; and
# clean-fid itself (the reference called directly) passes scipy's deprecated sqrtm(disp=)
pytestmark = [
    pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning"),
    pytest.mark.filterwarnings("ignore:.*disp.*:DeprecationWarning"),
]


def test_fid_matches_cleanfid_fid_from_feats():
    from cleanfid.fid import fid_from_feats

    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 16))
    b = rng.normal(0.3, 1.2, size=(300, 16))
    ref = fid_from_feats(a, b)
    assert fid_from_features(a, b) == pytest.approx(ref, rel=1e-10)
    assert fid_from_features(a, b, method="eigh") == pytest.approx(ref, rel=1e-8)


def test_fid_eigh_rank_deficient_matches_cleanfid():
    # fewer samples than dimensions: singular covariances
    from cleanfid.fid import fid_from_feats

    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(20, 30)), rng.normal(0.5, 1.0, size=(25, 30))
    ref = fid_from_feats(a, b)
    assert fid_from_features(a, b, method="eigh") == pytest.approx(ref, rel=1e-6)


def test_fid_closed_form_diagonal_gaussians():
    # ||mu1-mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^1/2), evaluated by hand for diagonal covariances.
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 4))
    b = rng.normal(size=(500, 4)) * 2.0 + 1.0
    m1, m2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ref = ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    rec = compute_fid(a, b, extractor=_dummy(4))
    assert rec["fid"] == pytest.approx(ref, rel=1e-8)
    assert rec["n_fake"] == 500 and rec["n_real"] == 500
    assert rec["resize"].startswith("none")


def _dummy(dim: int):
    from reproduce.metrics import Extractor

    return Extractor("dummy", dim, "none", False, lambda x: np.zeros((len(x), dim)))


def test_missing_inception_weights_is_one_line_error(tmp_path):
    with pytest.raises(MissingWeights) as err:
        get_extractor("inception", weights_dir=str(tmp_path))
    msg = str(err.value)
    assert "inception-2015-12-05.pt" in msg and str(tmp_path) in msg and "\n" not in msg


def test_unknown_extractor():
    with pytest.raises(ValueError, match="randproj-v1"):
        get_extractor("vgg")


def test_randproj_deterministic_and_layout_agnostic():
    rng = np.random.default_rng(2)
    imgs = rng.integers(0, 256, size=(6, 3, 32, 32)).astype(np.uint8)
    from reproduce.metrics.extractors import _randproj

    e1, e2 = get_extractor("randproj-v1"), _randproj()  # a second, independent build
    f1 = e1.features(imgs, batch_size=4)
    f2 = e2.features(imgs.transpose(0, 2, 3, 1))  # NHWC
    assert f1.shape == (6, 256) and not e1.comparable_with_inception
    np.testing.assert_allclose(f1, f2, rtol=1e-5, atol=1e-6)
    # identical sets -> FID ~ 0; shifted images -> clearly positive
    big = rng.integers(0, 256, size=(80, 3, 32, 32)).astype(np.float32)
    assert compute_fid(big, big)["fid"] == pytest.approx(0.0, abs=1e-6)
    assert compute_fid(np.clip(big * 0.5, 0, 255), big)["fid"] > 1e-3


def test_real_stats_cache(tmp_path):
    rng = np.random.default_rng(3)
    real = rng.normal(size=(50, 8))
    fake = rng.normal(size=(40, 8))
    ext = _dummy(8)
    r1 = compute_fid(fake, real, extractor=ext, dataset="toy", cache_dir=str(tmp_path))
    assert not r1["real_stats_cached"]
    assert (tmp_path / "fid_stats" / "toy-train-dummy-clean-n50.npz").is_file()

    def boom():
        raise AssertionError("real data loaded despite the cache")

    r2 = compute_fid(fake, boom, extractor=ext, dataset="toy", n_real=50, cache_dir=str(tmp_path))
    assert r2["real_stats_cached"] and r2["fid"] == pytest.approx(r1["fid"], rel=1e-12)
    assert stats_path(str(tmp_path), "toy", "test", "dummy", 50, "legacy_tensorflow").endswith(
        "toy-test-dummy-legacy_tensorflow-n50.npz")


def test_generator_sampler_balanced_labels_and_range():
    import torch

    calls = []

    def G(z, y):
        calls.append(y.clone())
        return torch.tanh(z[:, :1, None, None].expand(-1, 3, 8, 8) * 10)

    batches = generator_sampler(G, 25, num_classes=5, z_dim=4, batch_size=10, with_labels=True)
    x, y = collect(batches)
    assert x.shape == (25, 3, 8, 8) and 0.0 <= x.min() and x.max() <= 255.0
    np.testing.assert_array_equal(np.bincount(y), [5] * 5)
    assert [len(c) for c in calls] == [10, 10, 5]
    # FID accepts the sampler directly
    rec = compute_fid(generator_sampler(G, 20, 5, 4, batch_size=8), x, n_fake=20)
    assert rec["n_fake"] == 20 and rec["extractor"] == "randproj-v1"


def tf1_bilinear_resize(images: np.ndarray, size: tuple[int, int] = (299, 299)) -> np.ndarray:
    """TF1's ``resize_bilinear`` (align_corners=False, no half-pixel centres) of an NCHW
    batch: output pixel j samples the input at j * in / out, clamped at the last pixel."""
    x = np.asarray(images, dtype=np.float64)
    for axis, n_out in ((2, size[0]), (3, size[1])):
        n_in = x.shape[axis]
        src = np.arange(n_out) * (n_in / n_out)
        i0 = np.floor(src).astype(np.int64)
        i1 = np.minimum(i0 + 1, n_in - 1)
        shape = [1, 1, 1, 1]
        shape[axis] = n_out
        w = (src - i0).reshape(shape)
        x = np.take(x, i0, axis=axis) * (1.0 - w) + np.take(x, i1, axis=axis) * w
    return x.astype(np.float32)


def resizer(mode: str):
    """What FID mode ``mode`` does to an NCHW batch before a 299x299 network (legacy:
    what the Inception graph does inside it)."""
    return clean_resize if mode == "clean" else tf1_bilinear_resize


def test_tf1_bilinear_resize_samples_at_j_times_in_over_out():
    # TF1 resize_bilinear without half-pixel centres: output j reads input j * 4 / 8,
    # clamped at the last input pixel (hand-computed on a ramp 0, 1, 2, 3)
    ramp = np.tile(np.arange(4.0), (1, 3, 2, 1))
    out = tf1_bilinear_resize(ramp, size=(4, 8))
    np.testing.assert_allclose(out[0, 0, 0], [0, 0.5, 1, 1.5, 2, 2.5, 3, 3])
    np.testing.assert_allclose(out[0, 2, 3], out[0, 0, 0])


def _substitute_299(mode: str):
    """A small stand-in for Inception at 299x299: the mode's resize, 23x23 average pooling,
    then a fixed random projection to 8 dimensions (no weights to download)."""
    from reproduce.metrics import Extractor

    proj = np.random.default_rng(7).normal(size=(3 * 13 * 13, 8))

    def feats(batch):
        x = resizer(mode)(np.asarray(batch, dtype=np.float32))
        pooled = x.reshape(len(x), 3, 13, 23, 13, 23).mean(axis=(3, 5))
        return pooled.reshape(len(x), -1) @ proj

    return Extractor(f"substitute-299-{mode}", 8, RESIZE[mode], False, feats, mode=mode)


def test_fid_modes_differ_on_the_same_images_and_the_record_says_which():
    rng = np.random.default_rng(11)
    real = rng.integers(0, 256, size=(24, 3, 32, 32)).astype(np.uint8)
    fake = np.clip(real * 0.8 + rng.normal(20.0, 9.0, size=real.shape), 0, 255)  # float
    records = {mode: compute_fid(fake, real, extractor=_substitute_299(mode), mode=mode)
               for mode in FID_MODES}
    legacy, clean = records["legacy_tensorflow"], records["clean"]
    assert abs(legacy["fid"] - clean["fid"]) > 1e-3 * clean["fid"]
    assert legacy["quantised"] and not clean["quantised"]
    fields = {m: fid_fields(r) for m, r in records.items()}
    assert fields["legacy_tensorflow"]["fid_mode"] == "legacy_tensorflow"
    assert fields["legacy_tensorflow"]["fid_resize"].startswith("legacy_tensorflow (uint8")
    assert fields["clean"]["fid_resize"].startswith("clean (float")
    assert {k: fields["clean"][k] for k in ("fid_n_fake", "fid_n_real", "fid_split")} == {
        "fid_n_fake": 24, "fid_n_real": 24, "fid_split": "train"}
    with pytest.raises(ValueError, match="built for mode 'clean'"):
        compute_fid(fake, real, extractor=_substitute_299("clean"), mode="legacy_tensorflow")


def test_legacy_mode_quantises_fakes_as_saved_images():
    # fakes a third of a grey level off the reals: identical once rounded to uint8
    real = np.random.default_rng(12).integers(1, 255, size=(40, 3, 32, 32)).astype(np.uint8)
    fake = real.astype(np.float32) + 0.3
    legacy = compute_fid(fake, real, mode="legacy_tensorflow")
    clean = compute_fid(fake, real, mode="clean")
    same = compute_fid(real, real, mode="clean")["fid"]  # ~0 up to sqrtm's rounding
    assert legacy["fid"] == same and clean["fid"] > same + 1e-5
    assert (legacy["extractor"], legacy["mode"]) == ("randproj-v1", "legacy_tensorflow")
