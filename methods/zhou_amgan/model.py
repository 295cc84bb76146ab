"""The AM-GAN family as an engine method: networks, optimisers, one D and one G update."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from methods.engine.optim import adam
from methods.engine.state import balanced_labels
from methods.nets.dcgan_wn import Discriminator, Generator, data_dependent_init
from methods.zhou_amgan import losses as L
from methods.zhou_amgan.config import INFO

AC_FAMILY = ("gan_star", "acgan_star", "acgan_star_plus", "acgan")
K_PLUS_1 = ("labelgan", "amgan")


def n_logits(variant: str, k: int, fake_logit: str = "zero") -> int:
    """D's outputs: 1 (GAN), 1 + K (AC family), K or K + 1 (LabelGAN, AM-GAN)."""
    if variant == "gan":
        return 1
    if variant in AC_FAMILY:
        return 1 + k
    return k + (1 if fake_logit == "learned" else 0)


class ZhouGAN:
    """One model of the family (``p``: the method's params; see config.py)."""

    def __init__(self, p: Any, num_classes: int, device: str,
                 init_batch: tuple[torch.Tensor, torch.Tensor] | None = None) -> None:
        p = INFO.typed(p)
        self.variant, self.k, self.device = p.variant, int(num_classes), device
        self.cond = p.labeling == "predefined"
        self.z_dim = p.z_dim
        self.fake_logit = p.fake_logit
        self.w = {key: float(getattr(p, key)) for key in
                  ("aux_weight_g", "aux_weight_d", "gan_star_aux_weight", "uniform_weight")}
        width = p.width_mult
        G = Generator(self.z_dim, self.k if self.cond else 0, p.image_size,
                      p.channels, width)
        D = Discriminator(n_logits(self.variant, self.k, self.fake_logit), p.channels,
                          width * p.d_width_mult, extra_layer=self.cond,
                          input_noise=p.d_input_noise, dropout=p.d_dropout,
                          batch_norm=p.d_batch_norm)
        if init_batch is not None and p.wn_data_init:
            x, y = init_batch
            data_dependent_init(D, x)
            z = torch.randn(len(x), self.z_dim)
            data_dependent_init(G, z, y if self.cond else None)
        self.nets: dict[str, nn.Module] = {"G": G.to(device), "D": D.to(device)}
        betas = (p.beta1, p.beta2)
        lr = p.lr
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            "G": adam(G.parameters(), lr, betas, device),
            "D": adam(D.parameters(), lr * p.d_lr_mult, betas, device),
        }

    # --- helpers --------------------------------------------------------------------------
    def fake(self, n: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``n`` generated images (and their predefined labels when class-conditional)."""
        z = torch.randn(n, self.z_dim, device=self.device)
        y = torch.randint(0, self.k, (n,), device=self.device) if self.cond else None
        return self.nets["G"](z, y), y

    def k1_logits(self, out: torch.Tensor) -> torch.Tensor:
        """LabelGAN / AM-GAN: D's outputs as K+1 logits (the last fixed at 0 or learned)."""
        return L.with_fake_logit(out) if self.fake_logit == "zero" else out

    def class_logits(self, out: torch.Tensor) -> torch.Tensor | None:
        """The K real-class logits in D's outputs (None for the vanilla GAN)."""
        if self.variant == "gan":
            return None
        return out[:, 1:] if self.variant in AC_FAMILY else out[:, : self.k]

    def targets(self, y_pre: torch.Tensor | None, out_fake: torch.Tensor) -> torch.Tensor:
        """The target class of each fake: predefined label, or dynamic argmax (no grad)."""
        if y_pre is not None:
            return y_pre
        c = self.class_logits(out_fake)
        assert c is not None, "the vanilla GAN has no target class"
        return L.dynamic_labels(c)

    @staticmethod
    def _update(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    # --- the engine's protocol ------------------------------------------------------------
    def d_step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        """D's (and the auxiliary classifier's) update: Eqs. 1/8-9/20 or 5/15."""
        x_real, y_real = batch
        with torch.no_grad():
            x_fake, y_pre = self.fake(len(x_real))
        out = self.nets["D"](torch.cat([x_real, x_fake]))
        o_r, o_f = out[: len(x_real)], out[len(x_real):]
        v, w = self.variant, self.w
        if v in K_PLUS_1:
            loss = L.labelgan_d_loss(self.k1_logits(o_r), y_real, self.k1_logits(o_f))
        else:
            loss = L.gan_d_loss(o_r[:, 0], o_f[:, 0])  # Eq. 8
            if v in AC_FAMILY:
                aux = w["gan_star_aux_weight"] if v == "gan_star" else w["aux_weight_d"]
                loss = loss + aux * L.aux_classifier_loss(o_r[:, 1:], y_real)  # Eq. 9
            if v == "acgan_star_plus":
                loss = loss + w["uniform_weight"] * L.uniform_classifier_loss(o_f[:, 1:])
            if v == "acgan":  # the original AC-GAN's omitted term (section 7.1.5)
                y_t = self.targets(y_pre, o_f)
                loss = loss + w["aux_weight_d"] * L.aux_classifier_loss(o_f[:, 1:], y_t)
        self._update(self.optimizers["D"], loss)
        return {"loss_d": loss.detach()}

    def g_step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        """G's update: Eq. 1 (GAN, GAN*), Eqs. 6-7 (AC family), Eq. 4 (LabelGAN), Eq. 14."""
        x_fake, y_pre = self.fake(len(batch[0]))
        out = self.nets["D"](x_fake)
        v = self.variant
        if v == "labelgan":
            loss = L.labelgan_g_loss(self.k1_logits(out))
        elif v == "amgan":
            loss = L.amgan_g_loss(self.k1_logits(out), self.targets(y_pre, out))
        else:
            loss = L.gan_g_loss(out[:, 0])
            if v in ("acgan_star", "acgan_star_plus", "acgan"):
                y_t = self.targets(y_pre, out)
                loss = loss + self.w["aux_weight_g"] * L.aux_classifier_loss(out[:, 1:], y_t)
        self._update(self.optimizers["G"], loss)
        return {"loss_g": loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, seed: int, G: nn.Module, batch_size: int = 500
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``n`` images in [-1, 1] on the CPU from noise seeded by ``seed`` (balanced
        predefined labels when class-conditional, else None)."""
        gen = torch.Generator().manual_seed(int(seed))
        z = torch.randn(n, self.z_dim, generator=gen)
        y = (torch.from_numpy(balanced_labels(n, self.k, int(seed))) if self.cond else None)
        out = []
        for i in range(0, n, batch_size):
            yb = y[i : i + batch_size].to(self.device) if y is not None else None
            out.append(G(z[i : i + batch_size].to(self.device), yb).float().cpu())
        return torch.cat(out), y

    @torch.no_grad()
    def d_class_argmax(self, x: torch.Tensor, batch_size: int = 500) -> np.ndarray | None:
        """D's argmax over its K class logits for images in [-1, 1] (None for GAN)."""
        if self.variant == "gan":
            return None
        D = self.nets["D"]
        outs = []
        for i in range(0, len(x), batch_size):
            c = self.class_logits(D(x[i : i + batch_size].to(self.device)))
            assert c is not None
            outs.append(c.argmax(1).cpu())
        return torch.cat(outs).numpy()
