"""Classifier architectures for the AM Score: a small CNN (smoke) and DenseNet-BC (paper)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class SmallCNN(nn.Module):
    """Smoke-scale classifier: 3 conv blocks (32-64-128) + global average pool + linear."""

    def __init__(self, num_classes: int, in_channels: int = 3, width: int = 32) -> None:
        super().__init__()
        chans = [in_channels, width, 2 * width, 4 * width]
        layers: list[nn.Module] = []
        for cin, cout in zip(chans[:-1], chans[1:], strict=True):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                       nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(chans[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x).mean(dim=(2, 3)))


class _Bottleneck(nn.Module):
    def __init__(self, cin: int, growth: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, 4 * growth, 1, bias=False),
            nn.BatchNorm2d(4 * growth), nn.ReLU(),
            nn.Conv2d(4 * growth, growth, 3, padding=1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.net(x)], dim=1)


class _Transition(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, cout, 1, bias=False),
                         nn.AvgPool2d(2))


class DenseNetBC(nn.Module):
    """DenseNet-BC for 32x32 inputs (Huang et al. 2017): 3 dense blocks of (depth-4)/6
    bottleneck layers, growth k, compression 0.5, first conv 2k channels. AM-GAN's
    classifier is depth 40, growth 40."""

    def __init__(self, num_classes: int, depth: int = 40, growth: int = 40,
                 compression: float = 0.5, in_channels: int = 3) -> None:
        super().__init__()
        if (depth - 4) % 6:
            raise ValueError(f"DenseNet-BC depth must be 6n + 4, got {depth}")
        n = (depth - 4) // 6
        c = 2 * growth
        layers: list[nn.Module] = [nn.Conv2d(in_channels, c, 3, padding=1, bias=False)]
        for block in range(3):
            for _ in range(n):
                layers.append(_Bottleneck(c, growth))
                c += growth
            if block < 2:
                cout = int(c * compression)
                layers.append(_Transition(c, cout))
                c = cout
        layers += [nn.BatchNorm2d(c), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(c, num_classes)
        self.n_layers_per_block = n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x).mean(dim=(2, 3)))


ARCHS: dict[str, Any] = {
    "small-cnn": SmallCNN,
    "densenet-bc-40-40": lambda num_classes, **kw: DenseNetBC(num_classes, 40, 40, **kw),
}


def build_classifier(arch: str, num_classes: int, **kwargs: Any) -> nn.Module:
    """A classifier by name: ``"small-cnn"`` or ``"densenet-bc-40-40"``."""
    if arch not in ARCHS:
        raise ValueError(f"unknown classifier {arch!r}; known: {sorted(ARCHS)}")
    return ARCHS[arch](num_classes, **kwargs)
