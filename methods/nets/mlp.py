"""Multi-layer perceptrons for 2-D toy GANs: generator, conditional discriminator, classifier.

All three use LeakyReLU(0.2) hidden layers of equal width. Class labels enter as one-hot
vectors concatenated to the input (generator: to the noise; discriminator: to the point).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def mlp(in_dim: int, hidden: int, depth: int, out_dim: int | None) -> nn.Sequential:
    """``depth`` Linear+LeakyReLU layers of width ``hidden``, then an optional Linear head."""
    layers: list[nn.Module] = []
    dim = in_dim
    for _ in range(depth):
        layers += [nn.Linear(dim, hidden), nn.LeakyReLU(0.2)]
        dim = hidden
    if out_dim is not None:
        layers.append(nn.Linear(dim, out_dim))
    return nn.Sequential(*layers)


class Generator(nn.Module):
    """G(z, y): noise and one-hot label to a point in ``out_dim`` dimensions."""

    def __init__(self, z_dim: int, n_classes: int, hidden: int, depth: int, out_dim: int = 2):
        super().__init__()
        self.z_dim = z_dim
        self.n_classes = n_classes
        self.net = mlp(z_dim + n_classes, hidden, depth, out_dim)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Points for noise ``z`` (B x z_dim) and integer labels ``y`` (B,)."""
        return self.net(torch.cat([z, F.one_hot(y, self.n_classes).to(z.dtype)], dim=1))


class Discriminator(nn.Module):
    """D(x, y): a real/fake logit for a (point, label) pair, plus its penultimate features."""

    def __init__(self, n_classes: int, hidden: int, depth: int, in_dim: int = 2):
        super().__init__()
        self.n_classes = n_classes
        self.body = mlp(in_dim + n_classes, hidden, depth, None)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logit (B,), features (B x hidden))`` for points ``x`` and labels ``y``."""
        feats = self.body(torch.cat([x, F.one_hot(y, self.n_classes).to(x.dtype)], dim=1))
        return self.head(feats).squeeze(1), feats


class Classifier(nn.Module):
    """C(x): class logits of a point."""

    def __init__(self, n_classes: int, hidden: int, depth: int, in_dim: int = 2):
        super().__init__()
        self.net = mlp(in_dim, hidden, depth, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (B x n_classes)."""
        return self.net(x)
