"""The liu2d model: G, D and C on the 2-D ring, one training step, the mode metrics
(see methods/liu2d/config.py for the method and its conventions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from methods.engine.core import Schedule
from methods.engine.protocol import Built
from methods.liu2d import losses
from methods.nets.mlp import Classifier, Discriminator, Generator
from reproduce.data.ring import make_ring
from reproduce.metrics.modes2d import mode_metrics


class Liu2dModel:
    """The three networks, their optimisers, the training data and the model's own random
    generators (batches and noise); the initial weights come from the global generator."""

    def __init__(self, p: Any, seed: int) -> None:
        self.p = p
        self.ring = make_ring(p.data_seed, n_modes=p.n_modes, variance=p.variance,
                              n_labelled=p.n_labelled, n_unlabelled=p.n_unlabelled)
        self.x_l = torch.from_numpy(self.ring.x_labelled)
        self.y_l = torch.from_numpy(self.ring.y_labelled)
        self.x_u = torch.from_numpy(self.ring.x_unlabelled)
        self.G = Generator(p.z_dim, p.n_modes, p.hidden, p.depth)
        self.D = Discriminator(p.n_modes, p.hidden, p.depth)
        self.C = Classifier(p.n_modes, p.hidden, p.depth)
        self.opt_g, self.opt_d, self.opt_c = (
            torch.optim.Adam(net.parameters(), lr=p.lr, betas=(p.beta1, p.beta2))
            for net in (self.G, self.D, self.C))
        self.gen = torch.Generator().manual_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.eval_seed = seed * 1_000_003
        self.samples: tuple[np.ndarray, np.ndarray] | None = None

    def train_step(self, step: int) -> dict[str, torch.Tensor]:
        """One D, C and G update; returns the three losses."""
        p, G, D, C = self.p, self.G, self.D, self.C
        il = torch.from_numpy(self.rng.integers(0, len(self.x_l), p.batch_labelled))
        iu = torch.from_numpy(self.rng.integers(0, len(self.x_u), p.batch_unlabelled))
        x_l, y_l, x_u = self.x_l[il], self.y_l[il], self.x_u[iu]
        z = torch.randn(p.batch_fake, p.z_dim, generator=self.gen)
        y_z = torch.randint(0, p.n_modes, (p.batch_fake,), generator=self.gen)
        with torch.no_grad():
            p_u = torch.softmax(C(x_u), dim=1)
            fake = G(z, y_z)
        loss_d = self._d_loss(x_l, y_l, x_u, p_u, fake, y_z)
        _update(self.opt_d, loss_d)
        loss_c = self._c_loss(x_l, y_l, x_u, fake, y_z)
        _update(self.opt_c, loss_c)
        fake = G(z, y_z)
        loss_g = losses.g_adv_loss(D(fake, y_z)[0])
        if p.recg_weight > 0:
            loss_g = loss_g + p.recg_weight * losses.recognition_loss(C(fake), y_z)
        _update(self.opt_g, loss_g)
        return {"d": loss_d.detach(), "c": loss_c.detach(), "g": loss_g.detach()}

    def _d_loss(self, x_l: torch.Tensor, y_l: torch.Tensor, x_u: torch.Tensor,
                p_u: torch.Tensor, fake: torch.Tensor, y_z: torch.Tensor) -> torch.Tensor:
        """D's loss in Triple-GAN's game + ``ctrs_weight`` * L_ctrs (Eq. 5); ``p_u`` is C's
        label distribution on the unlabelled batch."""
        p, G, D = self.p, self.G, self.D
        lg_l, f_l = D(x_l, y_l)
        lg_f, _ = D(fake, y_z)
        loss_d = losses.d_loss(lg_l, self._d_all_labels(x_u), p_u, lg_f, p.alpha)
        if p.ctrs_weight > 0:
            y_u = p_u.argmax(dim=1)  # the pseudo labels of the anchors and positives
            _, f_u = D(x_u, y_u)
            y_real, f_real = torch.cat([y_l, y_u]), torch.cat([f_l, f_u])
            pos, valid = losses.positive_indices(y_real, self.gen)
            y_neg = torch.randint(0, p.n_modes, (len(y_real),), generator=self.gen)
            with torch.no_grad():  # negatives of any label (section 4.2, after Eq. 5)
                neg_pts = G(torch.randn(len(y_real), p.z_dim, generator=self.gen), y_neg)
            _, f_neg = D(neg_pts, y_real)
            if bool(valid.any()):
                ctrs = losses.triplet_margin_loss(f_real[valid], f_real[pos][valid],
                                                  f_neg[valid], p.gamma)
                loss_d = loss_d + p.ctrs_weight * ctrs
        return loss_d

    def _d_all_labels(self, x: torch.Tensor) -> torch.Tensor:
        """D's logits of every (x, k) pair, (B x K)."""
        k = self.p.n_modes
        return self.D(x.repeat_interleave(k, dim=0), torch.arange(k).repeat(len(x)))[0].view(
            len(x), k)

    def _c_loss(self, x_l: torch.Tensor, y_l: torch.Tensor, x_u: torch.Tensor,
                fake: torch.Tensor, y_z: torch.Tensor) -> torch.Tensor:
        """C's loss: labelled cross-entropy + R_P + its adversarial term."""
        p, C = self.p, self.C
        with torch.no_grad():
            d_all = self._d_all_labels(x_u)
        loss_c = losses.recognition_loss(C(x_l), y_l)
        if p.rp_weight > 0:
            loss_c = loss_c + p.rp_weight * losses.recognition_loss(C(fake), y_z)
        if p.c_adv_weight > 0:
            loss_c = loss_c + p.c_adv_weight * losses.classifier_adv_loss(C(x_u), d_all)
        return loss_c

    def generate(self, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points with uniformly sampled labels, from a generator seeded by ``seed``."""
        gen = torch.Generator().manual_seed(seed)
        y = torch.randint(0, self.p.n_modes, (n,), generator=gen)
        z = torch.randn(n, self.p.z_dim, generator=gen)
        with torch.no_grad():
            pts = self.G(z, y)
        return pts.numpy().astype(np.float32), y.numpy().astype(np.int64)

    def evaluate(self, step: int) -> dict[str, float]:
        """The mode metrics of ``n_eval_samples`` points (the same noise for a step), at the
        paper's 3-std radius and at the strict radius (``*_strict``)."""
        pts, codes = self.generate(self.p.n_eval_samples, self.eval_seed + step)
        self.samples = (pts, codes)
        out = mode_metrics(pts, self.ring.centers, self.ring.std, self.p.mode_threshold)
        # the strict reading: HQ within half the distance between neighbouring centres
        radius = strict_radius(self.ring.centers)
        strict = mode_metrics(pts, self.ring.centers, radius / 3.0, self.p.mode_threshold)
        return {**out, "modes_strict": strict["modes"],
                "hq_percent_strict": strict["hq_percent"]}

    def artifacts(self) -> dict[str, dict[str, np.ndarray]]:
        """``samples.npz``: the points and labels of the last evaluation."""
        if self.samples is None:
            return {}
        return {"samples.npz": {"points": self.samples[0], "codes": self.samples[1]}}

    def state_dict(self) -> dict[str, Any]:
        """Networks, optimisers and the model's random generators."""
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "C": self.C.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
                "opt_c": self.opt_c.state_dict(), "gen": self.gen.get_state(),
                "batch_rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        for name in ("G", "D", "C", "opt_g", "opt_d", "opt_c"):
            getattr(self, name).load_state_dict(state[name])
        self.gen.set_state(state["gen"])
        self.rng.bit_generator.state = state["batch_rng"]


def strict_radius(centers: np.ndarray) -> float:
    """Half the smallest distance between two mode centres (0.383 on the ring of 8): a
    point this close to a centre is near no other one."""
    c = np.asarray(centers, dtype=np.float64)
    d = np.linalg.norm(c[:, None] - c[None, :], axis=2)
    return float(d[~np.eye(len(c), dtype=bool)].min() / 2.0)


def _update(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def build(p: Any, seed: int, dataset: str) -> Built:
    """The liu2d model of a run with typed parameters ``p``, and its schedule."""
    schedule = Schedule(steps=p.steps, eval_every=p.eval_every,
                        checkpoint_every=p.checkpoint_every, progress_every=100, check_every=1)
    return Built(Liu2dModel(p, seed), schedule)
