"""The clustering network C of noroozi's slcGAN: ResNet18 with K logits (torch).

methods/nets/resnet_teacher.py's ResNet18 (the CIFAR layout: a 3x3 stem of 64 channels
without max pooling, four stages of two BasicBlocks of 64, 128, 256, 512 channels with
strides 1, 2, 2, 2, global average pooling, one linear layer; Xavier-uniform weights),
used for 32x32 and 64x64 inputs alike; ``resnet18-tiny`` keeps the layout with one block
per stage and widths 8..64 (CPU smoke runs). ``features(x)`` is the pooled output of the
last stage (512-d for ResNet18): the clustering features the linear probe and k-means
read. Spectral normalisation wraps every conv and the linear layer when ``use_sn`` (the
paper: "spectral normalization in both C and G").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from methods.nets.resnet_teacher import ResNetTeacher


class ClusteringResNet(ResNetTeacher):
    """x -> K logits; ``features(x)`` -> the penultimate (pooled) features."""

    def __init__(self, k: int, arch: str = "resnet18", channels: int = 3,
                 use_sn: bool = True) -> None:
        super().__init__(k, arch, channels)
        self.feature_dim = self.fc.in_features
        if use_sn:
            for module in list(self.modules()):
                for name, child in list(module.named_children()):
                    if isinstance(child, nn.Conv2d | nn.Linear):
                        setattr(module, name, spectral_norm(child))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Globally pooled output of the last stage: (N, feature_dim)."""
        return F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))
