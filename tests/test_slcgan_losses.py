"""slcGAN's loss terms on hand-made tensors against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from methods.slcgan import losses as L
from methods.slcgan.views import random_flip, random_view

U_R, S_R = torch.tensor([2.0, 0.5]), torch.tensor([-1.0, 1.0])
U_F, S_F = torch.tensor([-2.0, 0.0]), torch.tensor([0.5, -3.0])


def test_d_hinge_unary_and_joint() -> None:
    # image 1: max(0, 1-2) + max(0, 1+1) + max(0, 1-2) + max(0, 1+0.5) = 0 + 2 + 0 + 1.5
    # image 2: max(0, 1-0.5) + max(0, 1-1) + max(0, 1+0) + max(0, 1-3) = 0.5 + 0 + 1 + 0
    assert float(L.d_hinge(U_R, S_R, U_F, S_F)) == pytest.approx((3.5 + 1.5) / 2)


def test_d_hinge_unary_only_for_an_unconditional_d() -> None:
    assert float(L.d_hinge(U_R, None, U_F, None)) == pytest.approx((0.0 + 1.5) / 2)


def test_g_adversarial() -> None:
    u, s = torch.tensor([1.0, 2.0]), torch.tensor([3.0, -1.0])
    assert float(L.g_adversarial(u, s)) == pytest.approx(-(4.0 + 1.0) / 2)
    assert float(L.g_adversarial(u, None)) == pytest.approx(-1.5)


def test_mutual_information_is_minus_log_p_of_the_conditioning_label() -> None:
    logits = torch.log(torch.tensor([[0.25, 0.75], [0.6, 0.4]]))
    c = torch.tensor([1, 1])
    assert float(L.mutual_information(logits, c)) == pytest.approx(
        -(math.log(0.75) + math.log(0.4)) / 2)


def test_c_adversarial_is_the_mean_joint_score_of_real_pairs() -> None:
    assert float(L.c_adversarial(torch.tensor([0.5, -2.0, 4.5]))) == pytest.approx(1.0)


def test_multi_view_cross_entropy_between_two_views() -> None:
    p_x = torch.log(torch.tensor([[0.5, 0.5], [0.2, 0.8]]))
    q_view = torch.log(torch.tensor([[0.9, 0.1], [1.0, 1e-30]]))
    expected = (math.log(2.0) - math.log(0.2)) / 2  # -sum_c q_c log p_c, averaged
    assert float(L.multi_view(p_x, q_view)) == pytest.approx(expected, rel=1e-5)


def test_multi_view_gradient_reaches_both_views() -> None:
    a = torch.tensor([[0.3, -0.2, 1.0]], requires_grad=True)
    b = torch.tensor([[1.0, 0.0, -1.0]], requires_grad=True)
    L.multi_view(a, b).backward()
    assert a.grad is not None and b.grad is not None
    assert float(a.grad.abs().sum()) > 0 and float(b.grad.abs().sum()) > 0


def test_random_view_changes_images_and_keeps_the_range() -> None:
    torch.manual_seed(0)
    x = torch.rand(8, 3, 16, 16) * 2 - 1
    v = random_view(x, crop_min=0.2, jitter=0.4, jitter_prob=1.0)
    assert v.shape == x.shape and float(v.min()) >= -1.0 and float(v.max()) <= 1.0
    assert float((v - x).abs().mean()) > 0.05
    same = random_flip(x)
    flipped = torch.isclose(same, x.flip(3)).flatten(1).all(1)
    kept = torch.isclose(same, x).flatten(1).all(1)
    assert bool((flipped | kept).all()) and bool(flipped.any()) and bool(kept.any())
