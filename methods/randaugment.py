"""RandAugment (Cubuk et al., 2020) over a batch of uint8 images on their own device.

The augmentation space, magnitudes and sampling are torchvision.transforms.v2.RandAugment's
(14 ops, 31 magnitude bins, nearest interpolation, zero fill): for each image and each of
``num_ops`` slots, an op is drawn uniformly and a signed op's magnitude is negated with
probability 1/2. Here the draws are tensors on the images' device and every op runs on the
whole batch at once, so a step needs no host reads and no per-image Python loop:

- the geometric ops (shears, translations, rotation) with nearest interpolation pick a
  source pixel (or the zero fill) for each output pixel; their index maps are computed
  once per image size with torchvision's own ``affine`` / ``rotate`` on an image of pixel
  numbers, and one ``gather`` applies each image's map;
- the colour ops run torchvision's batched kernels (sharpness: the same arithmetic with
  its kernel kept on the device) once per sign on the batch; each image then takes the
  result of the op it drew.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F
from torchvision.transforms.v2 import InterpolationMode
from torchvision.transforms.v2 import functional as TF

NUM_BINS = 31
OPS: tuple[tuple[str, bool], ...] = (  # (name, signed), torchvision's order
    ("Identity", False), ("ShearX", True), ("ShearY", True), ("TranslateX", True),
    ("TranslateY", True), ("Rotate", True), ("Brightness", True), ("Color", True),
    ("Contrast", True), ("Sharpness", True), ("Posterize", False), ("Solarize", False),
    ("AutoContrast", False), ("Equalize", False))
GEOMETRIC = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate")
_NEAREST = InterpolationMode.NEAREST


def magnitude(name: str, bin_: int, h: int, w: int) -> float:
    """The magnitude of op ``name`` at bin ``bin_`` of 31 for h x w images (0 if none)."""
    spans = {"ShearX": 0.3, "ShearY": 0.3, "TranslateX": 150.0 / 331.0 * w,
             "TranslateY": 150.0 / 331.0 * h, "Rotate": 30.0, "Brightness": 0.9,
             "Color": 0.9, "Contrast": 0.9, "Sharpness": 0.9}
    if name in spans:
        return float(torch.linspace(0.0, spans[name], NUM_BINS)[bin_])
    if name == "Posterize":
        bits = (8 - (torch.arange(NUM_BINS) / ((NUM_BINS - 1) / 4))).round().int()
        return float(bits[bin_])
    if name == "Solarize":
        return float(torch.linspace(1.0, 0.0, NUM_BINS)[bin_])
    return 0.0


@lru_cache(maxsize=16)
def _blur_kernel(channels: int, device: torch.device) -> torch.Tensor:
    """The 3x3 smoothing kernel of PIL's (and torchvision's) sharpness, per channel; made
    once per device, so that a step copies nothing from the host."""
    a, b = 1.0 / 13.0, 5.0 / 13.0
    k = torch.tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=torch.float32)
    return k.expand(channels, 1, 3, 3).to(device)


def adjust_sharpness(img: torch.Tensor, factor: float) -> torch.Tensor:
    """torchvision's ``adjust_sharpness`` on uint8 images (N, C, H, W): the image blended
    with its rounded 3x3 smoothing (inner pixels; the border is kept) by ``factor``."""
    n, c, h, w = img.shape
    if h <= 2 or w <= 2:
        return img
    out = img.to(torch.float32)
    smooth = F.conv2d(out, _blur_kernel(c, img.device), groups=c).round_()
    inner = out[..., 1:-1, 1:-1]
    inner.add_(smooth.sub_(inner), alpha=1.0 - factor)
    return out.clamp_(0, 255).to(torch.uint8)


def apply_op(img: torch.Tensor, name: str, mag: float) -> torch.Tensor:
    """Op ``name`` with the (signed) magnitude ``mag`` on images (N, C, H, W) (uint8; the
    geometric ops take floats too), as torchvision's RandAugment applies it to each."""
    if name == "Identity":
        return img
    if name in ("ShearX", "ShearY"):
        deg = math.degrees(math.atan(mag))
        shear = [deg, 0.0] if name == "ShearX" else [0.0, deg]
        return TF.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=shear,
                         interpolation=_NEAREST, fill=None, center=[0, 0])
    if name in ("TranslateX", "TranslateY"):
        shift = [int(mag), 0] if name == "TranslateX" else [0, int(mag)]
        return TF.affine(img, angle=0.0, translate=shift, scale=1.0, shear=[0.0, 0.0],
                         interpolation=_NEAREST, fill=None)
    if name == "Rotate":
        return TF.rotate(img, angle=mag, interpolation=_NEAREST, fill=None)
    colour = {"Brightness": TF.adjust_brightness, "Color": TF.adjust_saturation,
              "Contrast": TF.adjust_contrast, "Sharpness": adjust_sharpness}
    if name in colour:
        return colour[name](img, 1.0 + mag)
    if name == "Posterize":
        return TF.posterize(img, bits=int(mag))
    if name == "Solarize":
        return TF.solarize(img, threshold=255.0 * mag)
    if name == "AutoContrast":
        return TF.autocontrast(img)
    if name == "Equalize":
        return TF.equalize(img)
    raise ValueError(f"unknown RandAugment op {name!r}")


def _variants(bin_: int, h: int, w: int) -> list[tuple[str, float]]:
    """Every (op, magnitude) pair: both signs of a signed op, one of the others."""
    out = []
    for name, signed in OPS:
        m = magnitude(name, bin_, h, w)
        out += [(name, m), (name, -m)] if signed else [(name, m)]
    return out


@lru_cache(maxsize=16)
def _tables(bin_: int, h: int, w: int, device: torch.device
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, tuple[tuple[str, float], ...]]:
    """For h x w images at magnitude bin ``bin_``: the geometric index maps (G, h*w) (1 +
    source pixel, 0 = the fill; map 0 = identity), the map of each (op, negative) (14, 2),
    the candidate of each (op, negative) (14, 2) (0: the image, 1: its geometric result,
    2 + i: the i-th colour variant), and the colour variants (op, magnitude)."""
    pixels = torch.arange(1, h * w + 1, dtype=torch.float32).view(1, 1, h, w)
    maps = [pixels.flatten()]
    colours: list[tuple[str, float]] = []
    geo = torch.zeros(len(OPS), 2, dtype=torch.long)
    slot = torch.zeros(len(OPS), 2, dtype=torch.long)
    for op, (name, signed) in enumerate(OPS):
        m = magnitude(name, bin_, h, w)
        for neg in (0, 1):
            mag = -m if signed and neg else m
            if name in GEOMETRIC:
                geo[op, neg], slot[op, neg] = len(maps), 1
                maps.append(apply_op(pixels, name, mag).round().flatten())
            elif name != "Identity":
                if (name, mag) not in colours:
                    colours.append((name, mag))
                slot[op, neg] = 2 + colours.index((name, mag))
    return (torch.stack(maps).long().to(device), geo.to(device), slot.to(device),
            tuple(colours))


def draw(n: int, num_ops: int, device: torch.device | str = "cpu",
         generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image and slot: the op (num_ops, n), uniform over :data:`OPS`, and whether a
    signed op's magnitude is negated (num_ops, n), with probability 1/2."""
    ops = torch.randint(len(OPS), (num_ops, n), device=device, generator=generator)
    negative = torch.rand(num_ops, n, device=device, generator=generator) <= 0.5
    return ops, negative


def apply(img: torch.Tensor, ops: torch.Tensor, negative: torch.Tensor, bin_: int = 9
          ) -> torch.Tensor:
    """Apply the drawn ops (slot by slot) to uint8 images (N, C, H, W)."""
    n, c, h, w = img.shape
    maps, geo, slot, colours = _tables(bin_, h, w, img.device)
    rows = torch.arange(n, device=img.device)
    for op, neg in zip(ops, negative.long(), strict=True):
        flat = F.pad(img.flatten(2), (1, 0))  # index 0: the zero fill
        idx = maps[geo[op, neg]].unsqueeze(1).expand(n, c, h * w)
        moved = flat.gather(2, idx).view(n, c, h, w)
        candidates = torch.stack([img, moved, *(apply_op(img, nm, m) for nm, m in colours)])
        img = candidates[slot[op, neg], rows]
    return img


def rand_augment(img: torch.Tensor, num_ops: int = 2, magnitude_bin: int = 9,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """RandAugment of uint8 images (N, C, H, W) on their device (torch's global generator
    of that device unless ``generator`` is given)."""
    if img.dtype != torch.uint8 or img.dim() != 4:
        raise ValueError(f"RandAugment takes uint8 images (N, C, H, W), got {img.dtype} "
                         f"{tuple(img.shape)}")
    if not 0 <= magnitude_bin < NUM_BINS:
        raise ValueError(f"magnitude must be in 0..{NUM_BINS - 1}, got {magnitude_bin}")
    ops, negative = draw(len(img), num_ops, img.device, generator)
    return apply(img, ops, negative, magnitude_bin)
