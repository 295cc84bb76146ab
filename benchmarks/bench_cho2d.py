"""Throughput of the cho2d (VCAGAN 2-D) training step: plain loop vs batched trainer.

Reports, in one run: the machine's matmul peak (fp32 and bf16 GFLOP/s, best of a few
square matmuls and step-shaped batched matmuls), the plain nn.Module loop's and the
batched trainer's member-steps and useful GFLOP per CPU-second (process time, so a shared
machine and several threads are counted fairly) for the paper-size VCAGAN step (the
matmul FLOPs of one step counted by torch's FlopCounterMode, forward + backward + the
double backward of R2 and L_creg), each as a fraction of the fp32 peak, the other
variants' member-steps per CPU-second, and the CPU-hours of the paper-scale suite.

    python benchmarks/bench_cho2d.py [--threads 1] [--members 1 4 8] [--seconds 4] [--bf16]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from methods.cho2d import batched, plain
from methods.cho2d.common import HP, make_hp, member_rng
from methods.cho2d.config import DEFAULTS
from methods.cho2d.step import Models, train_step

# member-runs of the paper-profile suite (figures/cho/*.toml, tables/cho/pc.toml): Figure 3
# (infogan) and Figure 6 (vcagan, shared with the table's 8-repeat row) are one 8-member
# run each; Figures 5 and 11 and the table's four single rows share four runs
SUITE = {"gan": 1, "gan_cat": 1, "infogan": 8, "elastic": 9, "vcagan": 4 + 8}


def matmul_peak(dtype: torch.dtype, reps: int = 3) -> float:
    """Best GFLOP/s over square and step-shaped (batched 512 x 512) matmuls."""
    best = 0.0
    for shape in ((1, 2048, 2048, 2048), (8, 256, 512, 512), (16, 32, 512, 512)):
        b, n, k, m = shape
        x, w = torch.randn(b, n, k, dtype=dtype), torch.randn(b, k, m, dtype=dtype)
        torch.bmm(x, w)
        iters = max(1, int(2e10 / (2 * b * n * k * m)))
        for _ in range(reps):
            t = time.process_time()
            for _ in range(iters):
                torch.bmm(x, w)
            best = max(best, iters * 2 * b * n * k * m / (time.process_time() - t) / 1e9)
    return best


def steps_per_second(m: Models, hp: HP, draws: dict[str, torch.Tensor], seconds: float,
                     windows: int = 3) -> float:
    """Steps per second: the best of ``windows`` timing windows of ``seconds / windows``
    each, after 3 warm-up steps (best-of, because the machine is shared)."""
    n_avail = draws["x"].shape[0]
    for s in range(3):
        train_step(m, hp, draws["x"][s], draws["z"][s], draws["gumbel"][s], s)
    best, done = 0.0, 0
    for _ in range(windows):
        start, t0 = done, time.process_time()
        while time.process_time() - t0 < seconds / windows or done - start < 2:
            s = 3 + done % (n_avail - 3)
            train_step(m, hp, draws["x"][s], draws["z"][s], draws["gumbel"][s], s)
            done += 1
        best = max(best, (done - start) / (time.process_time() - t0))
    return best


def flops_per_member_step(hp: HP) -> float:
    """Matmul FLOPs of one member's step (batched code with one member)."""
    rng = member_rng(0, 0)
    m = batched.build(hp, [rng], [0.1])
    d = batched.draw_batched([rng], hp)
    train_step(m, hp, d["x"][0], d["z"][0], d["gumbel"][0], 0)
    counter = FlopCounterMode(display=False)
    with counter:
        train_step(m, hp, d["x"][1], d["z"][1], d["gumbel"][1], 1)
    return float(counter.get_total_flops())


def suite_hours(base: dict[str, Any], members: int, seconds: float) -> float:
    """CPU-hours of the paper-scale cho 2-D suite, from each variant's measured speed with
    ``members`` members per batched run."""
    total = 0.0
    for variant, runs in SUITE.items():
        hpv = make_hp({**base, "variant": variant, "pc_update_epoch": 0})
        rngs = [member_rng(0, r) for r in range(members)]
        sps = members * steps_per_second(batched.build(hpv, rngs, [0.1] * members), hpv,
                                         batched.draw_batched(rngs, hpv), seconds)
        secs = runs * 100_000 / sps
        total += secs
        print(f"  {variant:<8} {sps:6.1f} member-steps/CPU-s (M={members}) x {runs:2d} runs "
              f"x 100k steps = {secs / 3600:5.1f} CPU-hours")
    return total / 3600


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--members", type=int, nargs="+", default=[1, 4, 8])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--bf16", action="store_true", help="also time the bf16-autocast step")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    base: dict[str, Any] = {**DEFAULTS, "steps_per_epoch": 64}
    hp = make_hp({**base, "pc_update_epoch": 0})  # the post-epoch-25 step (P(C) update on)
    peak32, peak16 = matmul_peak(torch.float32), matmul_peak(torch.bfloat16)
    print(f"threads {args.threads}; matmul peak: fp32 {peak32:.1f} GFLOP/CPU-s, "
          f"bf16 {peak16:.1f} GFLOP/CPU-s")
    flops = flops_per_member_step(hp)
    print(f"VCAGAN 2-D step (4x512 MLPs, batch 32): {flops / 1e9:.3f} GFLOP per member-step")
    res: dict[str, Any] = {"peak_fp32": peak32, "peak_bf16": peak16, "flops": flops}

    def report(name: str, member_sps: float) -> None:
        gf = member_sps * flops / 1e9
        res[name] = member_sps
        print(f"{name:<22} {member_sps:7.2f} member-steps/CPU-s  {gf:6.1f} GFLOP/CPU-s  "
              f"{gf / peak32:5.1%} of fp32 peak")

    rng = member_rng(0, 0)
    report("plain loop", steps_per_second(plain.build(hp, rng, 0.1), hp, plain.draw(rng, hp),
                                          args.seconds))
    for n in args.members:
        rngs = [member_rng(0, r) for r in range(n)]
        sps = steps_per_second(batched.build(hp, rngs, [0.1] * n), hp,
                               batched.draw_batched(rngs, hp), args.seconds)
        report(f"batched M={n}", sps * n)
    if args.bf16:
        hp16 = make_hp({**base, "pc_update_epoch": 0, "bf16": True})
        n = max(args.members)
        rngs = [member_rng(0, r) for r in range(n)]
        sps = steps_per_second(batched.build(hp16, rngs, [0.1] * n), hp16,
                               batched.draw_batched(rngs, hp16), args.seconds)
        report(f"batched M={n} bf16", sps * n)
    best_m = max(args.members, key=lambda n: res[f"batched M={n}"])
    res["suite_hours"] = suite_hours(base, best_m, args.seconds / 2)
    print(f"paper-scale suite ({sum(SUITE.values())} member-runs x 100k steps): "
          f"{res['suite_hours']:.1f} CPU-hours at {args.threads} thread(s); "
          f"{res['suite_hours'] / 2:.1f} h of wall time on 2 dedicated cores")
    return res


if __name__ == "__main__":
    main()
