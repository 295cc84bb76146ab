"""The mode-dropping simulation of zhou section 6.3 (Figure 5), numpy only.

With one-hot C(x_i) = v(i) and kept set S with densities w_i (i in S), the generator's
mean class distribution is C_G = sum_{i in S} w~_i v(i) with w~_i = w_i / sum_{j in S} w_j,
so KL(v(i) || C_G) = sum_k v(i)_k log(v(i)_k / C_G,k) = -log w~_i, and

    E_x[KL(C(x) || C_G)] = sum_{i in S} w~_i (-log w~_i) = H(w~),

the entropy of the renormalised kept densities (its exp is the Inception Score).

Uniform density (closed form, Figure 5a): w~_i = 1 / (N - m) for every kept i whatever
points are dropped, so every trial gives exactly log(N - m): kl_mean = kl_min = kl_max =
log(N - m), increasing in the number of kept classes N - m (0 when one class is kept).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from methods.base import RunContext
from methods.zhou_modedrop.config import INFO


def densities(params: Any) -> np.ndarray:
    """The class densities w (sum 1) of the configured ``density`` (uniform | gaussian)."""
    p = INFO.typed(params)
    n = p.n_classes
    if p.density == "uniform":
        w = np.ones(n)
    else:
        s = p.gaussian_sigma_frac * n
        w = np.exp(-((np.arange(n) - (n - 1) / 2.0) ** 2) / (2.0 * s * s))
    return w / w.sum()


def kl_trials(w: np.ndarray, m: int, n_trials: int, rng: np.random.Generator) -> np.ndarray:
    """E_x[KL(C(x) || C_G)] for ``n_trials`` random droppings of ``m`` points."""
    n = len(w)
    kept = np.argsort(rng.random((n_trials, n)), axis=1)[:, : n - m]  # random subsets
    wk = w[kept]
    wk = wk / wk.sum(1, keepdims=True)
    return -(wk * np.log(wk)).sum(1)  # H(w~), see the module docstring


def uniform_closed_form(n_classes: int, m: int) -> float:
    """log(N - m): the uniform case's value for every dropping (module docstring)."""
    return float(np.log(n_classes - m))


def train(ctx: RunContext) -> dict[str, float]:
    """Log one evaluation per m (step = m): kl_mean, kl_min, kl_max, n_kept. A run is a few
    seconds of numpy with its own seeded stream: no steps to resume, no checkpoint."""
    p = INFO.typed(ctx.params)
    w = densities(p)
    n = len(w)
    rng = np.random.default_rng(np.random.SeedSequence([ctx.seed, 5]))
    last: dict[str, float] = {}
    for m in range(n):
        v = kl_trials(w, m, p.n_trials, rng)
        last = {"kl_mean": float(v.mean()), "kl_min": float(v.min()),
                "kl_max": float(v.max()), "n_kept": float(n - m)}
        ctx.log_eval(m, last)
        ctx.progress(m + 1, n)
    return last
