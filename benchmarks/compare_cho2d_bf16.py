"""Does bf16 autocast change what the cho2d (VCAGAN 2-D) trainer learns, beyond seed noise?

Trains the same M members (same seeds, same draws) in fp32 and with bf16 autocast, as two
batched sweeps of the paper's network (4 x 512 MLPs, batch 32) on a shortened schedule,
alternating epochs between the two so that machine load hits both alike. For every final
metric it reports the paired difference bf16 - fp32 over members with its confidence
interval (t, Bonferroni-corrected over the metrics), in units of the seed noise (the
standard deviation over fp32 members). "No shift detected" means every interval contains
0; it is not a proof of equality, and the interval's width says how large a shift M
members could have missed.

    python benchmarks/compare_cho2d_bf16.py [--members 8] [--epochs 6] [--steps 500]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import torch
from scipy import stats

from methods.cho2d import batched
from methods.cho2d.common import make_hp, member_rng
from methods.cho2d.config import DEFAULTS
from methods.cho2d.evaluate import evaluate
from methods.cho2d.step import Models, run_epoch

METRICS = (*(f"pc_{k}" for k in range(8)), "pc_entropy", "n_categories", "clusters_mapped",
           "loss_d", "loss_g", "loss_q")


class Sweep:
    """One batched sweep trained epoch by epoch, with its own wall-clock total."""

    def __init__(self, params: dict[str, Any], members: int, lambda_creg: float) -> None:
        self.hp = make_hp(params)
        self.rngs = [member_rng(0, r) for r in range(members)]
        self.models: Models = batched.build(self.hp, self.rngs, [lambda_creg] * members)
        self.seconds = 0.0
        self.losses: dict[str, torch.Tensor] = {}

    def epoch(self, epoch: int) -> None:
        t0 = time.perf_counter()
        self.losses = run_epoch(self.models, self.hp,
                                batched.draw_batched(self.rngs, self.hp), epoch)
        self.seconds += time.perf_counter() - t0

    def metrics(self) -> list[dict[str, float]]:
        return evaluate(self.models, self.hp, self.losses)


def paired(fp32: list[dict[str, float]], bf16: list[dict[str, float]], level: float = 0.95
           ) -> list[tuple[str, float, float, float, float, float]]:
    """Per metric: (name, fp32 mean, mean difference, CI low, CI high, seed sd) with the
    interval's level Bonferroni-corrected over the metrics compared."""
    names = [n for n in METRICS if n in fp32[0]]
    rows = []
    for name in names:
        a = np.array([m[name] for m in fp32])
        b = np.array([m[name] for m in bf16])
        d = b - a
        if not d.any():  # identical: a zero-width interval (ttest_rel is undefined)
            low = high = 0.0
        else:
            ci = stats.ttest_rel(b, a).confidence_interval(1 - (1 - level) / len(names))
            low, high = float(ci.low), float(ci.high)
        rows.append((name, float(a.mean()), float(d.mean()), low, high, float(a.std(ddof=1))))
    return rows


def main(argv: list[str] | None = None) -> bool:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--steps", type=int, default=500, help="steps per epoch")
    ap.add_argument("--pc-update-epoch", type=int, default=2)
    ap.add_argument("--lambda-creg", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    if args.members < 2:
        ap.error("--members: at least 2 (the comparison needs a spread over members)")
    torch.set_num_threads(args.threads)
    base = {**DEFAULTS, "epochs": args.epochs, "steps_per_epoch": args.steps,
            "pc_update_epoch": args.pc_update_epoch}
    sweeps = {p: Sweep({**base, "bf16": p == "bf16"}, args.members, args.lambda_creg)
              for p in ("fp32", "bf16")}
    for epoch in range(args.epochs):
        for sweep in sweeps.values():
            sweep.epoch(epoch)
    t32, t16 = sweeps["fp32"].seconds, sweeps["bf16"].seconds
    steps = args.members * args.epochs * args.steps
    print(f"VCAGAN 2-D, {args.members} members x {args.epochs} epochs x {args.steps} steps, "
          f"P(C) updated from epoch {args.pc_update_epoch}, lambda_creg {args.lambda_creg}, "
          f"{args.threads} thread(s)")
    print(f"wall: fp32 {t32:.0f} s ({steps / t32:.1f} member-steps/s), bf16 {t16:.0f} s "
          f"({steps / t16:.1f} member-steps/s), bf16 / fp32 time {t16 / t32:.2f}")
    rows = paired(sweeps["fp32"].metrics(), sweeps["bf16"].metrics())
    print(f"paired difference bf16 - fp32 over {args.members} members, 95% CI Bonferroni-"
          f"corrected over {len(rows)} metrics; seed sd = sd over fp32 members")
    print(f"{'metric':<16}{'fp32 mean':>10}{'diff':>10}{'CI low':>10}{'CI high':>10}"
          f"{'seed sd':>10}{'CI/sd':>8}")
    shifted = []
    for name, mean, diff, low, high, sd in rows:
        width = max(abs(low), abs(high)) / sd if sd > 0 else float("nan")
        flag = "" if low <= 0 <= high else "  shift"
        if flag:
            shifted.append(name)
        print(f"{name:<16}{mean:10.4f}{diff:10.4f}{low:10.4f}{high:10.4f}{sd:10.4f}"
              f"{width:8.2f}{flag}")
    print("no shift detected on any metric" if not shifted
          else f"shift detected on: {', '.join(shifted)}")
    return not shifted


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
