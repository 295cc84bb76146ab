"""Hyper-parameters, network shapes, seeding and noise shared by the plain loop and the
batched trainer of ``cho2d`` (numpy random streams, so both consume identical draws)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from methods.cho2d.config import INFO
from reproduce.data import gauss4


@dataclass(frozen=True)
class HP:
    """The parameters one training step and the schedule need."""

    variant: str
    n_cat: int  # K: categories of the categorical latent
    d_z: int
    hidden: int
    n_hidden: int
    lr: float
    beta1: float
    beta2: float
    batch_size: int
    lambda_cls: float
    lambda_r2: float
    pc_ema: float
    g_ema: float
    gumbel_temperature: float
    prior_lr: float
    steps_per_epoch: int
    epochs: int
    pc_update_epoch: int
    bf16: bool
    prior: tuple[float, ...]  # initial (or fixed) P(C)

    @property
    def cagan(self) -> bool:
        """D with K outputs and CAGAN inner products (VCAGAN)."""
        return self.variant == "vcagan"

    @property
    def has_q(self) -> bool:
        return self.variant in ("infogan", "elastic", "vcagan")

    @property
    def g_uses_cls(self) -> bool:
        """L_g includes lambda_cls L_cls (InfoGAN-style, Eq. 3)."""
        return self.variant in ("infogan", "elastic")

    @property
    def update_step(self) -> int:
        """First step at which P(C) is updated ("after epoch 25")."""
        return self.pc_update_epoch * self.steps_per_epoch

    def dims(self) -> dict[str, list[int]]:
        """Layer widths of G, D and (if any) Q."""
        hid = [self.hidden] * self.n_hidden
        out = {"G": [self.d_z + self.n_cat, *hid, 2],
               "D": [2, *hid, self.n_cat if self.cagan else 1]}
        if self.has_q:
            out["Q"] = [2, *hid, self.n_cat]
        return out


def make_hp(p: Any) -> HP:
    """Build :class:`HP` from a run's typed parameters (or a mapping of them, checked)."""
    if isinstance(p, Mapping):
        p = INFO.typed(p)
    if p.variant == "gan":
        prior: tuple[float, ...] = (1.0,)
    elif p.variant in ("gan_cat", "infogan"):
        prior = tuple(p.fixed_prior)
    else:  # P(C) initialised uniform (Algorithm 1 discussion)
        prior = (1.0 / p.d_c,) * p.d_c
    return HP(variant=p.variant, n_cat=len(prior), d_z=p.d_z, hidden=p.hidden,
              n_hidden=p.n_hidden, lr=p.lr, beta1=p.beta1, beta2=p.beta2,
              batch_size=p.batch_size, lambda_cls=p.lambda_cls, lambda_r2=p.lambda_r2,
              pc_ema=p.pc_ema, g_ema=p.g_ema, gumbel_temperature=p.gumbel_temperature,
              prior_lr=p.prior_lr, steps_per_epoch=p.steps_per_epoch, epochs=p.epochs,
              pc_update_epoch=p.pc_update_epoch, bf16=p.bf16, prior=prior)


def member_rng(seed: int, repeat: int) -> np.random.Generator:
    """The random stream of one member (init, then every epoch's draws)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(repeat)]))


def init_weights(rng: np.random.Generator, hp: HP) -> dict[str, list[np.ndarray]]:
    """N(0, 1) weights ``(in, out)`` per layer (equalized learning rate), G, D, Q order."""
    return {name: [rng.standard_normal((a, b)).astype(np.float32)
                   for a, b in zip(dims[:-1], dims[1:], strict=True)]
            for name, dims in hp.dims().items()}


def draw_epoch(rng: np.random.Generator, hp: HP) -> dict[str, np.ndarray]:
    """One epoch of real batches, z and Gumbel noise: ``(steps, B, .)`` float32."""
    shape = (hp.steps_per_epoch, hp.batch_size)
    x, _ = gauss4.sample(rng, shape[0] * shape[1])
    z = rng.standard_normal((*shape, hp.d_z)).astype(np.float32)
    gum = rng.gumbel(size=(*shape, hp.n_cat)).astype(np.float32)
    return {"x": x.reshape(*shape, 2), "z": z, "gumbel": gum}
