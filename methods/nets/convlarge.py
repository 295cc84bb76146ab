"""The "ConvLarge" classifier of semi-supervised learning (torch).

The 13-layer CNN of Laine & Aila's temporal ensembling and Mean Teacher, which the
Triple-GAN reference code trains as its CIFAR-10 classifier: three stages of 3x3 convs
(128, 128, 128 | 256, 256, 256 | 512 valid, 256 1x1, 128 1x1), batch norm and leaky ReLU
(0.1), 2x2 max pooling and dropout 0.5 after the first two stages, global average
pooling, a linear layer. ``width`` scales every width (1 = the reference; smoke nets
use less). Larger images (64, 128 px) get one extra 2x2 max pooling per doubling before
the last stage, so the last stage always sees 8x8 maps.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _conv(cin: int, cout: int, k: int, pad: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, k, padding=pad), nn.BatchNorm2d(cout), nn.LeakyReLU(0.1)]


class ConvLarge(nn.Module):
    """C(x) -> class logits."""

    def __init__(self, num_classes: int, channels: int = 3, image_size: int = 32,
                 width: float = 1.0, dropout: float = 0.5) -> None:
        super().__init__()
        a, b, c = (max(4, round(w * width)) for w in (128, 256, 512))
        layers: list[nn.Module] = []
        layers += _conv(channels, a, 3, 1) + _conv(a, a, 3, 1) + _conv(a, a, 3, 1)
        layers += [nn.MaxPool2d(2), nn.Dropout(dropout)]
        layers += _conv(a, b, 3, 1) + _conv(b, b, 3, 1) + _conv(b, b, 3, 1)
        layers += [nn.MaxPool2d(2), nn.Dropout(dropout)]
        extra = max(0, int(math.log2(image_size // 32))) if image_size > 32 else 0
        layers += [nn.MaxPool2d(2) for _ in range(extra)]
        pad = 0 if image_size >= 32 else 1  # 16 px: keep the 4x4 map
        layers += _conv(b, c, 3, pad) + _conv(c, b, 1, 0) + _conv(b, a, 1, 0)
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(a, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x).mean(dim=(2, 3)))
