"""BigGAN generator and discriminator for 32x32 and 48x48 images (torch).

Follows BigGAN-PyTorch's CIFAR architecture (``arch[32]``, the one the DiffAugment
BigGAN-CIFAR code trains; REFERENCES.md): every block has ``ch`` channels (256 there).

Generator: z -> SN-linear -> (ch, s, s), s = image_size / 8 (4 for 32x32, 6 for 48x48)
-> 3 up-blocks (BN-ReLU-up2-conv3-BN-ReLU-conv3, shortcut up2-conv1) -> BN-ReLU-conv3
-> tanh. Batch norms inside the blocks are conditional on the label when
``num_classes > 0`` (gain ``1 + E_g[y]``, bias ``E_b[y]``, per-class embeddings
initialised to 0, i.e. BigGAN's class-conditional BN with a one-hot input); with
``num_classes = 0`` they are plain affine batch norms (the unconditional BigGAN).

Discriminator encoder (:class:`DEncoder`): pre-activation residual blocks
(ReLU-conv3-ReLU-conv3[-avgpool2], shortcut conv1[-avgpool2]; the first block without
the leading ReLU and with the shortcut pooled after its conv, as BigGAN), downsampling
in blocks ``(1, 2)`` for 32x32 (32 -> 16 -> 8 -> 8 -> 8, BigGAN's ``arch[32]``) and
``(1, 2, 3)`` for 48x48 (48 -> 24 -> 12 -> 6 -> 6, ours: BigGAN has no 48x48 arch).
:class:`BigGANDiscriminator` adds ReLU, global sum pooling and an SN-linear head of
``n_out`` outputs (the projection-free BigGAN D); methods/nets/unet_d.py builds the
two-headed U-Net D on the same encoder.

Every conv and linear layer is spectrally normalised (torch's parametrisation, 1 power
iteration per forward) and Xavier-uniform initialised (the watanabe paper, section 3.3),
biases zero.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

SIZES = (32, 48)


def sn(layer: nn.Module) -> nn.Module:
    """Xavier-uniform init (bias 0), then spectral normalisation."""
    nn.init.xavier_uniform_(layer.weight)
    if getattr(layer, "bias", None) is not None:
        nn.init.zeros_(layer.bias)
    return spectral_norm(layer)


def sn_conv(cin: int, cout: int, k: int = 3) -> nn.Module:
    """A spectrally normalised ``k x k`` convolution with 'same' padding."""
    return sn(nn.Conv2d(cin, cout, k, padding=k // 2))


def check_size(image_size: int) -> None:
    """Only 32x32 and 48x48 are supported."""
    if image_size not in SIZES:
        raise ValueError(f"image_size must be one of {SIZES}, got {image_size}")


class CondBatchNorm(nn.Module):
    """Batch norm whose gain and bias depend on the class (plain BN when ``k == 0``)."""

    def __init__(self, channels: int, k: int) -> None:
        super().__init__()
        self.k = k
        self.bn = nn.BatchNorm2d(channels, affine=k == 0)
        if k > 0:
            self.gain = nn.Embedding(k, channels)
            self.bias = nn.Embedding(k, channels)
            nn.init.zeros_(self.gain.weight)
            nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        out = self.bn(x)
        if self.k == 0:
            return out
        if y is None:
            raise ValueError("a class-conditional batch norm needs labels")
        g = 1.0 + self.gain(y)[:, :, None, None]
        return out * g + self.bias(y)[:, :, None, None]


class GBlock(nn.Module):
    """BigGAN's up-block: CBN-ReLU-up2-conv3-CBN-ReLU-conv3 + up2-conv1 shortcut."""

    def __init__(self, cin: int, cout: int, k: int) -> None:
        super().__init__()
        self.bn1, self.bn2 = CondBatchNorm(cin, k), CondBatchNorm(cout, k)
        self.conv1, self.conv2 = sn_conv(cin, cout), sn_conv(cout, cout)
        self.sc = sn_conv(cin, cout, 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, y)), scale_factor=2.0, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h), y)))
        return h + self.sc(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class BigGANGenerator(nn.Module):
    """G(z, y) -> images in [-1, 1]; ``num_classes = 0`` for an unconditional G."""

    def __init__(self, z_dim: int = 128, num_classes: int = 10, ch: int = 256,
                 image_size: int = 32, channels: int = 3) -> None:
        super().__init__()
        check_size(image_size)
        self.z_dim, self.num_classes, self.ch = z_dim, num_classes, ch
        self.bottom = image_size // 8
        self.linear = sn(nn.Linear(z_dim, ch * self.bottom * self.bottom))
        self.blocks = nn.ModuleList(GBlock(ch, ch, num_classes) for _ in range(3))
        self.bn_out = nn.BatchNorm2d(ch)
        self.conv_out = sn_conv(ch, channels)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.linear(z).view(len(z), self.ch, self.bottom, self.bottom)
        for block in self.blocks:
            h = block(h, y if self.num_classes > 0 else None)
        return torch.tanh(self.conv_out(F.relu(self.bn_out(h))))


class DBlock(nn.Module):
    """BigGAN's pre-activation D block (optionally downsampling by 2x2 average pooling)."""

    def __init__(self, cin: int, cout: int, down: bool, first: bool) -> None:
        super().__init__()
        self.down, self.first = down, first
        self.conv1, self.conv2 = sn_conv(cin, cout), sn_conv(cout, cout)
        self.sc = sn_conv(cin, cout, 1) if (cin != cout or down) else None

    def _shortcut(self, x: torch.Tensor) -> torch.Tensor:
        if self.first:  # BigGAN: conv then pool for the first block
            x = self.sc(x) if self.sc is not None else x
            return F.avg_pool2d(x, 2) if self.down else x
        x = F.avg_pool2d(x, 2) if self.down else x
        return self.sc(x) if self.sc is not None else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else F.relu(x)
        h = self.conv2(F.relu(self.conv1(h)))
        if self.down:
            h = F.avg_pool2d(h, 2)
        return h + self._shortcut(x)


def down_pattern(image_size: int) -> tuple[bool, ...]:
    """Which of the 4 D blocks downsample: 32 -> 8x8 (BigGAN arch[32]), 48 -> 6x6."""
    check_size(image_size)
    return (True, True, False, False) if image_size == 32 else (True, True, True, False)


class DEncoder(nn.Module):
    """The D trunk: 4 blocks of ``ch`` channels; returns every block's output."""

    def __init__(self, ch: int = 256, image_size: int = 32, channels: int = 3) -> None:
        super().__init__()
        self.downs = down_pattern(image_size)
        self.blocks = nn.ModuleList(
            DBlock(channels if i == 0 else ch, ch, down, first=i == 0)
            for i, down in enumerate(self.downs))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats = []
        h = x
        for block in self.blocks:
            h = block(h)
            feats.append(h)
        return feats


class BigGANDiscriminator(nn.Module):
    """Encoder -> ReLU -> global sum pool -> SN-linear with ``n_out`` outputs."""

    def __init__(self, n_out: int = 1, ch: int = 256, image_size: int = 32,
                 channels: int = 3) -> None:
        super().__init__()
        self.encoder = DEncoder(ch, image_size, channels)
        self.linear = sn(nn.Linear(ch, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.encoder(x)[-1]).sum(dim=(2, 3))
        return self.linear(h)
