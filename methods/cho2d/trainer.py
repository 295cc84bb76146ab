"""``cho2d`` trainer entry point: one run trains a sweep of members batched (see
methods/cho2d/config.py for the design); by default a sweep of one member."""

from __future__ import annotations

import math
from typing import Any

import torch

from methods.base import RunContext, RunFailed
from methods.cho2d import batched
from methods.cho2d.common import make_hp, member_rng
from methods.cho2d.evaluate import combine, evaluate, samples, save_npz
from methods.cho2d.step import run_epoch


def members(p: dict[str, Any]) -> list[tuple[float, int]]:
    """``(lambda_creg, repeat)`` of every member of the run's sweep."""
    lams = [float(v) for v in p["sweep_lambda_creg"]] or [float(p["lambda_creg"])]
    reps = [int(p["repeat"]) + r for r in range(int(p["sweep_repeats"]))]
    return [(lam, r) for lam in lams for r in reps]


def train(ctx: RunContext) -> dict[str, float]:
    """Train the run's members; log per-epoch evaluations; write samples*.npz."""
    p = dict(ctx.params)
    hp = make_hp(p)
    if int(p["threads"]) > 0:
        torch.set_num_threads(int(p["threads"]))
    seed = int(ctx.seed)
    mem = members(p)
    rngs = [member_rng(seed, r) for _, r in mem]
    m = batched.build(hp, rngs, [lam for lam, _ in mem])
    start = 0
    state = ctx.load_checkpoint()
    if state is not None:
        batched.load_state(m, state["models"])
        for rng, rs in zip(rngs, state["rng"], strict=True):
            rng.bit_generator.state = rs
        start = int(state["epoch"])
    eval_every, ckpt_every = int(p["eval_every_epochs"]), int(p["checkpoint_every_epochs"])
    total = hp.epochs * hp.steps_per_epoch
    losses: dict[str, Any] = {}
    for epoch in range(start, hp.epochs):
        losses = run_epoch(m, hp, batched.draw_batched(rngs, hp), epoch)
        bad = [k for k, v in losses.items() if not bool(v.isfinite().all())]
        if bad:
            raise RunFailed(f"non-finite {', '.join(bad)} in epoch {epoch + 1}")
        done, step = epoch + 1, (epoch + 1) * hp.steps_per_epoch
        if done % eval_every == 0 or done == hp.epochs:
            ctx.log_eval(step, combine(evaluate(m, hp, losses)))
        if done % ckpt_every == 0 or done == hp.epochs:
            ctx.save_checkpoint({"models": batched.state_dict(m), "epoch": done, "step": step,
                                 "rng": [rng.bit_generator.state for rng in rngs],
                                 "losses": {k: v.clone() for k, v in losses.items()}})
        ctx.progress(step, total)
    if not losses and state is not None:
        losses = state["losses"]
    final = combine(evaluate(m, hp, losses))
    pts, codes = samples(m, hp, int(p["n_eval_samples"]), seed)
    for j in range(len(mem)):
        save_npz(ctx.run_dir / f"samples_m{j}.npz", pts[j], codes[j])
    save_npz(ctx.run_dir / "samples.npz", pts[0], codes[0])
    if not all(math.isfinite(v) for v in final.values()):
        raise RunFailed("non-finite final metrics")
    return final

