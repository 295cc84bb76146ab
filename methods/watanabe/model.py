"""The watanabe model as an engine method (methods/engine): G, U-Net D, teacher, and one
D step / G step of Algorithm 1 (torch). See methods/watanabe/config.py for the settings."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from methods import augment
from methods.engine.optim import adam
from methods.engine.state import balanced_labels
from methods.nets.biggan import BigGANGenerator
from methods.nets.unet_d import UNetDiscriminator
from methods.watanabe import losses as L
from methods.watanabe.config import INFO
from methods.watanabe.teacher import Teacher

Batch = tuple[torch.Tensor, torch.Tensor]


def uses_teacher(p: Any) -> bool:
    """A teacher is trained when self-labels feed the conditional loss."""
    p = INFO.typed(p)
    return p.self_labeling and p.cond_loss in ("both", "eq11", "artificial")


def real_batch_size(p: Any) -> int:
    """Real images per D step: 128 when self-labels are used (section 4), else 64."""
    p = INFO.typed(p)
    bs = p.batch_size
    return max(bs, p.batch_size_selflabeled) if uses_teacher(p) else bs


class WatanabeGAN:
    """Networks, optimisers and the updates of one run (``p``: the method's params)."""

    def __init__(self, p: Any, device: str, d_steps_per_epoch: int) -> None:
        p = INFO.typed(p)
        self.p, self.device = p, device
        self.cond = p.cond_loss != "none"
        self.k = p.num_clusters
        self.z_dim, self.bs = p.z_dim, p.batch_size
        size, ch = p.image_size, p.channels
        k_net = self.k if self.cond else 0
        G = BigGANGenerator(self.z_dim, k_net, p.g_ch, size, ch).to(device)
        D = UNetDiscriminator(k_net, p.d_ch, size, ch).to(device)
        betas = (p.beta1, p.beta2)
        self.nets: dict[str, nn.Module] = {"G": G, "D": D}
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            "G": adam(G.parameters(), p.lr_g, betas, device),
            "D": adam(D.parameters(), p.lr_d, betas, device),
        }
        self.teacher: Teacher | None = None
        if uses_teacher(p):
            self.teacher = Teacher(
                self.k, p.teacher_arch, ch, p.teacher_lr,
                p.teacher_momentum, p.teacher_weight_decay,
                p.teacher_ema, device, p.randaugment_ops,
                p.randaugment_magnitude, p.weak_shift)
            self.nets.update(self.teacher.modules())
            self.optimizers["C"] = self.teacher.opt
        self.cutmix_ramp = max(1, p.cutmix_warmup_epochs * d_steps_per_epoch)
        self.d_count = 0  # D steps taken (CutMix warm-up)
        # self-attention statistics since the last evaluation, kept on the device so that a
        # training step never waits for the host
        self.sel_kept: float | torch.Tensor = 0.0
        self.sel_total: float | torch.Tensor = 0.0

    # --- engine hooks -------------------------------------------------------------------------
    def extra_state(self) -> dict[str, Any]:
        return {"d_count": self.d_count, "sel_kept": float(self.sel_kept),
                "sel_total": float(self.sel_total)}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        self.d_count = int(state["d_count"])
        self.sel_kept, self.sel_total = float(state["sel_kept"]), float(state["sel_total"])

    def pop_selection_fraction(self) -> float | None:
        """Share of teacher-labelled reals kept by self-attention since the last call."""
        kept, total = float(self.sel_kept), float(self.sel_total)
        self.sel_kept = self.sel_total = 0.0
        return kept / total if total else None

    def _noise(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(n, self.z_dim, device=self.device)
        c = torch.randint(0, self.k, (n,), device=self.device)
        return z, c

    def _g(self, G: nn.Module, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        return G(z, c if self.cond else None)

    # --- Algorithm 1 ----------------------------------------------------------------------------
    def d_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        """Teacher step (Eq. 7), self-labeling (Eqs. 8, 9), then one D update (Eqs. 1, 11,
        R1, CutMix consistency). ``batch``: reals in [-1, 1] and labels (-1: unlabelled)."""
        p, G = self.p, self.nets["G"]
        x_r, y = batch
        n_r = len(x_r)
        z, c = self._noise(max(self.bs, p.teacher_batch_size))
        with torch.no_grad():
            x_f_all = self._g(G, z, c)
        out: dict[str, torch.Tensor] = {}
        y_hat, attention = self._self_labels(x_r, x_f_all, c, out)
        labelled = y >= 0
        in_small = torch.arange(n_r, device=self.device) < self.bs
        real_mask, teacher_mask = L.real_term_masks(labelled, in_small, p.cond_loss,
                                                    self.teacher is not None)
        self.sel_kept = self.sel_kept + (teacher_mask & attention).sum()
        self.sel_total = self.sel_total + teacher_mask.sum()
        loss = self._d_loss(x_r, y, x_f_all[: self.bs], c[: self.bs],
                            (y_hat, real_mask, teacher_mask, attention), out)
        self.optimizers["D"].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers["D"].step()
        self.d_count += 1
        out["loss_d"] = loss.detach()
        return out

    def _self_labels(self, x_r: torch.Tensor, x_f_all: torch.Tensor, c: torch.Tensor,
                     out: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """Step 1: the teacher on fakes only (Eq. 7), its EMA, and the self-labels of the
        reals with their attention mask (Eqs. 8, 9); all zero without a teacher."""
        n_r = len(x_r)
        y_hat = torch.zeros(n_r, dtype=torch.long, device=self.device)
        attention = torch.zeros(n_r, dtype=torch.bool, device=self.device)
        if self.teacher is not None:
            tb = self.p.teacher_batch_size
            out["loss_teacher"] = self.teacher.train_step(x_f_all[:tb], c[:tb])
            y_hat, p_c = self.teacher.label(x_r)
            attention = L.attention_mask(p_c, self.p.threshold, self.p.self_attention)
        return y_hat, attention

    def _d_loss(self, x_r: torch.Tensor, y: torch.Tensor, x_f: torch.Tensor,
                c_f: torch.Tensor, labels: tuple[torch.Tensor, ...],
                out: dict[str, torch.Tensor]) -> torch.Tensor:
        """Step 2: D's loss on DiffAugment(real), DiffAugment(fake) [and their CutMix]; the
        first batch_size reals go through D on their own, so that R1's double backward
        covers only them. ``labels``: self-labels, real and teacher masks, attention."""
        p, D, n_r = self.p, self.nets["D"], len(x_r)
        real_aug = augment.diff_augment(x_r, p.diffaug_policy).detach()
        small = real_aug[: self.bs].clone().requires_grad_(True)
        fake_aug = augment.diff_augment(x_f, p.diffaug_policy).detach()
        prob = p.cutmix_prob * min(1.0, self.d_count / self.cutmix_ramp)
        use_mix = p.cutmix_weight > 0 and random.random() < prob  # drawn on the host
        parts = [real_aug[self.bs :], fake_aug]
        if use_mix:
            mask = augment.cutmix_mask(self.bs, x_r.shape[2], x_r.shape[3], self.device)
            parts.append(augment.cutmix(real_aug[: self.bs], fake_aug, mask))
        cond_s, dec_s = D(small)
        cond_o, dec_o = D(torch.cat(parts))
        dec = torch.cat([dec_s, dec_o])
        dec_r, dec_f = dec[:n_r], dec[n_r : n_r + self.bs]
        loss = L.d_uncond_loss(dec_r[: self.bs], dec_f)  # Eq. (1)
        out["loss_d_uncond"] = loss.detach()
        if self.cond:
            assert cond_s is not None and cond_o is not None
            cond = torch.cat([cond_s, cond_o])
            y_hat, real_mask, teacher_mask, attention = labels
            terms = L.d_cond_loss(cond[:n_r], y, y_hat, real_mask, teacher_mask, attention,
                                  cond[n_r : n_r + self.bs], c_f, self.k,
                                  p.attention_norm)  # Eq. (11)
            loss = loss + terms["loss"]
            out["loss_d_cond"] = terms["loss"].detach()
        if p.r1_weight > 0:
            r1 = L.r1_penalty(dec_s, small, p.r1_weight)
            loss = loss + r1
            out["r1"] = r1.detach()
        if use_mix:
            mix = L.cutmix_losses(dec[n_r + self.bs :], dec_r[: self.bs], dec_f, mask)
            loss = loss + p.cutmix_weight * (mix["mix_hinge"] + mix["consistency"])
            out["consistency"] = mix["consistency"].detach()
        return loss

    def g_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        """One G update: L_G = L_G^U (Eq. 2) + L_G^C (Eq. 4)."""
        G, D = self.nets["G"], self.nets["D"]
        z, c = self._noise(self.bs)
        x_f = augment.diff_augment(self._g(G, z, c), self.p.diffaug_policy)
        cond, dec = D(x_f)
        loss = L.g_uncond_loss(dec, self.p.g_uncond_loss)
        if self.cond:
            assert cond is not None
            loss = loss + L.g_cond_loss(cond, c)
        self.optimizers["G"].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers["G"].step()
        return {"loss_g": loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, seed: int, G: nn.Module, batch_size: int = 500
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``n`` images in [-1, 1] on the CPU from noise seeded by ``seed``, with balanced
        artificial labels (None for the unconditional GAN)."""
        x = list(self.sample_batches(n, seed, G, batch_size))
        images = torch.cat([b[0] for b in x])
        labels = torch.cat([b[1] for b in x]) if self.cond else None
        return images, labels

    @torch.no_grad()
    def sample_batches(self, n: int, seed: int, G: nn.Module, batch_size: int = 500
                       ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yields ``(images on the CPU, labels)`` batches of :meth:`sample`."""
        gen = torch.Generator().manual_seed(int(seed))
        z = torch.randn(n, self.z_dim, generator=gen)
        y = torch.from_numpy(balanced_labels(n, self.k, int(seed)).astype(np.int64))
        for i in range(0, n, batch_size):
            zb, yb = z[i : i + batch_size].to(self.device), y[i : i + batch_size]
            yield self._g(G, zb, yb.to(self.device)).float().cpu(), yb
