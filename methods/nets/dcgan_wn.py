"""The modified DCGAN of AM-GAN's Appendix F, with weight normalisation (torch).

Generator (32x32): noise (z, or z + one-hot label for class-conditional G) -> linear to
4x4x768 -> 3x3 stride-2 deconvs to 8x8x384, 16x16x192, 32x32x96 -> 3x3 stride-1 deconv to
3 channels, tanh; batch norm and leaky ReLU (0.2) after every layer but the last. Other
sizes keep the 96-channel last stage and double the channels per stage upwards
(``image_size = 4 * 2^n``: n stride-2 deconvs).

Discriminator: additive Gaussian input noise (sigma 0.1, training only) -> 3x3 convs 64
(stride 1), 128, 256, 512 (stride 2) [-> one more 3x3 stride-1 conv of 512, the
"Convolution*" layer of class-conditional experiments] -> global average pool -> linear to
the logits; leaky ReLU 0.2, dropout 0.3 after every conv and after the pool; batch norm
after every conv (the BN column of Appendix F's table; ``batch_norm=False`` drops it).

Every conv, deconv and linear weight is weight-normalised (torch's ``weight_norm``
parametrisation; dim 1 for transposed convs, whose output channels are dim 1).
:func:`data_dependent_init` sets the gains and biases from one batch (Salimans & Kingma
2016, as the reference code does). Widths scale with ``width`` (``width=1`` is the paper).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm


def _wn(layer: nn.Module) -> nn.Module:
    return weight_norm(layer, dim=1 if isinstance(layer, nn.ConvTranspose2d) else 0)


def _ch(base: int, width: float) -> int:
    return max(1, int(round(base * width)))


class GaussianNoise(nn.Module):
    """Adds N(0, sigma^2) noise in training mode (identity in eval mode)."""

    def __init__(self, sigma: float) -> None:
        super().__init__()
        self.sigma = float(sigma)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.sigma > 0:
            return x + self.sigma * torch.randn_like(x)
        return x


class Generator(nn.Module):
    """G(z[, y]): images in [-1, 1]; ``num_classes > 0`` appends a one-hot label to z."""

    def __init__(self, z_dim: int = 100, num_classes: int = 0, image_size: int = 32,
                 channels: int = 3, width: float = 1.0) -> None:
        super().__init__()
        n_up = int(round(math.log2(image_size / 4)))
        if 4 * 2**n_up != image_size:
            raise ValueError(f"image_size must be 4 * 2^n, got {image_size}")
        self.z_dim, self.num_classes = z_dim, num_classes
        chans = [_ch(96 * 2 ** (n_up - i), width) for i in range(n_up + 1)]  # 768..96 at 32
        self.c0 = chans[0]
        self.fc = _wn(nn.Linear(z_dim + num_classes, 4 * 4 * chans[0]))
        self.bn0 = nn.BatchNorm1d(4 * 4 * chans[0])
        layers: list[nn.Module] = []
        for cin, cout in zip(chans[:-1], chans[1:], strict=True):
            layers += [_wn(nn.ConvTranspose2d(cin, cout, 3, 2, padding=1, output_padding=1)),
                       nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
        layers += [_wn(nn.ConvTranspose2d(chans[-1], channels, 3, 1, padding=1)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Images (B, channels, size, size) for noise ``z`` and (if conditional) labels."""
        if self.num_classes > 0:
            if y is None:
                raise ValueError("a class-conditional generator needs labels")
            z = torch.cat([z, F.one_hot(y, self.num_classes).to(z.dtype)], dim=1)
        h = F.leaky_relu(self.bn0(self.fc(z)), 0.2)
        return self.net(h.view(len(z), self.c0, 4, 4))


class Discriminator(nn.Module):
    """D(x): ``n_logits`` logits (the variant decides their meaning)."""

    def __init__(self, n_logits: int, channels: int = 3, width: float = 1.0,
                 extra_layer: bool = False, input_noise: float = 0.1, dropout: float = 0.3,
                 batch_norm: bool = True) -> None:
        super().__init__()
        spec = [(64, 1), (128, 2), (256, 2), (512, 2)] + ([(512, 1)] if extra_layer else [])
        layers: list[nn.Module] = [GaussianNoise(input_noise)]
        cin = channels
        for base, stride in spec:
            cout = _ch(base, width)
            layers.append(_wn(nn.Conv2d(cin, cout, 3, stride, padding=1)))
            if batch_norm:
                layers.append(nn.BatchNorm2d(cout))
            layers += [nn.LeakyReLU(0.2), nn.Dropout(dropout)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.fc = _wn(nn.Linear(cin, n_logits))
        self.n_logits = n_logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B, n_logits)."""
        return self.fc(self.drop(self.features(x).mean(dim=(2, 3))))


@torch.no_grad()
def data_dependent_init(model: nn.Module, *inputs: torch.Tensor) -> None:
    """Weight-norm data-dependent init: one forward pass on ``inputs`` in which every
    weight-normalised layer, in order, rescales its gain and bias so that its output has
    zero mean and unit variance per channel over the batch (Salimans & Kingma 2016)."""
    handles = []

    def hook(mod: nn.Module, _inp: tuple[torch.Tensor, ...], out: torch.Tensor) -> torch.Tensor:
        dims = [d for d in range(out.dim()) if d != 1]
        mean, std = out.mean(dim=dims), out.std(dim=dims) + 1e-8
        shape = [1] * out.dim()
        shape[1] = -1
        g = mod.parametrizations.weight.original0
        gdim = 1 if isinstance(mod, nn.ConvTranspose2d) else 0
        gshape = [1] * g.dim()
        gshape[gdim] = -1
        g.div_(std.view(gshape))
        if mod.bias is not None:
            mod.bias.sub_(mean).div_(std)
        return (out - mean.view(shape)) / std.view(shape)

    for m in model.modules():
        if hasattr(m, "parametrizations") and hasattr(m.parametrizations, "weight"):
            handles.append(m.register_forward_hook(hook))
    was_training = model.training
    try:
        model.train()
        model(*inputs)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
