"""The teacher classifier of watanabe: ResNet18 with a head of K outputs (torch).

The CIFAR variant of ResNet18 (He et al., 2016, as used by FixMatch and most 32x32
work): a 3x3 stem conv of 64 channels (no max pool), four stages of two BasicBlocks
(64, 128, 256, 512 channels, strides 1, 2, 2, 2), global average pooling and a linear
layer of K outputs. ``resnet18-tiny`` keeps the layout with one block per stage and
widths 8, 16, 32, 64 (for CPU smoke runs). Conv and linear weights are Xavier-uniform
initialised (section 3.3: every network), batch-norm gains 1 and biases 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ARCHS: dict[str, tuple[int, tuple[int, ...]]] = {
    "resnet18": (64, (2, 2, 2, 2)),
    "resnet18-tiny": (8, (1, 1, 1, 1)),
}


class BasicBlock(nn.Module):
    """conv3-BN-ReLU-conv3-BN + (1x1 conv-BN) shortcut, ReLU."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + self.shortcut(x))


class ResNetTeacher(nn.Module):
    """ResNet18 (or its tiny variant) with ``num_classes`` outputs (logits)."""

    def __init__(self, num_classes: int, arch: str = "resnet18", channels: int = 3) -> None:
        super().__init__()
        if arch not in ARCHS:
            raise ValueError(f"teacher arch must be one of {sorted(ARCHS)}, got {arch!r}")
        width, blocks = ARCHS[arch]
        self.stem = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(width), nn.ReLU())
        layers, cin = [], width
        for stage, n in enumerate(blocks):
            cout = width * 2**stage
            for i in range(n):
                layers.append(BasicBlock(cin, cout, 2 if (i == 0 and stage > 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d | nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.layers(self.stem(x))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))
