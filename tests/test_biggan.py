"""BigGAN G / D, the two-headed U-Net D and the ResNet18 teacher: shapes, conditioning,
spectral norm, initialisation; the augmentations of methods/augment.py."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from methods import augment
from methods.nets.biggan import BigGANDiscriminator, BigGANGenerator, down_pattern
from methods.nets.resnet_teacher import ResNetTeacher
from methods.nets.unet_d import UNetDiscriminator

torch.set_num_threads(1)


@pytest.mark.parametrize("size", [32, 48])
def test_generator_shapes_and_range(size: int) -> None:
    torch.manual_seed(0)
    G = BigGANGenerator(z_dim=16, num_classes=5, ch=8, image_size=size, channels=3)
    x = G(torch.randn(4, 16), torch.tensor([0, 1, 2, 4]))
    assert x.shape == (4, 3, size, size)
    assert float(x.detach().abs().max()) <= 1.0


def test_conditional_bn_uses_the_label() -> None:
    torch.manual_seed(0)
    G = BigGANGenerator(z_dim=8, num_classes=3, ch=8, image_size=32).eval()
    with torch.no_grad():
        for block in G.blocks:  # non-zero class embeddings (they start at 0)
            for bn in (block.bn1, block.bn2):
                bn.gain.weight.normal_()
                bn.bias.weight.normal_()
        z = torch.randn(2, 8)
        a = G(z, torch.tensor([0, 0]))
        b = G(z, torch.tensor([1, 1]))
    assert not torch.allclose(a, b)
    with pytest.raises(ValueError, match="needs labels"):
        G(z, None)


def test_unconditional_generator_has_plain_bn() -> None:
    G = BigGANGenerator(z_dim=8, num_classes=0, ch=8, image_size=32)
    assert G(torch.randn(2, 8)).shape == (2, 3, 32, 32)
    assert not any("gain" in n for n, _ in G.named_parameters())


@pytest.mark.parametrize("size,final", [(32, 8), (48, 6)])
def test_unet_d_heads(size: int, final: int) -> None:
    torch.manual_seed(0)
    D = UNetDiscriminator(num_classes=4, ch=8, image_size=size, channels=3)
    cond, dec = D(torch.randn(3, 3, size, size))
    assert cond is not None and cond.shape == (3, 8)  # 2K outputs
    assert dec.shape == (3, 1, size, size)  # one output per pixel
    feats = D.encoder(torch.randn(1, 3, size, size))
    assert feats[-1].shape[-1] == final
    assert sum(down_pattern(size)) == len(D.up_blocks)


def test_unet_d_unconditional_and_plain_d() -> None:
    D = UNetDiscriminator(num_classes=0, ch=8, image_size=32, channels=1)
    cond, dec = D(torch.randn(2, 1, 32, 32))
    assert cond is None and dec.shape == (2, 1, 32, 32)
    assert BigGANDiscriminator(n_out=3, ch=8)(torch.randn(2, 3, 32, 32)).shape == (2, 3)


def test_spectral_norm_and_xavier_init() -> None:
    torch.manual_seed(0)
    D = UNetDiscriminator(num_classes=2, ch=8, image_size=32)
    convs = [m for m in D.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert convs and all(hasattr(m, "parametrizations") for m in convs)
    w = D.encoder.blocks[1].conv1.parametrizations.weight.original
    bound = (6.0 / (w.shape[1] * 9 + w.shape[0] * 9)) ** 0.5  # Xavier-uniform bound
    assert float(w.detach().abs().max()) <= bound + 1e-6
    for _ in range(30):  # power iterations converge: the largest singular value -> 1
        D(torch.randn(1, 3, 32, 32))
    D.eval()
    w_sn = D.encoder.blocks[1].conv1.weight.detach().flatten(1)
    assert abs(float(torch.linalg.matrix_norm(w_sn, ord=2)) - 1.0) < 0.05


@pytest.mark.parametrize("arch", ["resnet18", "resnet18-tiny"])
def test_teacher_shapes(arch: str) -> None:
    net = ResNetTeacher(num_classes=7, arch=arch, channels=3)
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 7)
    n_blocks = sum(1 for m in net.modules() if m.__class__.__name__ == "BasicBlock")
    assert n_blocks == (8 if arch == "resnet18" else 4)
    if arch == "resnet18":
        n = sum(p.numel() for p in net.parameters())
        assert 11_000_000 < n < 11_300_000  # CIFAR ResNet18: ~11.2M parameters
    with pytest.raises(ValueError):
        ResNetTeacher(3, arch="resnet50")


def test_diff_augment_translation_and_cutout() -> None:
    torch.manual_seed(0)
    x = torch.ones(16, 3, 8, 8)
    cut = augment.rand_cutout(x)
    assert ((cut == 0).flatten(1).sum(1) > 0).all()  # every image has a zeroed square
    assert ((cut == 0).flatten(1).sum(1) <= 3 * 16).all()  # at most 4x4 per channel
    moved = augment.rand_translation(torch.arange(64.0).view(1, 1, 8, 8).repeat(64, 1, 1, 1))
    assert moved.shape == (64, 1, 8, 8)
    assert augment.diff_augment(x, "").equal(x)
    with pytest.raises(ValueError):
        augment.diff_augment(x, "color2")


def test_weak_augment_is_flip_and_shift() -> None:
    x = torch.arange(2 * 16.0).view(2, 1, 4, 4)
    shifted = augment.shift_images(x, torch.tensor([1, 0]), torch.tensor([0, -1]), 1)
    assert torch.equal(shifted[0, 0, :, 1:], x[0, 0, :, :3])  # shifted right by one
    assert torch.equal(shifted[0, 0, :, 0], x[0, 0, :, 1])  # reflect padding
    assert torch.equal(shifted[1, 0, :3, :], x[1, 0, 1:, :])  # shifted up by one
    g = torch.Generator().manual_seed(0)
    out = augment.weak_augment(torch.randn(8, 3, 32, 32), 4, generator=g)
    assert out.shape == (8, 3, 32, 32)
    flip_only = augment.weak_augment(x, 0, generator=torch.Generator().manual_seed(1))
    for a, b in zip(flip_only, x, strict=True):
        assert torch.equal(a, b) or torch.equal(a, b.flip(2))


def test_strong_augment_keeps_shape_and_range() -> None:
    torch.manual_seed(0)
    x = torch.rand(4, 3, 32, 32) * 2 - 1
    out = augment.strong_augment(x)
    assert out.shape == x.shape and out.min() >= -1 and out.max() <= 1


def test_cutmix_mask_and_mix() -> None:
    g = torch.Generator().manual_seed(0)
    mask = augment.cutmix_mask(32, 8, 8, generator=g)
    assert mask.shape == (32, 1, 8, 8)
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    a, b = torch.ones(32, 3, 8, 8), torch.zeros(32, 3, 8, 8)
    mixed = augment.cutmix(a, b, mask)
    assert torch.equal(mixed, mask.expand(32, 3, 8, 8))
