"""MED-GAN as an engine method: networks, optimisers, one D (+ C) and one G update."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

from methods.engine import BatchStream, balanced_labels
from methods.medgan import losses as L
from methods.medgan import masks as MK
from methods.nets.convlarge import ConvLarge
from methods.nets.mask_embedded import Generator, MaskEmbeddedD

Batch = tuple[torch.Tensor, torch.Tensor]


@contextmanager
def eval_mode(net: nn.Module) -> Iterator[nn.Module]:
    """``net`` in eval mode for the block, then back to its previous mode."""
    was = net.training
    net.eval()
    try:
        yield net
    finally:
        net.train(was)


class MedGAN:
    """G, the mask-embedded D and (semi-supervised) C of one run; ``p``: typed params."""

    def __init__(self, p: Any, num_classes: int, device: str,
                 labelled: Any = None, seed: int = 0) -> None:
        self.p, self.k, self.device = p, int(num_classes), device
        self.semi = p.supervision == "semi"
        G = Generator(p.z_dim, self.k, p.g_ch, p.image_size, p.channels)
        D = MaskEmbeddedD(self.k, p.d_ch, p.image_size, p.channels, p.mask_embedding)
        self.nets: dict[str, nn.Module] = {"G": G.to(device), "D": D.to(device)}
        if self.semi:
            C = ConvLarge(self.k, p.channels, p.image_size, p.c_width, p.c_dropout)
            self.nets["C"] = C.to(device)
        betas = (p.beta1, p.beta2)
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            k: torch.optim.Adam(n.parameters(), lr=p.lr, betas=betas)
            for k, n in self.nets.items()}
        self.labelled = (BatchStream(labelled, p.batch_labeled, seed + 1, device)
                         if self.semi else None)

    # --- state beyond nets and optimisers -------------------------------------------------
    def extra_state(self) -> dict[str, Any] | None:
        """The labelled images' stream (semi-supervised runs)."""
        return {"labelled": self.labelled.state()} if self.labelled is not None else None

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`extra_state`."""
        if self.labelled is not None:
            self.labelled.load(state["labelled"])

    # --- pieces ---------------------------------------------------------------------------
    def fake(self, n: int) -> Batch:
        """``n`` generated images G(z, y_z), y_z uniform over the classes."""
        z = torch.randn(n, self.p.z_dim, device=self.device)
        y = torch.randint(0, self.k, (n,), device=self.device)
        return self.nets["G"](z, y), y

    def prior_masks(self, n: int, size: tuple[int, int]) -> torch.Tensor | None:
        """Masks from q_m (None without a mask embedding: D ignores masks then)."""
        if not self.p.mask_embedding:
            return None
        return MK.box_masks(MK.prior_boxes(n, *size), *size).to(self.device)

    def lambda_masks(self, n: int, size: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
        """Eq. 1's boxes for lambda ~ Beta(alpha, alpha), and their masks."""
        boxes = MK.lambda_boxes(MK.sample_lambda(n, self.p.mix_alpha), *size)
        return boxes, MK.box_masks(boxes, *size).to(self.device)

    @staticmethod
    def _update(opt: torch.optim.Optimizer, loss: torch.Tensor,
                params: list[torch.Tensor] | None = None) -> None:
        """One step of ``opt``; with ``params``, gradients of those tensors only (the other
        nets' weight gradients are neither computed nor left behind)."""
        opt.zero_grad(set_to_none=True)
        loss.backward(inputs=params)
        opt.step()

    # --- the engine's protocol ------------------------------------------------------------
    def d_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        """C's update (Eq. 10, semi-supervised) and D's (Eq. 12) on one batch triple."""
        if self.semi:
            assert self.labelled is not None
            x_u = batch[0]
            x, y = self.labelled.next()
        else:
            (x, y), x_u = batch, None
        size = (x.shape[2], x.shape[3])
        n = min(len(x), self.p.batch_fake)
        with torch.no_grad():
            x_z, y_z = self.fake(self.p.batch_fake)
            y_u = None
            if x_u is not None:
                with eval_mode(self.nets["C"]) as C:
                    y_u = C(x_u).argmax(1)
        boxes, m_lam = self.lambda_masks(n, size)
        x_hat = MK.mix(x[:n], x_z[:n], m_lam)
        out: dict[str, torch.Tensor] = {}
        if self.semi:
            assert x_u is not None and y_u is not None
            out["loss_c"] = self._c_update(x[:n], y[:n], x_hat, y_z[:n], m_lam, x_u, y_u)
        out.update(self._d_update(x, y, x_u, y_u, x_z, y_z, x_hat, boxes, m_lam))
        return out

    def _c_update(self, x: torch.Tensor, y: torch.Tensor, x_hat_z: torch.Tensor,
                  y_z: torch.Tensor, m_z: torch.Tensor, x_u: torch.Tensor,
                  y_u: torch.Tensor) -> torch.Tensor:
        """Eq. 10: soft targets (Eq. 9) on T(x, x_z, m) and T(x, x_u, m')."""
        n = min(len(x), len(x_u))
        _, m_u = self.lambda_masks(n, (x.shape[2], x.shape[3]))
        x_hat_u = MK.mix(x[:n], x_u[:n], m_u)
        logits = self.nets["C"](torch.cat([x_hat_z, x_hat_u]))
        lam_z, lam_u = 1.0 - MK.mask_area(m_z), 1.0 - MK.mask_area(m_u)
        loss = (L.soft_target_ce(logits[: len(x_hat_z)], y, y_z, lam_z)
                + L.soft_target_ce(logits[len(x_hat_z):], y[:n], y_u[:n], lam_u))
        self._update(self.optimizers["C"], loss)
        return loss.detach()

    def _d_update(self, x: torch.Tensor, y: torch.Tensor, x_u: torch.Tensor | None,
                  y_u: torch.Tensor | None, x_z: torch.Tensor, y_z: torch.Tensor,
                  x_hat: torch.Tensor, boxes: torch.Tensor, m_lam: torch.Tensor
                  ) -> dict[str, torch.Tensor]:
        """Eq. 12 as a loss: one D trunk pass over every image it sees."""
        p, size, n = self.p, (x.shape[2], x.shape[3]), len(x_hat)
        parts: list[tuple[str, torch.Tensor, torch.Tensor | None]] = [
            ("real", x, self.prior_masks(len(x), size)),
            ("fake", x_z, self.prior_masks(len(x_z), size))]
        if x_u is not None:
            parts.append(("unl", x_u, self.prior_masks(len(x_u), size)))
        if p.mask_embedding or p.region_reg:
            parts.append(("hat", x_hat, m_lam))
        if p.region_reg:
            near = MK.box_masks(MK.near_boxes(boxes, *size, p.cons_eps), *size).to(self.device)
            parts += [("hat2", MK.mix(x[:n], x_z[:n], near), near), ("anchor", x[:n], m_lam),
                      ("neg", x_z[:n], m_lam)]
        f = self._features(parts)
        D = self.nets["D"]
        loss = L.d_real(D.decide(f["real"], y)) + L.d_fake(D.decide(f["fake"], y_z))
        if x_u is not None:
            loss = loss + L.d_real(D.decide(f["unl"], y_u))
        out = {"loss_d_adv": loss.detach()}
        if p.mask_embedding:
            idnt = L.identification(D.decide(f["hat"], y[:n]), p.adv_form)
            loss = loss + p.mu * idnt
            out["loss_idnt"] = idnt.detach()
        if p.region_reg:
            cons = L.consistency(f["hat"], f["hat2"])
            ctrs = L.contrastive(f["anchor"], f["hat"], f["neg"], p.gamma)
            loss = loss + cons + ctrs
            out.update(loss_cons=cons.detach(), loss_ctrs=ctrs.detach())
        self._update(self.optimizers["D"], loss)
        out["loss_d"] = loss.detach()
        return out

    def _features(self, parts: list[tuple[str, torch.Tensor, torch.Tensor | None]]
                  ) -> dict[str, torch.Tensor]:
        """D^_f of every part in one forward pass (D has no batch statistics)."""
        xs = torch.cat([x for _, x, _ in parts])
        masks = None
        if self.p.mask_embedding:
            masks = torch.cat([m for _, _, m in parts if m is not None])
        f = self.nets["D"].features(xs, masks)
        sizes = [len(x) for _, x, _ in parts]
        return {name: chunk for (name, _, _), chunk in zip(parts, f.split(sizes), strict=True)}

    def g_step(self, batch: Batch) -> dict[str, torch.Tensor]:
        """Eq. 8: L_advs (Eq. 6, masks from q_m) + L_recg (Eq. 7, semi-supervised)."""
        p = self.p
        x_z, y_z = self.fake(p.batch_fake)
        logit = self.nets["D"](x_z, self.prior_masks(len(x_z), (x_z.shape[2], x_z.shape[3])),
                               y_z)
        loss = L.g_adv(logit, p.adv_form)
        out = {"loss_g_adv": loss.detach()}
        if self.semi and p.recg_weight > 0:
            with eval_mode(self.nets["C"]) as C:
                recg = L.recognition(C(x_z), y_z)
            loss = loss + p.recg_weight * recg
            out["loss_recg"] = recg.detach()
        self._update(self.optimizers["G"], loss, list(self.nets["G"].parameters()))
        return out

    @torch.no_grad()
    def sample(self, n: int, seed: int, G: nn.Module, labels: np.ndarray | None = None,
               batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` images in [-1, 1] on the CPU from noise seeded by ``seed``, with balanced
        labels (or ``labels``)."""
        gen = torch.Generator().manual_seed(int(seed))
        z = torch.randn(n, self.p.z_dim, generator=gen)
        y = torch.from_numpy(labels if labels is not None
                             else balanced_labels(n, self.k, int(seed))).long()
        out = [G(z[i : i + batch_size].to(self.device),
                 y[i : i + batch_size].to(self.device)).float().cpu()
               for i in range(0, n, batch_size)]
        return torch.cat(out), y

    @torch.no_grad()
    def classify(self, x: torch.Tensor, batch_size: int = 500) -> np.ndarray:
        """C's argmax for images in [-1, 1]."""
        C = self.nets["C"]
        return torch.cat([C(x[i : i + batch_size].to(self.device)).argmax(1).cpu()
                          for i in range(0, len(x), batch_size)]).numpy()
