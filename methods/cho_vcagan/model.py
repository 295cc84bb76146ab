"""VCAGAN with convolutional networks, driven by methods/engine (torch).

One engine step is one step of Algorithm 1, computed by ``cho2d``'s shared
:func:`methods.cho2d.step.train_step` on images flattened to rows: D, Q and G are all
updated from the same forward pass (the simultaneous update), so ``d_step`` performs the
whole step and ``g_step`` only reports the generator's loss of that step.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import Tensor, nn

from methods.cho2d import losses as L
from methods.cho2d.common import HP
from methods.cho2d.step import Models, train_step
from methods.nets.eqlr_cnn import ConvCritic, ConvGenerator

GRID_SEED = 20211  # the z's of every run's sample grid


def make_hp(p: Any) -> HP:
    """The step's hyper-parameters from the typed params (MLP sizes unused: 0)."""
    k = p.d_c
    return HP(variant="vcagan", n_cat=k, d_z=p.d_z, hidden=0, n_hidden=0, lr=p.lr,
              beta1=p.beta1, beta2=p.beta2, batch_size=p.batch_size, lambda_cls=p.lambda_cls,
              lambda_r2=p.lambda_r2, pc_ema=p.pc_ema, g_ema=p.g_ema, gumbel_temperature=1.0,
              prior_lr=0.0, steps_per_epoch=p.steps_per_epoch, epochs=p.epochs,
              pc_update_epoch=p.pc_update_epoch, bf16=False, prior=(1.0 / k,) * k)


class ConvVCAGAN:
    """The engine's :class:`~methods.engine.GANMethod` for VCAGAN on images."""

    def __init__(self, p: Any, channels: int, device: str) -> None:
        self.hp = hp = make_hp(p)
        self.device = device
        self.grid_columns, self.grid_min_prob = p.grid_columns, p.grid_min_prob
        self.shape = (channels, p.image_size, p.image_size)
        G = ConvGenerator(hp.d_z, hp.n_cat, p.image_size, channels, p.width)
        D = ConvCritic(p.image_size, channels, p.width, hp.n_cat)
        Q = ConvCritic(p.image_size, channels, p.width, hp.n_cat)
        G, D, Q = G.to(device), D.to(device), Q.to(device)
        G_ema = copy.deepcopy(G).requires_grad_(False)
        self.nets: dict[str, nn.Module] = {"G": G, "D": D, "Q": Q, "G_ema": G_ema}

        def adam(net: nn.Module) -> torch.optim.Adam:
            return torch.optim.Adam(net.parameters(), lr=hp.lr, betas=(hp.beta1, hp.beta2))

        self.optimizers = {"G": adam(G), "D": adam(D), "Q": adam(Q)}
        self.prior = torch.full((hp.n_cat,), 1.0 / hp.n_cat, device=device)
        self.done = 0  # steps taken (Algorithm 1's "early in training" reads it)
        self.last_loss_g = torch.zeros(())
        self.models = Models(
            G=lambda z, c: G(z, c).flatten(1), D=lambda x: D(x.reshape(-1, *self.shape)),
            Q=lambda x: Q(x.reshape(-1, *self.shape)),
            G_ema=lambda z, c: G_ema(z, c).flatten(1),
            g_params=list(G.parameters()), d_params=list(D.parameters()),
            q_params=list(Q.parameters()), g_ema=list(G_ema.parameters()),
            opt_g=self.optimizers["G"], opt_d=self.optimizers["D"],
            opt_q=self.optimizers["Q"], prior=self.prior,
            lambda_creg=torch.tensor(p.lambda_creg, device=device))

    def d_step(self, batch: tuple[Tensor, Tensor]) -> dict[str, Tensor]:
        """One whole step of Algorithm 1 (D, Q and G updated from one forward pass)."""
        x = batch[0]
        n = len(x)
        z = torch.randn(n, self.hp.d_z, device=self.device)
        gumbel = -torch.empty(n, self.hp.n_cat, device=self.device).exponential_().log()
        out = train_step(self.models, self.hp, x.flatten(1), z, gumbel, self.done)
        self.done += 1
        self.last_loss_g = out["loss_g"]
        return {"loss_d": out["loss_d"], "loss_q": out["loss_q"]}

    def g_step(self, batch: tuple[Tensor, Tensor]) -> dict[str, Tensor]:
        """The generator's loss of the step ``d_step`` took (its update is already made)."""
        return {"loss_g": self.last_loss_g}

    def codes(self, n: int, gen: torch.Generator) -> Tensor:
        """``n`` one-hot codes c ~ P(C) (Gumbel-max) from ``gen``."""
        g = -torch.empty(n, self.hp.n_cat).exponential_(generator=gen).log()
        return L.gumbel_onehot(torch.log(self.prior.cpu().clamp_min(1e-30)), g)

    def sample(self, n: int, seed: int, G: nn.Module) -> tuple[Tensor, Tensor]:
        """``n`` images of ``G`` with c ~ P(C), and their categories."""
        gen = torch.Generator().manual_seed(int(seed))
        z = torch.randn(n, self.hp.d_z, generator=gen)
        c = self.codes(n, gen)
        return G(z.to(self.device), c.to(self.device)), c.argmax(-1)

    def grid(self, seed: int, columns: int, min_prob: float) -> dict[str, Any]:
        """Figures 7-10: the EMA G's images for every category with P(C) >= ``min_prob``
        (rows, sorted by P(C), descending) x ``columns`` shared z's (uint8)."""
        prior = self.prior.cpu()
        cats = [int(k) for k in torch.argsort(prior, descending=True) if prior[k] >= min_prob]
        gen = torch.Generator().manual_seed(int(seed))
        z = torch.randn(columns, self.hp.d_z, generator=gen)
        rows = []
        with torch.no_grad():
            for k in cats:
                c = torch.zeros(columns, self.hp.n_cat)
                c[:, k] = 1.0
                x = self.nets["G_ema"](z.to(self.device), c.to(self.device)).cpu()
                rows.append(((x + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8))
        images = torch.stack(rows) if rows else torch.zeros(0, columns, *self.shape)
        return {"images": images.numpy(), "categories": torch.tensor(cats).numpy(),
                "probs": prior[cats].numpy(), "prior": prior.numpy()}

    def artifacts(self) -> dict[str, dict[str, Any]]:
        """``grid.npz``: the sample grid of Figures 7-10 (fixed z's, the same in every run)."""
        return {"grid.npz": self.grid(GRID_SEED, self.grid_columns, self.grid_min_prob)}

    def extra_state(self) -> dict[str, Any]:
        """P(C) and the step count (checkpointed with the nets by the engine)."""
        return {"prior": self.prior.clone(), "done": self.done}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore :meth:`extra_state`."""
        self.prior.copy_(state["prior"])
        self.done = int(state["done"])
