"""BigGAN-style generator and mask-embedded discriminator of MED-GAN (liu) (torch).

Stage widths follow BigGAN-PyTorch's ``G_arch`` / ``D_arch`` for 32, 64 and 128 pixels
(multiples of the base width ``ch``; 16 pixels is a reduced arch[32] for smoke runs):

- G: z -> SN-linear -> (w_0, 4, 4) -> one up-block per doubling (methods/nets/biggan.py's
  :class:`GBlock`, class-conditional batch norm) -> BN-ReLU-conv3 -> tanh.
- D: pre-activation residual blocks (biggan.py's :class:`DBlock`); the output of the last
  block is D_f(x). The mask embedding (Eq. 2) weights it, D^_f = D_f + A_mask(m) * D_f;
  D_g(x) = global sum pool of ReLU(D^_f); the label embedding (Eq. 3) weights that,
  D^_g = D_g + A_label(y) * D_g; an SN-linear layer makes the decision (one logit).

A_mask: the binary mask, area-pooled to D_f's grid, then conv3x3 -> ReLU -> conv1x1 to
D_f's channels, all without bias, so an all-zero mask (lambda = 1) gives A_mask = 0 and
D^_f = D_f: the plain D. A_label: one embedding vector per class, initialised to zero
(at initialisation D^_g = D_g; ``w . (e_y * D_g)`` is a projection term <w * e_y, D_g>).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from methods.nets.biggan import DBlock, GBlock, sn, sn_conv

# size -> (G widths from the 4x4 input to the last up-block, D widths, D downsampling)
ARCH: dict[int, tuple[tuple[int, ...], tuple[int, ...], tuple[bool, ...]]] = {
    16: ((4, 4, 4), (4, 4, 4), (True, True, False)),
    32: ((4, 4, 4, 4), (4, 4, 4, 4), (True, True, False, False)),
    64: ((16, 16, 8, 4, 2), (1, 2, 4, 8, 16), (True, True, True, True, False)),
    128: ((16, 16, 8, 4, 2, 1), (1, 2, 4, 8, 16, 16), (True,) * 5 + (False,)),
}


def check_size(image_size: int) -> None:
    """Only the sizes of :data:`ARCH`."""
    if image_size not in ARCH:
        raise ValueError(f"image_size must be one of {sorted(ARCH)}, got {image_size}")


class Generator(nn.Module):
    """G(z, y) -> images in [-1, 1] (class-conditional batch norm in every up-block)."""

    def __init__(self, z_dim: int, num_classes: int, ch: int, image_size: int,
                 channels: int = 3) -> None:
        super().__init__()
        check_size(image_size)
        widths = [ch * m for m in ARCH[image_size][0]]
        self.z_dim, self.w0 = z_dim, widths[0]
        self.linear = sn(nn.Linear(z_dim, widths[0] * 16))
        self.blocks = nn.ModuleList(GBlock(a, b, num_classes)
                                    for a, b in zip(widths[:-1], widths[1:], strict=True))
        self.bn_out = nn.BatchNorm2d(widths[-1])
        self.conv_out = sn_conv(widths[-1], channels)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.linear(z).view(len(z), self.w0, 4, 4)
        for block in self.blocks:
            h = block(h, y)
        return torch.tanh(self.conv_out(F.relu(self.bn_out(h))))


class MaskEmbedding(nn.Module):
    """A_mask: a binary mask (n, 1, H, W) -> weight maps (n, C, h, w), zero for m = 0."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = sn(nn.Conv2d(1, channels, 3, padding=1, bias=False))
        self.conv2 = sn(nn.Conv2d(channels, channels, 1, bias=False))

    def forward(self, m: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        area = F.adaptive_avg_pool2d(m, size)  # share of each cell inside the box
        return self.conv2(F.relu(self.conv1(area)))


class MaskEmbeddedD(nn.Module):
    """D(x, m, y) with D_f, A_mask (``mask_embedding``), D_g and A_label (Eqs. 2-3)."""

    def __init__(self, num_classes: int, ch: int, image_size: int, channels: int = 3,
                 mask_embedding: bool = True) -> None:
        super().__init__()
        check_size(image_size)
        _, mults, downs = ARCH[image_size]
        widths = [ch * m for m in mults]
        cins = [channels, *widths[:-1]]
        self.blocks = nn.ModuleList(DBlock(a, b, down, first=i == 0) for i, (a, b, down)
                                    in enumerate(zip(cins, widths, downs, strict=True)))
        self.a_mask = MaskEmbedding(widths[-1]) if mask_embedding else None
        self.a_label = nn.Embedding(num_classes, widths[-1])
        nn.init.zeros_(self.a_label.weight)
        self.linear = sn(nn.Linear(widths[-1], 1))

    def features(self, x: torch.Tensor, m: torch.Tensor | None = None) -> torch.Tensor:
        """D^_f(x, m) (Eq. 2); D_f(x) without a mask embedding or when ``m`` is None."""
        h = x
        for block in self.blocks:
            h = block(h)
        if self.a_mask is None or m is None:
            return h
        return h + self.a_mask(m, (h.shape[2], h.shape[3])) * h

    def decide(self, f: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The logit of D from D^_f and the label: D^_g = D_g + A_label(y) * D_g (Eq. 3)."""
        g = F.relu(f).sum(dim=(2, 3))
        return self.linear(g + self.a_label(y) * g).squeeze(1)

    def forward(self, x: torch.Tensor, m: torch.Tensor | None, y: torch.Tensor
                ) -> torch.Tensor:
        return self.decide(self.features(x, m), y)
