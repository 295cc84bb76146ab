"""AM-Score classifier: architectures, smoke training and the per-dataset cache."""

from __future__ import annotations

import numpy as np
import pytest


def _toy(n=160, seed=0):
    """Two trivially separable classes: dark vs bright images."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.uniform(0, 90, size=(n, 3, 16, 16)) + 150 * y[:, None, None, None]
    return x.astype(np.float32), y


def test_densenet_bc_40_40_structure():
    import torch

    from reproduce.metrics import DenseNetBC

    net = DenseNetBC(10, depth=40, growth=40)
    assert net.n_layers_per_block == 6
    # channels: 80 + 6*40 = 320 -> 160 -> 160 + 240 = 400 -> 200 -> 200 + 240 = 440
    assert net.fc.in_features == 440
    with torch.no_grad():
        assert net.eval()(torch.zeros(1, 3, 8, 8)).shape == (1, 10)
    with pytest.raises(ValueError):
        DenseNetBC(10, depth=41)


def test_small_cnn_trains_and_cache_reloads(tmp_path):
    import torch

    torch.set_num_threads(1)
    from reproduce.metrics import classification_error, load_or_train_classifier, predict_probs

    x, y = _toy()
    model, cached = load_or_train_classifier(
        "toy", (x, y), cache_dir=str(tmp_path), num_classes=2, epochs=3, batch_size=32
    )
    assert not cached
    probs = predict_probs(model, x)
    assert probs.shape == (len(x), 2)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)
    assert classification_error(probs, y) < 0.1

    again, cached = load_or_train_classifier("toy", lambda: (x, y), cache_dir=str(tmp_path),
                                             num_classes=2, epochs=3, batch_size=32)
    assert cached and again.cache_key == model.cache_key
    other = x.copy()
    other[0, 0, 0, 0] += 1  # one pixel differs: other data, never this cache entry
    _, cached = load_or_train_classifier("toy", (other, y), cache_dir=str(tmp_path),
                                         num_classes=2, epochs=1, batch_size=32)
    assert not cached
    _, cached = load_or_train_classifier("toy", (x, y), cache_dir=str(tmp_path), num_classes=2,
                                         epochs=3, batch_size=32, seed=1)
    assert not cached  # another seed made another classifier: never taken from the cache
    np.testing.assert_allclose(predict_probs(again, x), probs, rtol=1e-5, atol=1e-6)


def test_paper_recipe_augmentation_runs():
    import torch

    from reproduce.metrics.classifier import _augment, train_classifier

    x, y = _toy(32)
    gen = torch.Generator().manual_seed(0)
    t = torch.from_numpy(x) / 127.5 - 1
    out = _augment(t, gen, flip=True)
    assert out.shape == t.shape
    model = train_classifier(x, y, num_classes=2, recipe="paper", epochs=1, batch_size=16)
    assert not model.training
