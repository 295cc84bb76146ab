"""FID, extractors and sampling: checked against clean-fid and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from reproduce.metrics import (
    MissingWeights,
    collect,
    compute_fid,
    fid_from_features,
    generator_sampler,
    get_extractor,
)
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
    assert (tmp_path / "fid_stats" / "toy-train-dummy-n50.npz").is_file()

    def boom():
        raise AssertionError("real data loaded despite the cache")

    r2 = compute_fid(fake, boom, extractor=ext, dataset="toy", n_real=50, cache_dir=str(tmp_path))
    assert r2["real_stats_cached"] and r2["fid"] == pytest.approx(r1["fid"], rel=1e-12)
    assert stats_path(str(tmp_path), "toy", "test", "dummy", 50).endswith("toy-test-dummy-n50.npz")


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
