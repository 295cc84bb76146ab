"""The batched RandAugment (methods/randaugment.py) against torchvision's RandAugment,
image by image, for the same drawn ops and signs."""

from __future__ import annotations

import pytest
import torch
from torchvision.transforms import v2

from methods import augment
from methods import randaugment as R

torch.set_num_threads(1)
TV = v2.RandAugment()  # the reference: its op table and its per-image op


def _tv_magnitude(name: str, bin_: int, h: int, w: int) -> float:
    values = TV._AUGMENTATION_SPACE[name][0](R.NUM_BINS, h, w)
    return 0.0 if values is None else float(values[bin_])


def _reference(img: torch.Tensor, ops: list[int], negative: list[bool], bin_: int
               ) -> torch.Tensor:
    """torchvision's RandAugment.forward for one image with the given draws."""
    names = list(TV._AUGMENTATION_SPACE)
    h, w = img.shape[-2:]
    for op, neg in zip(ops, negative, strict=True):
        name = names[op]
        m = _tv_magnitude(name, bin_, h, w)
        if TV._AUGMENTATION_SPACE[name][1] and neg:
            m = -m
        img = TV._apply_image_or_video_transform(img, name, m, interpolation=TV.interpolation,
                                                 fill=TV._fill)
    return img


def _images(n: int, c: int, h: int, w: int, seed: int = 0) -> torch.Tensor:
    """uint8 images of random value ranges (so that contrast and equalisation act), one
    of them constant."""
    g = torch.Generator().manual_seed(seed)
    lo = torch.randint(0, 120, (n, 1, 1, 1), generator=g)
    span = torch.randint(1, 136, (n, 1, 1, 1), generator=g)
    x = lo + (torch.rand(n, c, h, w, generator=g) * span).floor()
    x[0] = 77
    return x.clamp(0, 255).to(torch.uint8)


def test_the_op_table_is_torchvisions() -> None:
    assert list(R.OPS) == [(k, s) for k, (_, s) in TV._AUGMENTATION_SPACE.items()]
    for name, _ in R.OPS:
        for bin_ in (0, 9, 30):
            for h, w in ((32, 32), (48, 40)):
                assert R.magnitude(name, bin_, h, w) == _tv_magnitude(name, bin_, h, w)


@pytest.mark.parametrize(("c", "h", "w"), [(3, 32, 32), (1, 24, 20), (3, 48, 48)])
def test_every_op_and_sign_equals_torchvision_per_image(c: int, h: int, w: int) -> None:
    n = 2 * len(R.OPS)
    x = _images(n, c, h, w)
    ops = torch.arange(len(R.OPS)).repeat(2).view(1, n)
    negative = (torch.arange(n) >= len(R.OPS)).view(1, n)
    out = R.apply(x, ops, negative, 9)
    for i in range(n):
        ref = _reference(x[i], [int(ops[0, i])], [bool(negative[0, i])], 9)
        assert torch.equal(out[i], ref), (R.OPS[int(ops[0, i])], bool(negative[0, i]))


@pytest.mark.parametrize("bin_", [9, 30])
def test_drawn_op_sequences_equal_torchvision_per_image(bin_: int) -> None:
    x = _images(40, 3, 32, 32, seed=1)
    ops, negative = R.draw(len(x), 2, generator=torch.Generator().manual_seed(2))
    out = R.apply(x, ops, negative, bin_)
    for i in range(len(x)):
        ref = _reference(x[i], ops[:, i].tolist(), negative[:, i].tolist(), bin_)
        assert torch.equal(out[i], ref)
    assert not torch.equal(out, x)


def test_draws_are_uniform_over_ops_and_fair_in_sign() -> None:
    n = 28_000
    ops, negative = R.draw(n, 1, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(ops.flatten(), minlength=len(R.OPS)).double()
    expected = n / len(R.OPS)
    assert ((counts - expected).abs() < 5 * expected ** 0.5).all()
    assert abs(negative.double().mean().item() - 0.5) < 5 * (0.25 / n) ** 0.5


def test_strong_augment_is_rand_augment_of_the_uint8_images() -> None:
    x = _images(6, 3, 16, 16, seed=3).float().div(127.5).sub(1.0)
    torch.manual_seed(4)
    out = augment.strong_augment(x)
    torch.manual_seed(4)
    ref = R.rand_augment(((x + 1.0) * 127.5).round().to(torch.uint8))
    assert out.dtype == x.dtype and torch.equal(out, ref.float().div(127.5).sub(1.0))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="uint8"):
        R.rand_augment(torch.zeros(2, 3, 8, 8))
    with pytest.raises(ValueError, match="magnitude"):
        R.rand_augment(torch.zeros(2, 3, 8, 8, dtype=torch.uint8), magnitude_bin=31)
