"""slcGAN, uGAN and cGAN as one engine method: networks, optimisers, the D, G and C updates
of Algorithm 1 (see methods/slcgan/config.py for the variants and choices)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from methods.engine import BatchStream, balanced_labels
from methods.nets.biggan_prob import ProbGenerator, ProjectionDiscriminator
from methods.nets.clustering_resnet import ClusteringResNet
from methods.slcgan import losses as L
from methods.slcgan.views import random_view

K_SIZES = ("small", "medium", "large")


def num_clusters(p: Any, num_classes: int) -> int:
    """K of C's output (and of G's and D's label vector unless the GAN is a uGAN/cGAN)."""
    if p.conditioning == "labels" or p.clustering_net == "supervised":
        return num_classes
    if p.k_size:
        if len(p.k_grid) != len(K_SIZES):
            raise ValueError(f"k_grid must list the K of {', '.join(K_SIZES)}, got {p.k_grid}")
        return int(p.k_grid[K_SIZES.index(p.k_size)])
    return int(p.num_clusters)


class SlcGAN:
    """One run's networks G, D, C and their Adam optimisers (``p``: typed params).

    ``stream`` supplies the fresh real batch of each C update (Algorithm 1, line 22); it is
    the engine's stream, so its position is checkpointed with the run.
    """

    def __init__(self, p: Any, num_classes: int, stream: BatchStream, device: str) -> None:
        self.p, self.device, self.stream = p, device, stream
        self.k = num_clusters(p, num_classes)
        self.cond = p.conditioning != "none"
        self.z_dim = int(p.z_dim)
        kg = self.k if self.cond else 0
        size, chans = int(p.image_size), int(p.channels)
        G = ProbGenerator(self.z_dim, kg, p.ch, size, chans, p.blocks_per_stage, p.embed_dim)
        D = ProjectionDiscriminator(kg, p.ch, size, chans, p.blocks_per_stage,
                                    use_sn=p.spectral_norm_d)
        C = ClusteringResNet(self.k, p.c_arch, chans)
        self.nets: dict[str, nn.Module] = {"G": G.to(device), "D": D.to(device),
                                           "C": C.to(device)}
        betas = (float(p.beta1), float(p.beta2))
        self.optimizers: dict[str, torch.optim.Optimizer] = {
            k: torch.optim.Adam(n.parameters(), lr=float(p.lr), betas=betas)
            for k, n in self.nets.items()}
        self.trains_c = p.conditioning == "clusters" or p.clustering_net == "supervised"

    # --- helpers --------------------------------------------------------------------------
    def onehot(self, c: torch.Tensor) -> torch.Tensor:
        """The K-dim one-hot vector of labels ``c``."""
        return F.one_hot(c, self.k).float()

    def real_labels(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor | None:
        """The label vector of a real pair: softmax(C(x)) (slcGAN), onehot(y) (cGAN)."""
        if self.p.conditioning == "clusters":
            return F.softmax(self.nets["C"](x), dim=1)
        return self.onehot(y) if self.p.conditioning == "labels" else None

    def fake(self, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """``G(z, onehot(c))`` with z ~ N(0, I) and c uniform over K: (x, c, onehot(c))."""
        z = torch.randn(n, self.z_dim, device=self.device)
        c = torch.randint(0, max(self.k, 1), (n,), device=self.device)
        pc = self.onehot(c) if self.cond else None
        return self.nets["G"](z, pc), c, pc

    def _update(self, net: str, loss: torch.Tensor) -> torch.Tensor:
        """One optimiser step of ``net`` on ``loss``; the loss, detached."""
        opt = self.optimizers[net]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.detach()

    # --- the engine's protocol ------------------------------------------------------------
    def d_step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Algorithm 1, lines 10-15: D's hinge on unary and joint terms, real and fake."""
        x, y = batch
        with torch.no_grad():
            p_real = self.real_labels(x, y)
            x_fake, _, p_fake = self.fake(len(x))
        D = self.nets["D"]
        u_r, s_r = D(x, p_real)
        u_f, s_f = D(x_fake, p_fake)
        return {"loss_d": self._update("D", L.d_hinge(u_r, s_r, u_f, s_f))}

    def g_step(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Algorithm 1, lines 16-21 (G), then lines 22-28 (C) on a fresh real batch."""
        out = self.generator_update(len(batch[0]))
        if self.trains_c:
            out.update(self.clustering_update(self.stream.next()))
        return out

    def generator_update(self, n: int) -> dict[str, torch.Tensor]:
        """G minimises ``adv_weight`` * (-u_f - s_f) (+ ``mi_weight`` * L_mi with C frozen,
        slcGAN): Eq. 6 for G. (D's loss is L_adv alone, so lambda_1 does not scale it.)"""
        D, C = self.nets["D"], self.nets["C"]
        x_fake, c, p_fake = self.fake(n)
        with frozen(D):
            u_f, s_f = D(x_fake, p_fake)
        adv = L.g_adversarial(u_f, s_f)
        loss = self.p.adv_weight * adv
        out = {"loss_g": adv.detach()}
        if self.p.conditioning == "clusters" and self.p.mi_weight > 0:
            with frozen(C, eval_mode=True):
                mi = L.mutual_information(C(x_fake), c)
            loss = loss + self.p.mi_weight * mi
            out["loss_mi"] = mi.detach()
        out["loss_g_total"] = self._update("G", loss)
        return out

    def clustering_update(self, batch: tuple[torch.Tensor, torch.Tensor]
                          ) -> dict[str, torch.Tensor]:
        """C's update on reals only: ``adv_weight`` * mean(s_r) + ``aug_weight`` * L_aug, or
        cross-entropy on the ground-truth labels (``clustering_net = "supervised"``)."""
        x, y = batch
        C, D, p = self.nets["C"], self.nets["D"], self.p
        if p.clustering_net == "supervised":
            return {"loss_c": self._update("C", F.cross_entropy(C(x), y))}
        logits = C(x)
        with frozen(D):
            _, s_r = D(x, F.softmax(logits, dim=1))
        adv = L.c_adversarial(s_r)
        loss = p.adv_weight * adv
        out = {"loss_c_adv": adv.detach()}
        if p.aug_weight > 0:
            view = random_view(x, p.view_crop_min, p.view_jitter, p.view_jitter_prob)
            aug = L.multi_view(logits, C(view))
            loss = loss + p.aug_weight * aug
            out["loss_aug"] = aug.detach()
        out["loss_c"] = self._update("C", loss)
        return out

    @torch.no_grad()
    def sample(self, n: int, seed: int, G: nn.Module, batch_size: int = 500
               ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``n`` images in [-1, 1] on the CPU from noise seeded by ``seed``, with balanced
        labels over K (None for a uGAN)."""
        gen = torch.Generator().manual_seed(int(seed))
        z = torch.randn(n, self.z_dim, generator=gen)
        y = torch.from_numpy(balanced_labels(n, self.k, int(seed))) if self.cond else None
        out = []
        for i in range(0, n, batch_size):
            pc = self.onehot(y[i : i + batch_size].to(self.device)) if y is not None else None
            out.append(G(z[i : i + batch_size].to(self.device), pc).float().cpu())
        return torch.cat(out), y


@contextmanager
def frozen(net: nn.Module, eval_mode: bool = False) -> Iterator[nn.Module]:
    """Within the block, ``net``'s parameters take no gradient (and, with ``eval_mode``,
    its batch-norm statistics stay as they are); both are restored afterwards."""
    flags = [q.requires_grad for q in net.parameters()]
    training = net.training
    for q in net.parameters():
        q.requires_grad_(False)
    if eval_mode:
        net.eval()
    try:
        yield net
    finally:
        for q, flag in zip(net.parameters(), flags, strict=True):
            q.requires_grad_(flag)
        net.train(training)
