"""MED-GAN's pieces against the paper's equations: masks (Eq. 1, q_m), the mask and
label embeddings (Eqs. 2-3), and the losses (Eqs. 4, 5, 9) on hand-made tensors."""

from __future__ import annotations

import math

import pytest
import torch

from methods.medgan import losses as L
from methods.medgan import masks as MK
from methods.nets.convlarge import ConvLarge
from methods.nets.mask_embedded import Generator, MaskEmbeddedD

torch.set_num_threads(1)


@pytest.mark.parametrize(("height", "width"), [(32, 32), (24, 40)])
def test_lambda_boxes_have_the_area_and_shape_of_eq1(height: int, width: int) -> None:
    torch.manual_seed(0)
    lam = torch.linspace(0.0, 1.0, 101)
    boxes = MK.lambda_boxes(lam, height, width)
    masks = MK.box_masks(boxes, height, width)
    u0, v0, w, h = boxes.unbind(1)
    side = torch.sqrt(1.0 - lam)
    # sides sqrt(1 - lambda) W and sqrt(1 - lambda) H, to the nearest pixel
    assert torch.all((w - side * width).abs() <= 0.5 + 1e-6)
    assert torch.all((h - side * height).abs() <= 0.5 + 1e-6)
    # the box lies inside the image, so the mask holds exactly w * h ones
    assert torch.all((u0 >= 0) & (u0 + w <= width) & (v0 >= 0) & (v0 + h <= height))
    assert torch.equal(masks.sum(dim=(1, 2, 3)), (w * h).float())
    # area = 1 - lambda up to the rounding of the two sides
    bound = (side * (width + height) / 2 + 0.25) / (height * width) * 2
    assert torch.all((MK.mask_area(masks) - (1 - lam)).abs() <= bound + 1e-6)
    assert MK.mask_area(masks)[0] == 1.0 and MK.mask_area(masks)[-1] == 0.0


def test_prior_boxes_follow_q_m() -> None:
    torch.manual_seed(1)
    boxes = MK.prior_boxes(20000, 32, 32)
    w, h = boxes[:, 2].double(), boxes[:, 3].double()
    area, ratio = w * h / 1024, w / h
    tol = 2 * 0.5 * 32 / 1024 + 1 / 1024  # one rounding of each side
    assert area.min() >= 0.75 - tol and area.max() <= 1.0
    assert ratio.min() >= 0.75 - 1 / 24 and ratio.max() <= 4 / 3 + 1 / 24
    # the area is spread over the whole range, the ratio over both sides of 1
    assert (area < 0.8).float().mean() > 0.1 and (area > 0.95).float().mean() > 0.03
    assert (ratio < 0.9).float().mean() > 0.1 and (ratio > 1.1).float().mean() > 0.1


def test_near_boxes_stay_within_epsilon() -> None:
    torch.manual_seed(2)
    boxes = MK.lambda_boxes(MK.sample_lambda(500, 0.2), 32, 32)
    near = MK.near_boxes(boxes, 32, 32, eps=0.1)
    diff = (MK.box_masks(near, 32, 32) - MK.box_masks(boxes, 32, 32)).abs().mean(dim=(1, 2, 3))
    assert torch.all(diff < 0.1)
    assert (diff > 0).float().mean() > 0.5  # most pairs do differ


def test_mix_takes_the_box_from_the_first_image() -> None:
    a, b = torch.ones(1, 3, 4, 4), torch.zeros(1, 3, 4, 4)
    m = MK.box_masks(torch.tensor([[1, 2, 2, 1]]), 4, 4)
    out = MK.mix(a, b, m)
    expected = torch.zeros(4, 4)
    expected[2, 1:3] = 1.0
    assert torch.equal(out[0, 0], expected) and torch.equal(out[0, 2], expected)


@pytest.mark.parametrize("size", [16, 32, 64])
def test_embeddings_shapes_and_lambda_one_gives_the_plain_d(size: int) -> None:
    torch.manual_seed(3)
    D = MaskEmbeddedD(10, 2, size, 3, mask_embedding=True).eval()
    plain = MaskEmbeddedD(10, 2, size, 3, mask_embedding=False).eval()
    with torch.no_grad():
        D.a_label.weight.normal_()  # a trained label embedding
    missing = plain.load_state_dict(D.state_dict(), strict=False)
    assert all(k.startswith("a_mask.") for k in missing.unexpected_keys)
    x, y = torch.randn(4, 3, size, size), torch.tensor([0, 3, 5, 9])
    f = D.features(x)
    assert D.a_mask is not None
    a = D.a_mask(MK.box_masks(MK.prior_boxes(4, size, size), size, size), f.shape[2:])
    assert a.shape == f.shape  # A_mask(m) weights D_f element-wise (Eq. 2)
    assert D.a_label(y).shape == (4, f.shape[1])  # A_label(y) weights D_g (Eq. 3)
    m_one = MK.box_masks(MK.lambda_boxes(torch.ones(4), size, size), size, size)
    assert m_one.sum() == 0  # lambda = 1: an empty box
    with torch.no_grad():
        assert torch.equal(D(x, m_one, y), plain(x, None, y))
        assert torch.equal(D.features(x, m_one), plain.features(x))
        m = MK.box_masks(MK.lambda_boxes(torch.full((4,), 0.5), size, size), size, size)
        assert not torch.allclose(D(x, m, y), plain(x, None, y))


def test_generator_and_classifier_shapes() -> None:
    torch.manual_seed(4)
    for size in (16, 32, 64, 128):
        G = Generator(8, 5, 1, size, 3)
        assert G(torch.randn(2, 8), torch.tensor([0, 4])).shape == (2, 3, size, size)
        C = ConvLarge(5, 3, size, width=0.05)
        assert C(torch.randn(2, 3, size, size)).shape == (2, 5)


def test_consistency_by_hand() -> None:
    f1 = torch.zeros(2, 1, 1, 2)
    f2 = torch.tensor([[1.0, 1.0], [0.0, 2.0]]).view(2, 1, 1, 2)
    # per sample ||f1 - f2||^2: 1 + 1 = 2 and 0 + 4 = 4; batch mean 3
    assert L.consistency(f1, f2).item() == pytest.approx(3.0)


def test_contrastive_by_hand() -> None:
    anchor = torch.zeros(3, 2, 1, 1)
    pos = torch.tensor([[1.0, 0.0], [0.0, 0.0], [2.0, 2.0]]).view(3, 2, 1, 1)
    neg = torch.tensor([[1.0, 1.0], [3.0, 1.0], [0.0, 0.0]]).view(3, 2, 1, 1)
    # d(a, p) = 1, 0, 8; d(a, n) = 2, 10, 0 (squared L2 norms)
    # max(d_p - d_n + 0.5, 0) = max(-0.5, 0) = 0, max(-9.5, 0) = 0, max(8.5, 0) = 8.5
    assert L.contrastive(anchor, pos, neg, 0.5).item() == pytest.approx(8.5 / 3)
    # gamma = 1.5: the first triplet enters the hinge (0.5), the second stays out
    assert L.contrastive(anchor, pos, neg, 1.5).item() == pytest.approx((0.5 + 9.5) / 3)


def test_soft_target_classifier_loss_by_hand() -> None:
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25], [0.1, 0.2, 0.7]]))
    y, y_other = torch.tensor([0, 2]), torch.tensor([1, 2])
    lam = torch.tensor([0.25, 0.6])
    first = -(0.75 * math.log(0.5) + 0.25 * math.log(0.25))
    second = -(0.4 * math.log(0.7) + 0.6 * math.log(0.7))
    assert L.soft_target_ce(logits, y, y_other, lam).item() == pytest.approx(
        (first + second) / 2, rel=1e-6)
    # lambda = 0: the plain cross-entropy on the first label
    assert L.soft_target_ce(logits, y, y_other, torch.zeros(2)).item() == pytest.approx(
        -(math.log(0.5) + math.log(0.7)) / 2, rel=1e-6)


def test_adversarial_forms_by_hand() -> None:
    zero, big = torch.zeros(1), torch.tensor([3.0])
    ln2 = math.log(2.0)
    assert L.d_real(zero).item() == pytest.approx(ln2)
    assert L.d_fake(zero).item() == pytest.approx(ln2)
    assert L.g_adv(zero, "nonsaturating").item() == pytest.approx(ln2)
    assert L.g_adv(zero, "minimax").item() == pytest.approx(-ln2)
    # log(1 - sigmoid(3)) and -log(sigmoid(3))
    assert L.identification(big, "minimax").item() == pytest.approx(
        math.log(1 - 1 / (1 + math.exp(-3))), rel=1e-6)
    assert L.identification(big, "nonsaturating").item() == pytest.approx(
        -math.log(1 / (1 + math.exp(-3))), rel=1e-6)
    assert L.recognition(torch.log(torch.tensor([[0.2, 0.8]])), torch.tensor([1])).item() == \
        pytest.approx(-math.log(0.8), rel=1e-6)
