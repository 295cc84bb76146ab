"""Tests of zhou_modedrop (zhou section 6.3, Figure 5)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from methods.zhou_modedrop.config import DEFAULTS
from methods.zhou_modedrop.trainer import densities, kl_trials, train, uniform_closed_form
from tests.fake_context import FakeCtx


def test_uniform_closed_form(tmp_path: Path) -> None:
    ctx = FakeCtx(tmp_path, {**DEFAULTS, "n_classes": 20, "n_trials": 50}, method="zhou_modedrop")
    train(ctx)
    assert sorted(ctx.logged) == list(range(20))
    for m, ev in ctx.logged.items():
        want = uniform_closed_form(20, m)  # log(N - m) for every dropping
        assert math.isclose(want, math.log(20 - m))
        for key in ("kl_mean", "kl_min", "kl_max"):
            assert math.isclose(ev[key], want, rel_tol=1e-9, abs_tol=1e-12), (m, key)


def test_gaussian_bounds_and_trend() -> None:
    params = {**DEFAULTS, "density": "gaussian", "n_classes": 30}
    w = densities(params)
    rng = np.random.default_rng(0)
    full = kl_trials(w, 0, 5, rng)
    assert np.allclose(full, -(w * np.log(w)).sum())  # nothing dropped: H(w)
    means = []
    for m in range(30):
        v = kl_trials(w, m, 200, rng)
        assert np.all(v <= math.log(30 - m) + 1e-9)  # entropy of N - m outcomes
        assert v.min() <= v.mean() <= v.max()
        means.append(v.mean())
    # increases with the number of kept classes (decreases with m), as Figure 5b
    assert np.all(np.diff(means) < 0)
