"""Image augmentations of the image GAN methods (torch): DiffAugment, weak / strong
augmentation of a teacher classifier, and CutMix masks of the U-Net consistency loss.

Images are float tensors (N, C, H, W) in [-1, 1]. Every random draw uses torch's global
generator of the images' device (checkpointed by the engine) unless a ``generator`` is
given, so that nothing waits for a copy from the host.

- :func:`diff_augment`: DiffAugment (Zhao et al., 2020a) with the official code's
  ``translation`` (shift by up to 1/8 of the size, zero fill) and ``cutout`` (a zeroed
  square of half the size); differentiable, applied to real and fake inputs of D.
- :func:`weak_augment`: the teacher's weak augmentation alpha (watanabe section 3.3):
  random horizontal flip and a random shift of -4..4 px in x and y (reflect padding, as
  FixMatch's pad-and-crop).
- :func:`strong_augment`: the teacher's strong augmentation A: RandAugment (Cubuk et al.,
  2020) as ``torchvision.transforms.v2`` defines it (2 ops, magnitude 9, torchvision's
  defaults), drawn per image on uint8 tensors and run over the batch
  (methods/randaugment.py).
- :func:`cutmix_mask` / :func:`cutmix`: the U-Net GAN CutMix (Schonfeld et al., 2020): a
  box of area ratio 1 - lambda, lambda ~ Beta(1, 1) = U(0, 1), mask 1 = the first image
  (real) and 0 = the second (fake), inverted with probability 1/2.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from methods.randaugment import rand_augment


def _grid(n: int, h: int, w: int, device: torch.device) -> tuple[torch.Tensor, ...]:
    return torch.meshgrid(torch.arange(n, device=device), torch.arange(h, device=device),
                          torch.arange(w, device=device), indexing="ij")


def rand_translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """DiffAugment's translation: shift each image by up to ``ratio`` of its size."""
    n, _, h, w = x.shape
    sx, sy = int(h * ratio + 0.5), int(w * ratio + 0.5)
    tx = torch.randint(-sx, sx + 1, size=[n, 1, 1], device=x.device)
    ty = torch.randint(-sy, sy + 1, size=[n, 1, 1], device=x.device)
    gb, gx, gy = _grid(n, h, w, x.device)
    gx = torch.clamp(gx + tx + 1, 0, h + 1)
    gy = torch.clamp(gy + ty + 1, 0, w + 1)
    x_pad = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
    return x_pad.permute(0, 2, 3, 1).contiguous()[gb, gx, gy].permute(0, 3, 1, 2)


def rand_cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """DiffAugment's cutout: zero a square of ``ratio`` of the size at a random place."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ox = torch.randint(0, h + (1 - ch % 2), size=[n, 1, 1], device=x.device)
    oy = torch.randint(0, w + (1 - cw % 2), size=[n, 1, 1], device=x.device)
    gb, gx, gy = _grid(n, ch, cw, x.device)
    gx = torch.clamp(gx + ox - ch // 2, min=0, max=h - 1)
    gy = torch.clamp(gy + oy - cw // 2, min=0, max=w - 1)
    mask = torch.ones(n, h, w, dtype=x.dtype, device=x.device)
    mask[gb, gx, gy] = 0
    return x * mask.unsqueeze(1)


_POLICY = {"translation": rand_translation, "cutout": rand_cutout}


def diff_augment(x: torch.Tensor, policy: str = "translation,cutout") -> torch.Tensor:
    """Apply the comma-separated DiffAugment ``policy`` ("" = identity)."""
    for name in filter(None, (p.strip() for p in policy.split(","))):
        if name not in _POLICY:
            raise ValueError(f"unknown DiffAugment op {name!r}; known: {sorted(_POLICY)}")
        x = _POLICY[name](x)
    return x


def shift_images(x: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor, pad: int
                 ) -> torch.Tensor:
    """Shift image i by (dx[i], dy[i]) pixels (|d| <= pad), reflect-padded."""
    n, _, h, w = x.shape
    x_pad = F.pad(x, [pad, pad, pad, pad], mode="reflect")
    gb, gi, gj = _grid(n, h, w, x.device)
    gi = gi + pad - dy.view(n, 1, 1)
    gj = gj + pad - dx.view(n, 1, 1)
    return x_pad.permute(0, 2, 3, 1)[gb, gi, gj].permute(0, 3, 1, 2).contiguous()


def weak_augment(x: torch.Tensor, max_shift: int = 4,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """Random horizontal flip (p = 1/2) and a shift of -max_shift..max_shift px."""
    n = len(x)
    dev = x.device if generator is None else generator.device
    flip = torch.rand(n, generator=generator, device=dev).to(x.device) < 0.5
    x = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x)
    if max_shift <= 0:
        return x
    dx, dy = (torch.randint(-max_shift, max_shift + 1, (n,), generator=generator,
                            device=dev).to(x.device) for _ in range(2))
    return shift_images(x, dx, dy, max_shift)


def strong_augment(x: torch.Tensor, num_ops: int = 2, magnitude: int = 9) -> torch.Tensor:
    """RandAugment of each image (methods/randaugment.py: torchvision's augmentation space
    on uint8 values, drawn per image, run over the batch on its device)."""
    u8 = ((x.detach() + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
    out = rand_augment(u8, num_ops, magnitude)
    return out.to(x.dtype).div(127.5).sub(1.0)


def cutmix_mask(n: int, h: int, w: int, device: torch.device | str = "cpu",
                generator: torch.Generator | None = None) -> torch.Tensor:
    """(n, 1, h, w) CutMix masks: 1 keeps the first image, 0 takes the second."""
    dev = torch.device(device) if generator is None else generator.device
    lam = torch.rand(n, generator=generator, device=dev)
    cut = torch.sqrt(1.0 - lam)
    bh, bw = (cut * h).long(), (cut * w).long()
    cy = torch.randint(0, h, (n,), generator=generator, device=dev)
    cx = torch.randint(0, w, (n,), generator=generator, device=dev)
    invert = torch.rand(n, generator=generator, device=dev) < 0.5
    ii = torch.arange(h, device=dev).view(1, h, 1)
    jj = torch.arange(w, device=dev).view(1, 1, w)
    y0, y1 = (cy - bh // 2).clamp(0, h).view(n, 1, 1), (cy + bh // 2).clamp(0, h).view(n, 1, 1)
    x0, x1 = (cx - bw // 2).clamp(0, w).view(n, 1, 1), (cx + bw // 2).clamp(0, w).view(n, 1, 1)
    box = (ii >= y0) & (ii < y1) & (jj >= x0) & (jj < x1)
    mask = (~box).float()
    mask = torch.where(invert.view(n, 1, 1), 1.0 - mask, mask)
    return mask.unsqueeze(1).to(device)


def cutmix(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``mask * a + (1 - mask) * b``."""
    return mask * a + (1.0 - mask) * b
