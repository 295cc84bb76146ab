"""BigGAN G and a projection D conditioned on a K-dim probability vector (torch).

For noroozi's slcGAN: the label a network receives is a vector ``p`` of K probabilities
(a one-hot vector for a fake's conditioning label, ``softmax(C(x))`` for a real image),
mapped by a linear transformation to a dense vector that feeds G's class-conditional
batch norm and D's projection term.

Channel tables are BigGAN-PyTorch's, with ``ch`` the channel multiplier:

- 32x32 (``arch[32]``): G 4ch -> 4ch -> 4ch from 4x4, D 4ch in every block, downsampling
  in the first two of four blocks (32 -> 16 -> 8 -> 8 -> 8);
- 64x64 (``arch[64]``): G 16ch, 16ch, 8ch, 4ch -> 16ch, 8ch, 4ch, 2ch from 4x4; D
  ch, 2ch, 4ch, 8ch, 16ch, downsampling in the first four of five blocks;
- 16x16 (ours, for CPU smoke runs only): arch[32] with one G and one D block fewer.

``blocks_per_stage`` residual blocks per stage (the first of a stage changes the size and
the width). G: z -> SN-linear -> blocks (CBN-ReLU-up2-conv3-CBN-ReLU-conv3, shortcut
up2-conv1) -> BN-ReLU-conv3 -> tanh. Each CBN's gain is ``1 + W_g e`` and its bias
``W_b e`` with ``e = E p`` the shared dense embedding (``embed_dim``) of the probability
vector; ``k = 0`` gives plain affine batch norms (unconditional G).

D: pre-activation blocks (methods/nets/biggan.py's :class:`DBlock`) -> ReLU -> global sum
pool -> features ``h``; the unary term ``u = w . h + b`` (a function of the image only)
and the joint term ``s = (V p) . h`` (projection; absent when ``k = 0``), the two outputs
of BigBiGAN's split loss. Every conv and linear layer is spectrally normalised
(``sn=False`` for none) and Xavier-uniform initialised.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from methods.nets.biggan import DBlock

G_TABLE = {16: ((4, 4), (4, 4)), 32: ((4, 4, 4), (4, 4, 4)),
           64: ((16, 16, 8, 4), (16, 8, 4, 2))}
D_TABLE = {16: ((4, 4, 4), (True, False, False)), 32: ((4, 4, 4, 4), (True, True, False, False)),
           64: ((1, 2, 4, 8, 16), (True, True, True, True, False))}
SIZES = tuple(G_TABLE)


def _init(layer: nn.Module, use_sn: bool) -> nn.Module:
    nn.init.xavier_uniform_(layer.weight)
    if getattr(layer, "bias", None) is not None:
        nn.init.zeros_(layer.bias)
    return spectral_norm(layer) if use_sn else layer


def check_size(image_size: int) -> None:
    """Only the 16x16, 32x32 and 64x64 tables exist."""
    if image_size not in SIZES:
        raise ValueError(f"image_size must be one of {SIZES}, got {image_size}")


class ProbCondBN(nn.Module):
    """Batch norm with gain ``1 + W_g e`` and bias ``W_b e`` (plain affine BN when e_dim = 0)."""

    def __init__(self, channels: int, e_dim: int, use_sn: bool) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=e_dim == 0)
        self.gain = _init(nn.Linear(e_dim, channels, bias=False), use_sn) if e_dim else None
        self.bias = _init(nn.Linear(e_dim, channels, bias=False), use_sn) if e_dim else None

    def forward(self, x: torch.Tensor, e: torch.Tensor | None) -> torch.Tensor:
        out = self.bn(x)
        if self.gain is None:
            return out
        if e is None:
            raise ValueError("a conditional batch norm needs a label vector")
        return out * (1.0 + self.gain(e))[:, :, None, None] + self.bias(e)[:, :, None, None]


class GBlock(nn.Module):
    """CBN-ReLU-[up2]-conv3-CBN-ReLU-conv3 + [up2]-conv1 shortcut."""

    def __init__(self, cin: int, cout: int, e_dim: int, up: bool, use_sn: bool) -> None:
        super().__init__()
        self.up = up
        self.bn1, self.bn2 = ProbCondBN(cin, e_dim, use_sn), ProbCondBN(cout, e_dim, use_sn)
        self.conv1 = _init(nn.Conv2d(cin, cout, 3, padding=1), use_sn)
        self.conv2 = _init(nn.Conv2d(cout, cout, 3, padding=1), use_sn)
        self.sc = _init(nn.Conv2d(cin, cout, 1), use_sn) if (cin != cout or up) else None

    def _up(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2.0, mode="nearest") if self.up else x

    def forward(self, x: torch.Tensor, e: torch.Tensor | None) -> torch.Tensor:
        h = self.conv1(self._up(F.relu(self.bn1(x, e))))
        h = self.conv2(F.relu(self.bn2(h, e)))
        sc = self._up(x)
        return h + (self.sc(sc) if self.sc is not None else sc)


class ProbGenerator(nn.Module):
    """G(z, p) -> images in [-1, 1]; ``k = 0`` for an unconditional G (``p`` ignored)."""

    def __init__(self, z_dim: int, k: int, ch: int, image_size: int = 32, channels: int = 3,
                 blocks_per_stage: int = 1, embed_dim: int = 128, use_sn: bool = True) -> None:
        super().__init__()
        check_size(image_size)
        ins, outs = G_TABLE[image_size]
        self.k, self.c0 = k, ins[0] * ch
        e_dim = embed_dim if k > 0 else 0
        self.embed = _init(nn.Linear(k, e_dim, bias=False), use_sn) if k > 0 else None
        self.linear = _init(nn.Linear(z_dim, self.c0 * 16), use_sn)
        blocks = []
        for cin, cout in zip(ins, outs, strict=True):
            blocks.append(GBlock(cin * ch, cout * ch, e_dim, True, use_sn))
            blocks += [GBlock(cout * ch, cout * ch, e_dim, False, use_sn)
                       for _ in range(blocks_per_stage - 1)]
        self.blocks = nn.ModuleList(blocks)
        self.bn_out = nn.BatchNorm2d(outs[-1] * ch)
        self.conv_out = _init(nn.Conv2d(outs[-1] * ch, channels, 3, padding=1), use_sn)

    def forward(self, z: torch.Tensor, p: torch.Tensor | None = None) -> torch.Tensor:
        e = self.embed(p) if self.embed is not None else None
        h = self.linear(z).view(len(z), self.c0, 4, 4)
        for block in self.blocks:
            h = block(h, e)
        return torch.tanh(self.conv_out(F.relu(self.bn_out(h))))


class ProjectionDiscriminator(nn.Module):
    """D(x, p) -> (unary u, joint s); ``s`` is None when ``k = 0`` (unconditional D)."""

    def __init__(self, k: int, ch: int, image_size: int = 32, channels: int = 3,
                 blocks_per_stage: int = 1, use_sn: bool = True) -> None:
        super().__init__()
        check_size(image_size)
        mults, downs = D_TABLE[image_size]
        blocks, cin = [], channels
        for i, (m, down) in enumerate(zip(mults, downs, strict=True)):
            blocks.append(DBlock(cin, m * ch, down, first=i == 0))
            blocks += [DBlock(m * ch, m * ch, False, first=False)
                       for _ in range(blocks_per_stage - 1)]
            cin = m * ch
        self.blocks = nn.ModuleList(blocks)
        if not use_sn:
            for mod in self.blocks.modules():
                if isinstance(mod, nn.Conv2d) and hasattr(mod, "parametrizations"):
                    # the Xavier weights as initialised, not their normalised W / sigma
                    torch.nn.utils.parametrize.remove_parametrizations(
                        mod, "weight", leave_parametrized=False)
        self.unary = _init(nn.Linear(cin, 1), use_sn)
        self.proj = _init(nn.Linear(k, cin, bias=False), use_sn) if k > 0 else None

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The sum-pooled features ``h`` of the last block."""
        h = x
        for block in self.blocks:
            h = block(h)
        return F.relu(h).sum(dim=(2, 3))

    def forward(self, x: torch.Tensor, p: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        h = self.features(x)
        u = self.unary(h).squeeze(1)
        if self.proj is None:
            return u, None
        if p is None:
            raise ValueError("a conditional discriminator needs a label vector")
        return u, (self.proj(p) * h).sum(dim=1)
