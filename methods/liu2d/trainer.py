"""Trainer of liu2d (see methods/liu2d/config.py for the method and its conventions)."""

from __future__ import annotations

import math
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from methods.base import RunContext, RunFailed
from methods.liu2d import losses
from methods.nets.mlp import Classifier, Discriminator, Generator
from reproduce.data.ring import RingData, make_ring
from reproduce.metrics.modes2d import mode_metrics


def _np_global_state() -> tuple[Any, ...]:
    """numpy's legacy global RNG state with plain Python types (loadable with
    ``torch.load(weights_only=True)``)."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return (str(name), [int(v) for v in keys], int(pos), int(has_gauss), float(cached))


class _Nets:
    """The three networks, their optimisers and the trainer's own random generators."""

    def __init__(self, p: dict[str, Any], seed: int):
        k, h, d = int(p["n_modes"]), int(p["hidden"]), int(p["depth"])
        torch.manual_seed(seed)
        self.G = Generator(int(p["z_dim"]), k, h, d)
        self.D = Discriminator(k, h, d)
        self.C = Classifier(k, h, d)
        betas = (float(p["beta1"]), float(p["beta2"]))
        lr = float(p["lr"])
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)
        self.opt_c = torch.optim.Adam(self.C.parameters(), lr=lr, betas=betas)
        self.gen = torch.Generator().manual_seed(seed)
        self.rng = np.random.default_rng(seed)

    def state(self, step: int) -> dict[str, Any]:
        """Everything needed to resume exactly after ``step``."""
        return {
            "step": step,
            "G": self.G.state_dict(), "D": self.D.state_dict(), "C": self.C.state_dict(),
            "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
            "opt_c": self.opt_c.state_dict(),
            "gen": self.gen.get_state(), "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(), "np_rng": _np_global_state(),
            "py_rng": random.getstate(),
        }

    def load(self, state: dict[str, Any]) -> int:
        """Restore a :meth:`state`; returns its step."""
        for name in ("G", "D", "C", "opt_g", "opt_d", "opt_c"):
            getattr(self, name).load_state_dict(state[name])
        self.gen.set_state(state["gen"])
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        name, keys, pos, has_gauss, cached = state["np_rng"]
        np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
        random.setstate(state["py_rng"])
        return int(state["step"])


def _step(nets: _Nets, data: dict[str, torch.Tensor], p: dict[str, Any]) -> dict[str, float]:
    """One D, C and G update; returns the three losses."""
    G, D, C = nets.G, nets.D, nets.C
    k = int(p["n_modes"])
    il = torch.from_numpy(nets.rng.integers(0, len(data["x_l"]), int(p["batch_labelled"])))
    iu = torch.from_numpy(nets.rng.integers(0, len(data["x_u"]), int(p["batch_unlabelled"])))
    x_l, y_l, x_u = data["x_l"][il], data["y_l"][il], data["x_u"][iu]
    nf = int(p["batch_fake"])
    z = torch.randn(nf, int(p["z_dim"]), generator=nets.gen)
    y_z = torch.randint(0, k, (nf,), generator=nets.gen)

    # discriminator (+ L_ctrs)
    with torch.no_grad():
        y_u = C(x_u).argmax(dim=1)
        fake = G(z, y_z)
    lg_l, f_l = D(x_l, y_l)
    lg_u, f_u = D(x_u, y_u)
    lg_f, _ = D(fake, y_z)
    loss_d = losses.d_loss(lg_l, lg_u, lg_f)
    if float(p["ctrs_weight"]) > 0:
        y_real = torch.cat([y_l, y_u])
        f_real = torch.cat([f_l, f_u])
        pos, valid = losses.positive_indices(y_real, nets.gen)
        with torch.no_grad():
            neg_pts = G(torch.randn(len(y_real), int(p["z_dim"]), generator=nets.gen), y_real)
        _, f_neg = D(neg_pts, y_real)
        if bool(valid.any()):
            ctrs = losses.triplet_margin_loss(f_real[valid], f_real[pos][valid], f_neg[valid],
                                              float(p["gamma"]))
            loss_d = loss_d + float(p["ctrs_weight"]) * ctrs
    nets.opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    nets.opt_d.step()

    # classifier
    with torch.no_grad():
        n_u = len(x_u)
        labels_all = torch.arange(k).repeat(n_u)
        d_all = D(x_u.repeat_interleave(k, dim=0), labels_all)[0].view(n_u, k)
    loss_c = losses.recognition_loss(C(x_l), y_l)
    if float(p["rp_weight"]) > 0:
        loss_c = loss_c + float(p["rp_weight"]) * losses.recognition_loss(C(fake), y_z)
    if float(p["c_adv_weight"]) > 0:
        loss_c = loss_c + float(p["c_adv_weight"]) * losses.classifier_adv_loss(C(x_u), d_all)
    nets.opt_c.zero_grad(set_to_none=True)
    loss_c.backward()
    nets.opt_c.step()

    # generator (+ L_recg)
    fake = G(z, y_z)
    loss_g = losses.g_adv_loss(D(fake, y_z)[0])
    if float(p["recg_weight"]) > 0:
        loss_g = loss_g + float(p["recg_weight"]) * losses.recognition_loss(C(fake), y_z)
    nets.opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    nets.opt_g.step()
    return {"d": loss_d.item(), "c": loss_c.item(), "g": loss_g.item()}


def _generate(nets: _Nets, p: dict[str, Any], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points with uniformly sampled labels, from a generator seeded by ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, int(p["n_modes"]), (n,), generator=gen)
    z = torch.randn(n, int(p["z_dim"]), generator=gen)
    with torch.no_grad():
        pts = nets.G(z, y)
    return pts.numpy().astype(np.float32), y.numpy().astype(np.int64)


def _evaluate(nets: _Nets, p: dict[str, Any], ring: RingData, seed: int, step: int
              ) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    pts, codes = _generate(nets, p, int(p["n_eval_samples"]), seed * 1_000_003 + step)
    metrics = mode_metrics(pts, ring.centers, ring.std, int(p["mode_threshold"]))
    return metrics, pts, codes


def _save_samples(run_dir: Path, points: np.ndarray, codes: np.ndarray) -> None:
    """Write ``samples.npz`` atomically (temporary file in the same folder, then replace)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = run_dir / f".samples.{os.getpid()}.tmp.npz"
    np.savez(tmp, points=points, codes=codes)
    os.replace(tmp, run_dir / "samples.npz")


def train(ctx: RunContext) -> dict[str, float]:
    """Train one liu2d run; returns the metrics of the last evaluation."""
    torch.set_num_threads(1)
    p = dict(ctx.params)
    seed = int(ctx.seed)
    ring = make_ring(int(p["data_seed"]), n_modes=int(p["n_modes"]),
                     variance=float(p["variance"]), n_labelled=int(p["n_labelled"]),
                     n_unlabelled=int(p["n_unlabelled"]))
    data = {"x_l": torch.from_numpy(ring.x_labelled), "y_l": torch.from_numpy(ring.y_labelled),
            "x_u": torch.from_numpy(ring.x_unlabelled)}
    steps, eval_every = int(p["steps"]), max(1, int(p["eval_every"]))
    ckpt_every = max(1, int(p["checkpoint_every"]))
    random.seed(seed)
    np.random.seed(seed % 2**32)
    nets = _Nets(p, seed)
    start = 0
    state = ctx.load_checkpoint()
    if state is not None:
        start = nets.load(state)

    metrics: dict[str, float] = {}
    for step in range(start + 1, steps + 1):
        step_losses = _step(nets, data, p)
        if not all(math.isfinite(v) for v in step_losses.values()):
            raise RunFailed(f"non-finite loss at step {step}: {step_losses}")
        if step % eval_every == 0 or step == steps:
            metrics, pts, codes = _evaluate(nets, p, ring, seed, step)
            ctx.log_eval(step, metrics)
        if step % ckpt_every == 0:
            ctx.save_checkpoint(nets.state(step))
        if step % 100 == 0 or step == steps:
            ctx.progress(step, steps)

    if not metrics:  # resumed at (or past) the end: evaluate the restored model
        metrics, pts, codes = _evaluate(nets, p, ring, seed, steps)
        ctx.log_eval(steps, metrics)
    if steps % ckpt_every:
        ctx.save_checkpoint(nets.state(steps))  # the final model, for `reproduce eval`
    _save_samples(ctx.run_dir, pts, codes)
    return metrics


def evaluate(ctx: RunContext, state: dict[str, Any], metrics: list[str],
             options: dict[str, Any]) -> dict[str, float]:
    """Score a stored checkpoint again with the 2-D mode metrics (``reproduce eval``);
    ``options["n_samples"]`` overrides n_eval_samples (the keys get a ``_n<N>`` suffix)."""
    allowed = {"modes", "hq_percent", "reverse_kl"}
    unknown = sorted(set(metrics) - allowed)
    if unknown:
        raise ValueError(f"liu2d evaluates {', '.join(sorted(allowed))}; not {unknown}")
    p = dict(ctx.params)
    n = int(options.get("n_samples") or p["n_eval_samples"])
    ring = make_ring(int(p["data_seed"]), n_modes=int(p["n_modes"]),
                     variance=float(p["variance"]), n_labelled=int(p["n_labelled"]),
                     n_unlabelled=int(p["n_unlabelled"]))
    nets = _Nets(p, int(ctx.seed))
    step = nets.load(state)
    pts, _ = _generate(nets, p, n, int(ctx.seed) * 1_000_003 + step)
    values = mode_metrics(pts, ring.centers, ring.std, int(p["mode_threshold"]))
    suffix = "" if n == int(p["n_eval_samples"]) else f"_n{n}"
    return {f"{k}{suffix}": float(v) for k, v in values.items() if k in metrics}
