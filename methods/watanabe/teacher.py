"""The teacher classifier C of watanabe (section 3.1, Algorithm 1 step 1) (torch).

ResNet18 with K outputs (methods/nets/resnet_teacher.py) trained only on generated
images with their conditioning labels (Eq. 7) after strong augmentation A
(RandAugment), by SGD with Nesterov momentum 0.9 (batch 64 in the paper). Its exponential
moving average (decay 0.999) labels the real images after weak augmentation alpha
(flip + shift of up to 4 px): y_hat (Eq. 8) and the reliability p_c (Eq. 9).

The learning rate and weight decay are not given by the paper; the defaults (0.03, 5e-4)
are FixMatch's, the SSL recipe the paper follows for the teacher (section 2).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

import torch
from torch import nn

from methods import augment
from methods.nets.resnet_teacher import ResNetTeacher
from methods.watanabe import losses as L


@torch.no_grad()
def ema_update(ema: Iterable[torch.Tensor], current: Iterable[torch.Tensor],
               decay: float) -> None:
    """theta_bar <- decay * theta_bar + (1 - decay) * theta, in place."""
    for e, c in zip(ema, current, strict=True):
        e.mul_(decay).add_(c.detach(), alpha=1.0 - decay)


class Teacher:
    """The teacher network, its EMA copy and its optimiser."""

    def __init__(self, num_classes: int, arch: str = "resnet18", channels: int = 3,
                 lr: float = 0.03, momentum: float = 0.9, weight_decay: float = 5e-4,
                 ema_decay: float = 0.999, device: str = "cpu", ra_ops: int = 2,
                 ra_magnitude: int = 9, weak_shift: int = 4) -> None:
        self.net = ResNetTeacher(num_classes, arch, channels).to(device)
        self.ema = copy.deepcopy(self.net).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=lr, momentum=momentum,
                                   nesterov=momentum > 0, weight_decay=weight_decay)
        self.ema_decay = float(ema_decay)
        self.ra_ops, self.ra_magnitude, self.weak_shift = ra_ops, ra_magnitude, weak_shift

    def train_step(self, x_fake: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Algorithm 1 step 1: L_C (Eq. 7) on RandAugment(x_f), one momentum step, then
        the EMA update of theta_bar. Returns the detached loss."""
        self.net.train()
        x = augment.strong_augment(x_fake.detach(), self.ra_ops, self.ra_magnitude)
        loss = L.teacher_loss(self.net(x), c)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.update_ema()
        return loss.detach()

    def update_ema(self) -> None:
        """EMA of the parameters; batch-norm statistics are copied (as the G EMA)."""
        ema_update(self.ema.parameters(), self.net.parameters(), self.ema_decay)
        with torch.no_grad():
            for e, c in zip(self.ema.buffers(), self.net.buffers(), strict=True):
                e.copy_(c)

    @torch.no_grad()
    def label(self, x_real: torch.Tensor, weak: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """Self-labeling (Eq. 8) and reliability (Eq. 9) of real images by the EMA teacher
        on alpha(x_r) (``weak=False``: the images as they are)."""
        self.ema.eval()
        x = augment.weak_augment(x_real, self.weak_shift) if weak else x_real
        return L.self_label(self.ema(x))

    @torch.no_grad()
    def predict(self, x: torch.Tensor, batch_size: int = 500) -> tuple[torch.Tensor, ...]:
        """(y_hat, p_c) of many images (no augmentation), in batches, on the CPU."""
        dev = next(self.ema.parameters()).device
        outs = [self.label(x[i : i + batch_size].to(dev), weak=False)
                for i in range(0, len(x), batch_size)]
        return tuple(torch.cat([o[j] for o in outs]).cpu() for j in range(2))

    def modules(self) -> dict[str, nn.Module]:
        """The networks to checkpoint."""
        return {"C": self.net, "C_ema": self.ema}
