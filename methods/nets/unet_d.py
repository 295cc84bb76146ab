"""The two-headed U-Net discriminator of watanabe (section 3.3) on the BigGAN D (torch).

- Encoder: methods/nets/biggan.py's :class:`DEncoder` (4 pre-activation residual blocks).
- Conditional head D^C: ReLU, global sum pooling, a spectrally normalised fully connected
  layer of ``2K`` outputs (real classes 0..K-1, fake classes K..2K-1) for the multi-class
  hinge loss (Eq. 11). ``num_classes = 0`` drops it (the unconditional BigGAN).
- Unconditional head D^U: a U-Net decoder (Schonfeld et al., 2020) with one output per
  pixel (W x H, the training image size). There is no 32x32 U-Net D upstream
  (REFERENCES.md); ours mirrors the encoder: starting from the last encoder feature map,
  one up-block per downsampling of the encoder (ReLU-up2-conv3-ReLU-conv3 + up2-conv1
  shortcut, no batch norm), each followed by concatenation with the last encoder feature
  map of the new resolution (a U-Net skip) when there is one, then ReLU and a 1x1 conv to
  one channel. 32x32: 8 -> 16 (+ skip of block 1) -> 32; 48x48: 6 -> 12 (+ block 2) ->
  24 (+ block 1) -> 48.

Every conv / linear layer is spectrally normalised and Xavier-uniform initialised.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from methods.nets.biggan import DEncoder, sn, sn_conv


class UpBlock(nn.Module):
    """Decoder block: ReLU-up2-conv3-ReLU-conv3 + up2-conv1 shortcut."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = sn_conv(cin, cout), sn_conv(cout, cout)
        self.sc = sn_conv(cin, cout, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(x), scale_factor=2.0, mode="nearest")
        h = self.conv2(F.relu(self.conv1(h)))
        return h + self.sc(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class UNetDiscriminator(nn.Module):
    """D(x) -> (class logits (B, 2K) or None, per-pixel logits (B, 1, H, W))."""

    def __init__(self, num_classes: int = 10, ch: int = 256, image_size: int = 32,
                 channels: int = 3) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.encoder = DEncoder(ch, image_size, channels)
        self.cond_head = sn(nn.Linear(ch, 2 * num_classes)) if num_classes > 0 else None
        downs = self.encoder.downs
        # resolution after each encoder block, and which blocks feed a skip connection
        res, sizes = image_size, []
        for down in downs:
            res = res // 2 if down else res
            sizes.append(res)
        self.skip_of: list[int | None] = []  # per decoder block: encoder block index or None
        up_blocks, cin, res = [], ch, sizes[-1]
        for _ in range(sum(downs)):
            res *= 2
            up_blocks.append(UpBlock(cin, ch))
            last = [i for i, s in enumerate(sizes) if s == res]
            self.skip_of.append(last[-1] if last else None)
            cin = 2 * ch if last else ch
        self.up_blocks = nn.ModuleList(up_blocks)
        self.out = sn_conv(cin, 1, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor]:
        feats = self.encoder(x)
        h = feats[-1]
        cond = None
        if self.cond_head is not None:
            cond = self.cond_head(F.relu(h).sum(dim=(2, 3)))
        d = h
        for block, skip in zip(self.up_blocks, self.skip_of, strict=True):
            d = block(d)
            if skip is not None:
                d = torch.cat([d, feats[skip]], dim=1)
        return cond, self.out(F.relu(d))
