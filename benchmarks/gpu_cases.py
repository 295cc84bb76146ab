"""The steps benchmarks/bench_gpu.py times: each method's paper-size training step (the
method's own code, synthetic device batches) and a reference loop written by hand with
the same networks, batch sizes and optimisers (``--tiny``: small sizes, for a CPU)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from methods import registry

Step = Callable[[], None]


@dataclass
class Case:
    """One benchmarked step."""

    name: str
    method: str
    desc: str
    step: Step  # the method's step
    reference: Step  # the hand-written loop's step
    reference_desc: str
    steps_per_default_run: int
    flop_step: Step | None = None  # the step to count FLOPs of (when ``step`` replays a graph)
    members: int = 1


def _update(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def _reals(n: int, ch: int, size: int, device: str) -> torch.Tensor:
    return torch.rand(n, ch, size, size, device=device) * 2 - 1


def zhou_case(device: str, tiny: bool) -> Case:
    """AM-GAN (dynamic labels): one D and one G update, batch 100, 32x32, full width."""
    from methods.zhou_amgan import losses as L
    from methods.zhou_amgan.model import ZhouGAN

    p: dict[str, Any] = dict(registry.get("zhou_amgan").defaults)
    p.update(variant="amgan", labeling="dynamic", wn_data_init=False)
    if tiny:
        p.update(image_size=16, width_mult=0.125, batch_size=8)
    model = ZhouGAN(p, 10, device)
    bs, zd = int(p["batch_size"]), int(p["z_dim"])
    batch = (_reals(bs, int(p["channels"]), int(p["image_size"]), device),
             torch.randint(0, 10, (bs,), device=device))

    def step() -> None:
        model.d_step(batch)
        model.g_step(batch)

    ref = copy.deepcopy(model)
    G, D, opt_g, opt_d = ref.nets["G"], ref.nets["D"], ref.optimizers["G"], ref.optimizers["D"]

    def reference() -> None:
        x, y = batch
        with torch.no_grad():
            fake = G(torch.randn(bs, zd, device=device), None)
        out = L.with_fake_logit(D(torch.cat([x, fake])))
        _update(opt_d, L.labelgan_d_loss(out[:bs], y, out[bs:]))
        out = D(G(torch.randn(bs, zd, device=device), None))
        _update(opt_g, L.amgan_g_loss(L.with_fake_logit(out), L.dynamic_labels(out)))

    return Case("zhou_amgan", "zhou_amgan", f"1 D + 1 G step, batch {bs}, "
                f"{p['image_size']}px, width x{p['width_mult']}", step, reference,
                "the same D and G updates without the model class", int(p["steps"]))


def _watanabe_params(device: str, tiny: bool) -> dict[str, Any]:
    p: dict[str, Any] = dict(registry.get("watanabe_selflabel").defaults)
    p["device"] = device
    if tiny:
        p.update(g_ch=16, d_ch=16, teacher_arch="resnet18-tiny", batch_size=8,
                 batch_size_selflabeled=16, teacher_batch_size=8)
    return p


def watanabe_case(device: str, tiny: bool) -> Case:
    """Algorithm 1 at the defaults: teacher, self-labels, D (DiffAugment, CutMix at its
    final probability, R1) ``d_steps`` times, then G."""
    from methods.watanabe.model import WatanabeGAN, real_batch_size
    from methods.watanabe.trainer import schedule

    p = _watanabe_params(device, tiny)
    model = WatanabeGAN(p, device, 1)
    model.d_count = 10**9  # past the CutMix warm-up
    n_r, d_steps = real_batch_size(p), int(p["d_steps"])
    batch = (_reals(n_r, int(p["channels"]), int(p["image_size"]), device),
             torch.full((n_r,), -1, device=device))

    def step() -> None:
        for _ in range(d_steps):
            model.d_step(batch)
        model.g_step(batch)

    return Case("watanabe", "watanabe_selflabel",
                f"{d_steps} D + 1 G step, {n_r} reals, channels {p['g_ch']}, teacher "
                f"{p['teacher_arch']}", step, _watanabe_reference(model, batch, d_steps,
                                                     int(p["teacher_batch_size"])),
                "networks only: the same G, D and teacher updates with plain hinge/CE "
                "losses and R1, no augmentation, masks or CutMix",
                schedule(p, 50000)["steps"])


def _watanabe_reference(model: Any, batch: tuple[torch.Tensor, torch.Tensor],
                        d_steps: int, tb: int) -> Step:
    ref = copy.deepcopy(model)
    G, D, T = ref.nets["G"], ref.nets["D"], ref.teacher
    k, bs, zd, dev = ref.k, ref.bs, ref.z_dim, ref.device

    def reference() -> None:
        x_r = batch[0]
        for _ in range(d_steps):
            z, c = torch.randn(max(bs, tb), zd, device=dev), torch.randint(0, k, (max(bs, tb),),
                                                                            device=dev)
            with torch.no_grad():
                fake = G(z, c)
            if T is not None:
                _update(T.opt, F.cross_entropy(T.net(fake[:tb]), c[:tb]))
                with torch.no_grad():
                    y_hat = T.ema(x_r).argmax(1)
            small = x_r[:bs].clone().requires_grad_(True)
            cond_s, dec_s = D(small)
            cond_o, dec_o = D(torch.cat([x_r[bs:], fake[:bs]]))
            (grad,) = torch.autograd.grad(dec_s.sum(), small, create_graph=True)
            loss = (F.relu(1 - dec_s).mean() + F.relu(1 + dec_o[-bs:]).mean()
                    + grad.pow(2).sum((1, 2, 3)).mean())
            if cond_s is not None and T is not None:
                cond_r = torch.cat([cond_s, cond_o[: len(x_r) - bs]])
                loss = loss + F.cross_entropy(cond_r, y_hat) + F.cross_entropy(
                    cond_o[-bs:], c[:bs] + k)
            _update(ref.optimizers["D"], loss)
        z, c = torch.randn(bs, zd, device=dev), torch.randint(0, k, (bs,), device=dev)
        cond, dec = D(G(z, c))
        loss = -dec.mean() + (F.cross_entropy(cond, c) if cond is not None else 0.0)
        _update(ref.optimizers["G"], loss)

    return reference


def cho2d_case(device: str, tiny: bool, members: int) -> Case:
    """The batched VCAGAN step of ``members`` members after P(C) updates began; on cuda
    replayed from a CUDA graph, against the same step run eagerly."""
    from methods.cho2d import batched, graph
    from methods.cho2d.common import make_hp, member_rng
    from methods.cho2d.config import DEFAULTS
    from methods.cho2d.step import train_step

    p = {**DEFAULTS, "variant": "vcagan", **({"hidden": 16} if tiny else {})}
    hp = make_hp(p)
    rngs = [member_rng(0, r) for r in range(members)]
    draws = {k: v.to(device) for k, v in batched.draw_batched(rngs, hp).items()}
    fast, eager = (batched.build(hp, rngs, [1.0] * members) for _ in range(2))
    fn = graph.make_step(fast, hp, device)
    graph.move_(eager, device)
    counter = [hp.update_step]

    def run(f: Callable[..., Any]) -> None:
        s = counter[0] % hp.steps_per_epoch
        f(draws["x"][s], draws["z"][s], draws["gumbel"][s], counter[0])
        counter[0] += 1

    def eager_step() -> None:
        run(lambda *a: train_step(eager, hp, *a))

    return Case(f"cho2d M={members}", "cho2d", f"batched VCAGAN step, {members} member(s), "
                f"hidden {hp.hidden}", lambda: run(fn), eager_step,
                "the same batched step, eager (no CUDA graph)",
                hp.epochs * hp.steps_per_epoch, flop_step=eager_step, members=members)
