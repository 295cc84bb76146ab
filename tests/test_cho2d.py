"""Tests of cho2d (VCAGAN section 4.1): loss pieces on hand-made inputs, batched == plain,
and a smoke run with checkpoint resume."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from methods import registry
from methods.cho2d import batched, plain
from methods.cho2d import losses as L
from methods.cho2d.common import make_hp, member_rng
from methods.cho2d.config import DEFAULTS
from methods.cho2d.evaluate import clusters_mapped, prior_metrics
from methods.cho2d.step import run_epoch
from reproduce.data import gauss4
from tests.fake_context import FakeCtx, Stop
from tests.fake_context import train_as_harness as train

TINY = {"hidden": 16, "n_hidden": 2, "d_z": 4, "steps_per_epoch": 8, "epochs": 3,
        "pc_update_epoch": 1, "n_eval_samples": 64, "checkpoint_every_epochs": 1}


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """One torch thread (as the trainer's ``threads`` default): on a shared 2-core
    machine two OpenMP threads spin against other processes and tiny steps crawl."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)




def test_cagan_inner_product_and_labels() -> None:
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    c = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert L.adversarial_value(a, c).tolist() == [2.0, 6.0]  # Eqs. 11-12: a . c
    assert L.adversarial_value(a[:, :1], c).tolist() == [1.0, 4.0]  # 1-output D
    p = torch.tensor([[0.2, 0.5, 0.3]])
    assert L.argmax_onehot(p).tolist() == [[0.0, 1.0, 0.0]]  # the paper's example


def test_prob_normalize_eq13() -> None:
    p = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
    # batch mean [0.4, 0.4, 0.2]; p - mean + 1/3
    want = torch.tensor([[0.3, -0.2, -0.1], [-0.3, 0.2, 0.1]]) + 1.0 / 3.0
    got = L.prob_normalize(p)
    assert torch.allclose(got, want, atol=1e-6)
    assert torch.allclose(got.mean(0), torch.full((3,), 1.0 / 3.0), atol=1e-6)
    # batched (M, B, K): each member normalised over its own batch
    stacked = torch.stack([p, p.flip(0)])
    assert torch.allclose(L.prob_normalize(stacked)[0], want, atol=1e-6)


def test_pc_ema() -> None:
    prior = torch.full((4,), 0.25)
    p = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    got = L.pc_ema(prior, p, 0.999)
    want = torch.tensor([0.999 * 0.25 + 0.001 * 0.5] * 2 + [0.999 * 0.25] * 2)
    assert torch.allclose(got, want, atol=1e-7)
    assert math.isclose(float(got.sum()), 1.0, rel_tol=1e-6)


def test_creg_eq10_linear_classifier() -> None:
    # Q(x) = x A with 2 classes; at x the argmax class is c, o the other one:
    # grad_x (1 - p_c)^2 = -2 (1 - p_c) p_c (1 - p_c) (A_c - A_o)
    # => ||.||^2 = 4 (1 - p_c)^4 p_c^2 ||A_c - A_o||^2
    a = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
    x = torch.tensor([[0.3, 0.2], [-1.0, 0.1]], requires_grad=True)
    logits = x @ a
    c_r = L.argmax_onehot(logits.detach())
    got = L.creg_per_sample(logits, x, c_r).detach()
    for i in range(2):
        l0, l1 = (x[i] @ a).tolist()
        c = 0 if l0 > l1 else 1
        pc = 1.0 / (1.0 + math.exp(-abs(l0 - l1)))
        diff = (a[:, c] - a[:, 1 - c]).pow(2).sum().item()
        assert math.isclose(float(got[i]), 4 * (1 - pc) ** 4 * pc**2 * diff, rel_tol=1e-5)


def test_r2_d_loss_and_g_gradient() -> None:
    w = torch.tensor([[0.5], [-2.0]])
    x = torch.tensor([[1.0, 1.0], [0.0, 2.0], [3.0, -1.0]], requires_grad=True)
    s = (x @ w)[:, 0]
    r2, g = L.input_grad_sqnorm(s, x)
    assert torch.allclose(r2, torch.full((3,), 4.25))  # ||w||^2
    # d_loss at s_real = s_fake = 0, r2 = 1: log 2 + log 2 + lambda
    zero = torch.zeros(5)
    assert math.isclose(float(L.d_loss(zero, zero, torch.ones(5), 1.0)),
                        2 * math.log(2) + 1.0, rel_tol=1e-6)
    # the shortcut d L_g / d x' equals autograd through D
    (want,) = torch.autograd.grad(L.g_loss(s), x)
    assert torch.allclose(L.g_adv_input_grad(s.detach(), g.detach()), want, atol=1e-6)


def test_eval_metrics() -> None:
    m = prior_metrics(np.array([0.0, 0.41, 0.005, 0.19, 0.29, 0.105, 0.0, 0.0]))
    assert m["pc_0"] == 0.41 and m["pc_3"] == 0.105 and m["n_categories"] == 4.0
    assert m["pc_recovered"] == 1.0
    assert prior_metrics(np.array([0.5037, 0.3967, 0.0995]))["pc_recovered"] == 0.0
    labels = np.repeat(np.arange(4), 10)
    assert clusters_mapped(labels + 2, labels) == 1.0
    merged = np.where(labels == 3, 2, labels)  # clusters 2 and 3 share a category
    assert clusters_mapped(merged, labels) == 0.5
    split = labels.copy()
    split[:5] = 7  # cluster 0 split half/half
    assert clusters_mapped(split, labels) == 0.75


def test_gauss4_weights() -> None:
    _, lab = gauss4.sample(np.random.default_rng(0), 20000)
    assert np.allclose(np.bincount(lab) / 20000, gauss4.WEIGHTS, atol=0.01)


@pytest.mark.parametrize("variant", ["vcagan", "infogan", "elastic", "gan_cat"])
def test_batched_matches_plain(variant: str) -> None:
    hp = make_hp({**DEFAULTS, **TINY, "variant": variant, "epochs": 2})
    lams = [0.1, 1.0]
    refs = []
    for r, lam in enumerate(lams):
        rng = member_rng(3, r)
        m = plain.build(hp, rng, lam)
        for e in range(hp.epochs):
            run_epoch(m, hp, plain.draw(rng, hp), e)
        refs.append(m)
    rngs = [member_rng(3, r) for r in range(2)]
    mb = batched.build(hp, rngs, lams)
    for e in range(hp.epochs):
        run_epoch(mb, hp, batched.draw_batched(rngs, hp), e)
    for j, m in enumerate(refs):
        for p, pb in zip(m.g_params, mb.g_params, strict=True):
            want = p.detach().T if p.dim() == 2 else p.detach()
            assert torch.allclose(want, pb.detach()[j].reshape(want.shape), atol=1e-4)
        assert torch.allclose(m.current_prior(), mb.current_prior()[j], atol=1e-5)


def test_smoke_train_and_resume(tmp_path: Path) -> None:
    params = dict(DEFAULTS, **TINY)
    full = FakeCtx(tmp_path / "a", params, method="cho2d")
    final = train(full)
    assert sorted(full.logged) == [8, 16, 24]
    assert 0.0 <= final["pc_entropy"] <= math.log(8) + 1e-6
    assert math.isclose(sum(final[f"pc_{k}"] for k in range(8)), 1.0, rel_tol=1e-4)
    art = np.load(full.run_dir / "samples.npz")
    assert art["points"].shape == (64, 2) and art["codes"].shape == (64,)

    with pytest.raises(Stop):  # killed right after the second checkpoint
        train(FakeCtx(tmp_path / "b", params, method="cho2d", stop_after=16))
    resumed = FakeCtx(tmp_path / "b", params, method="cho2d")
    again = train(resumed)
    assert sorted(resumed.logged) == [24]
    for k, v in final.items():
        assert math.isclose(v, again[k], rel_tol=1e-5, abs_tol=1e-6), k
    art2 = np.load(resumed.run_dir / "samples.npz")
    assert np.allclose(art["points"], art2["points"], atol=1e-5)


def test_sweep_logs_members(tmp_path: Path) -> None:
    params = {**DEFAULTS, **TINY, "epochs": 1, "sweep_repeats": 2,
              "sweep_lambda_creg": [0.0, 1.0]}
    ctx = FakeCtx(tmp_path, params, method="cho2d")
    final = train(ctx)
    assert "pc_entropy_m3" in final and "n_recovered" in final
    assert math.isclose(final["pc_entropy"],
                        np.mean([final[f"pc_entropy_m{j}"] for j in range(4)]), rel_tol=1e-6)
    assert all((tmp_path / f"samples_m{j}.npz").exists() for j in range(4))


def test_resume_inside_an_epoch_equals_uninterrupted(tmp_path: Path) -> None:
    from methods.cho2d.model import Cho2dModel
    from methods.engine.core import Schedule, train_loop
    from methods.engine.state import seed_all

    p = registry.get("cho2d").typed({**TINY, "epochs": 2})  # 16 steps, epochs of 8
    sched = Schedule(steps=16, eval_every=8, checkpoint_every=5, progress_every=1)

    def run(ctx: FakeCtx) -> dict[str, float]:
        seed_all(0)
        return train_loop(Cho2dModel(p, 0), sched, ctx, ctx.load_checkpoint())

    full = run(FakeCtx(tmp_path / "a", method="cho2d"))
    with pytest.raises(Stop):  # killed after the checkpoint at step 10, inside epoch 2
        run(FakeCtx(tmp_path / "b", method="cho2d", stop_after=10))
    resumed = FakeCtx(tmp_path / "b", method="cho2d")
    assert run(resumed) == full and sorted(resumed.logged) == [16]
