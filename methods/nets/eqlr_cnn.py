"""A small DCGAN-like generator and convolutional critic with equalized learning rate
(Karras et al. 2018), without normalisation layers (torch).

Generator ``G(z, c)``: ``[z, c]`` -> linear to ``4 x 4 x (width * 2^n)`` -> ``n`` stages of
(nearest 2x upsampling, 3x3 conv halving the channels, LeakyReLU 0.2) -> 3x3 conv to the
image channels -> tanh; ``image_size = 4 * 2^n``.

Critic (the D and the Q of VCAGAN, two separate instances): 3x3 conv to ``width``
channels -> ``n`` stages of (3x3 conv doubling the channels, LeakyReLU 0.2, 2x2 average
pooling) -> linear from ``4 x 4 x (width * 2^n)`` to ``outputs`` logits.

Every weight is drawn from N(0, 1) and scaled at run time by ``1 / sqrt(fan_in)``; biases
start at 0. No batch statistics are used anywhere, so every image's output depends on
that image only: the per-sample input-gradient penalties (R2, L_creg) and the reuse of
the R2 gradient for the generator's update rely on it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def stages(image_size: int) -> int:
    """``n`` with ``image_size = 4 * 2^n`` (n >= 1); ValueError otherwise."""
    n = int(round(math.log2(max(image_size, 1) / 4)))
    if n < 1 or 4 * 2**n != image_size:
        raise ValueError(f"image_size must be 4 * 2^n with n >= 1 (8, 16, 32, ...), got "
                         f"{image_size}")
    return n


class EqConv2d(nn.Module):
    """3x3 (or k x k) same-padding convolution with equalized learning rate."""

    def __init__(self, c_in: int, c_out: int, kernel: int = 3) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.scale = (c_in * kernel * kernel) ** -0.5
        self.pad = kernel // 2

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.pad)


class EqLinear(nn.Module):
    """Linear layer with equalized learning rate."""

    def __init__(self, d_in: int, d_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(d_out, d_in))
        self.bias = nn.Parameter(torch.zeros(d_out))
        self.scale = d_in**-0.5

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


class ConvGenerator(nn.Module):
    """``G(z, c)`` -> images ``(B, channels, size, size)`` in [-1, 1]."""

    def __init__(self, d_z: int, d_c: int, image_size: int, channels: int, width: int) -> None:
        super().__init__()
        self.n = stages(image_size)
        self.top = width * 2**self.n
        self.fc = EqLinear(d_z + d_c, self.top * 16)
        chans = [width * 2 ** (self.n - i) for i in range(self.n + 1)]
        self.convs = nn.ModuleList(EqConv2d(a, b) for a, b in zip(chans[:-1], chans[1:],
                                                                    strict=True))
        self.out = EqConv2d(width, channels)

    def forward(self, z: Tensor, c: Tensor) -> Tensor:
        h = F.leaky_relu(self.fc(torch.cat([z, c.to(z.dtype)], -1)), 0.2)
        h = h.view(len(z), self.top, 4, 4)
        for conv in self.convs:
            h = F.leaky_relu(conv(F.interpolate(h, scale_factor=2.0, mode="nearest")), 0.2)
        return torch.tanh(self.out(h))


class ConvCritic(nn.Module):
    """Images ``(B, channels, size, size)`` -> ``(B, outputs)`` logits."""

    def __init__(self, image_size: int, channels: int, width: int, outputs: int) -> None:
        super().__init__()
        n = stages(image_size)
        self.inp = EqConv2d(channels, width)
        chans = [width * 2**i for i in range(n + 1)]
        self.convs = nn.ModuleList(EqConv2d(a, b) for a, b in zip(chans[:-1], chans[1:],
                                                                    strict=True))
        self.fc = EqLinear(chans[-1] * 16, outputs)

    def forward(self, x: Tensor) -> Tensor:
        h = F.leaky_relu(self.inp(x), 0.2)
        for conv in self.convs:
            h = F.avg_pool2d(F.leaky_relu(conv(h), 0.2), 2)
        return self.fc(h.flatten(1))
