"""Evaluation of ``cho2d`` members: P(C) statistics, cluster-to-category mapping through
the classifier on real points, and generated samples (for the scatter figures)."""

from __future__ import annotations

import numpy as np
import torch

from methods.cho2d import losses as L
from methods.cho2d.common import HP
from methods.cho2d.step import Models
from reproduce.data import gauss4

TRUE_SORTED = np.sort(gauss4.WEIGHTS)[::-1]  # [0.4, 0.3, 0.2, 0.1]
RECOVER_TOL = 0.03  # "sorted, within +-0.03"
MAP_PURITY = 0.9  # a cluster maps to one category if >= 90% of its points go there
N_PER_CLUSTER = 500
EVAL_SEED = 12345  # fixed real evaluation points, the same for every run


def prior_metrics(p: np.ndarray) -> dict[str, float]:
    """Sorted P(C), entropy (nats), categories >= 1% (Figures 5/6) and recovery flag."""
    s = np.sort(p)[::-1]
    padded = np.zeros(max(8, len(s), len(TRUE_SORTED)))
    padded[:len(s)] = s
    truth = np.zeros_like(padded)
    truth[:len(TRUE_SORTED)] = TRUE_SORTED
    out = {f"pc_{k}": float(padded[k]) for k in range(8)}
    out["pc_entropy"] = float(-(p * np.log(np.clip(p, 1e-30, None))).sum())
    out["n_categories"] = float((p >= 0.01).sum())
    out["pc_recovered"] = float(np.all(np.abs(padded - truth) <= RECOVER_TOL))
    return out


def clusters_mapped(pred: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of true clusters whose points go >= 90% to one category that is not the
    majority category of another cluster (a split or a merged cluster is not mapped)."""
    n_clusters = int(labels.max()) + 1
    major, purity = [], []
    for k in range(n_clusters):
        counts = np.bincount(pred[labels == k])
        major.append(int(counts.argmax()))
        purity.append(counts.max() / counts.sum())
    ok = [purity[k] >= MAP_PURITY and major.count(major[k]) == 1 for k in range(n_clusters)]
    return float(np.mean(ok))


@torch.no_grad()
def evaluate(m: Models, hp: HP, losses: dict[str, torch.Tensor]) -> list[dict[str, float]]:
    """Per-member metric dicts (members along dim 0 of the batched models)."""
    priors = m.current_prior().float().numpy()
    n = priors.shape[0]
    out = [prior_metrics(priors[j]) for j in range(n)]
    if m.Q is not None:
        x, labels = gauss4.per_cluster(np.random.default_rng(EVAL_SEED), N_PER_CLUSTER)
        xt = torch.from_numpy(x).expand(n, -1, -1).contiguous()
        pred = m.Q(xt).argmax(-1).numpy()
        for j in range(n):
            out[j]["clusters_mapped"] = clusters_mapped(pred[j], labels)
    for key, v in losses.items():
        vals = v.float().reshape(n).numpy()
        for j in range(n):
            out[j][key] = float(vals[j])
    return out


def combine(members: list[dict[str, float]]) -> dict[str, float]:
    """Member means under the plain keys (one member: its metrics), ``n_recovered``
    (a count) and every member's metrics as ``<key>_m<j>`` (also for a single member, so
    a figure series can read ``member = 0`` of any run)."""
    out = {k: float(np.mean([mm[k] for mm in members])) for k in members[0]}
    out["n_recovered"] = float(sum(mm["pc_recovered"] for mm in members))
    for j, mm in enumerate(members):
        out.update({f"{k}_m{j}": v for k, v in mm.items()})
    return out


@torch.no_grad()
def samples(m: Models, hp: HP, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points per member from G_ema with codes c ~ P(C): ``(M, n, 2)``, ``(M, n)``."""
    prior = m.current_prior().float()
    members = prior.shape[0]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    z = torch.from_numpy(rng.standard_normal((members, n, hp.d_z)).astype(np.float32))
    g = torch.from_numpy(rng.gumbel(size=(members, n, hp.n_cat)).astype(np.float32))
    c = L.gumbel_onehot(torch.log(prior.clamp_min(1e-30)), g)
    return m.G_ema(z, c).float().numpy(), c.argmax(-1).numpy()
