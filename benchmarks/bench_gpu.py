"""GPU benchmark of the paper-size training steps (benchmarks/gpu_cases.py).

For each case: the method's step time and a hand-written reference loop's (ratio), the
FLOPs of one step (torch.utils.flop_counter), the achieved TFLOP/s as a fraction of the
chip's matmul peak measured here (fp32 and bf16), the GPU-hours of one paper-scale run
at the defaults, and the projected GPU-hours of every table and figure at paper scale.
Writes JSON and Markdown; ``--record`` merges the step times into
benchmarks/gpu_measurements.json (read by reproduce/gpu_costs.py for ``plan``).

    python benchmarks/bench_gpu.py [--device cuda] [--seconds 3] [--json F] [--markdown F]
                                   [--record]
    python benchmarks/bench_gpu.py --device cpu --tiny     # smoke test on a CPU
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import gpu_cases  # noqa: E402

from reproduce import gpu_costs, provenance  # noqa: E402
from reproduce.errors import UserError  # noqa: E402


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def seconds_per_call(fn: Callable[[], Any], device: str, seconds: float,
                     warmup: int = 5, windows: int = 3) -> float:
    """Best (least) mean seconds per call over ``windows`` windows, after warm-up."""
    for _ in range(warmup):
        fn()
    _sync(device)
    best = float("inf")
    for _ in range(windows):
        n, t0 = 0, time.perf_counter()
        while n < 3 or time.perf_counter() - t0 < seconds / windows:
            fn()
            n += 1
            if n % 10 == 0:
                _sync(device)
        _sync(device)
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def matmul_peak(device: str, dtype: torch.dtype, n: int, seconds: float) -> float:
    """TFLOP/s of an ``n x n`` matmul in ``dtype`` (TF32 off for fp32)."""
    a, b = (torch.randn(n, n, device=device, dtype=dtype) for _ in range(2))
    allow = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        t = seconds_per_call(lambda: a @ b, device, seconds)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = allow
    return 2 * n**3 / t / 1e12


class _GlobalOnly:
    """A stand-in for FlopCounterMode's module tracker: every FLOP counts as global (the
    tracker's backward hooks refuse ``autograd.grad`` on leaves, which R1 needs)."""

    parents = frozenset({"Global"})

    def __enter__(self) -> _GlobalOnly:
        return self

    def __exit__(self, *args: object) -> None:
        return None


def step_flops(fn: Callable[[], Any]) -> int:
    """FLOPs of one call (matmuls and convolutions, forward and backward)."""
    counter = FlopCounterMode(display=False)
    counter.mod_tracker = _GlobalOnly()  # type: ignore[assignment]
    with counter:
        fn()
    return int(counter.get_total_flops())


def measure(case: gpu_cases.Case, device: str, seconds: float,
            peak: dict[str, float]) -> dict[str, Any]:
    """Times, ratio, FLOPs, fraction of peak and GPU-hours of one default run."""
    t = seconds_per_call(case.step, device, seconds)
    t_ref = seconds_per_call(case.reference, device, seconds)
    flops = step_flops(case.flop_step or case.step)
    tflops = flops / t / 1e12
    return {"case": case.name, "method": case.method, "step": case.desc,
            "members": case.members, "seconds_per_step": t,
            "reference_seconds_per_step": t_ref, "reference": case.reference_desc,
            "ratio": t / t_ref, "gflop_per_step": flops / 1e9, "tflops": tflops,
            "fraction_of_fp32_peak": tflops / peak["fp32"],
            "fraction_of_bf16_peak": tflops / peak["bf16"],
            "steps_per_default_run": case.steps_per_default_run,
            "hours_per_default_run": t * case.steps_per_default_run / 3600}


def measured_methods(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per method, what gpu_costs reads (cho2d: the step time per sweep size)."""
    out: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["members"]):
        entry = out.setdefault(row["method"], {
            "seconds_per_step": row["seconds_per_step"],
            "steps_per_default_run": row["steps_per_default_run"], "step": row["step"]})
        if row["method"] == "cho2d":
            entry.setdefault("seconds_per_step_by_members", {})[str(row["members"])] = \
                row["seconds_per_step"]
    return out


def projected_hours(device: str, methods: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """GPU-hours of each table and figure with GPU-measured methods, at paper scale."""
    from reproduce import figspecs, specs
    from reproduce.plan import figure_plan, plan_table

    measured = {device: {"methods": methods}}
    rows = []
    for paper in ("watanabe", "noroozi", "cho", "zhou", "liu"):
        targets: list[tuple[str, str, Callable[[str, str], Any]]] = [
            ("table", i, lambda p, i: plan_table(specs.find_table(p, i)))
            for i in specs.table_ids(paper)]
        targets += [("figure", i, lambda p, i: figure_plan(figspecs.find_figure(p, i)))
                    for i in figspecs.figure_ids(paper)]
        for kind, ident, make in targets:
            try:
                plan = make(paper, ident)
            except UserError as err:  # a spec that does not load is named, not costed
                rows.append({"target": f"{paper} {kind} {ident}", "runs": 0,
                             "gpu_hours": 0.0, "not_measured": [f"spec error: {err}"]})
                continue
            runs = [(r.method, r.config["params"]) for r in plan.runs.values()]
            hours, missing = gpu_costs.plan_hours(runs, device, measured)
            if hours or missing:
                rows.append({"target": f"{paper} {kind} {ident}", "runs": len(runs),
                             "gpu_hours": sum(hours.values()), "not_measured": missing})
    return rows


def markdown(report: dict[str, Any]) -> str:
    peak = report["peak_tflops"]
    lines = [f"# GPU benchmark: {report['device']}", "",
             f"commit {report['git_commit']}, {report['measured']}; matmul peak "
             f"{peak['fp32']:.1f} TFLOP/s fp32, {peak['bf16']:.1f} bf16"
             + (" (tiny sizes: not paper scale)" if report["tiny"] else ""), "",
             "| step | ms/step | reference ms | ratio | GFLOP/step | TFLOP/s | of fp32 peak "
             "| h per default run |", "|---|---|---|---|---|---|---|---|"]
    for r in report["cases"]:
        lines.append(f"| {r['case']}: {r['step']} | {1e3 * r['seconds_per_step']:.2f} | "
                     f"{1e3 * r['reference_seconds_per_step']:.2f} | {r['ratio']:.2f} | "
                     f"{r['gflop_per_step']:.3g} | {r['tflops']:.3g} | "
                     f"{100 * r['fraction_of_fp32_peak']:.1f}% | "
                     f"{r['hours_per_default_run']:.2f} |")
    lines += ["", f"| target (paper scale) | runs | hours on {report['device']} | not measured |",
              "|---|---|---|---|"]
    lines += [f"| {t['target']} | {t['runs']} | {t['gpu_hours']:.2f} | "
              f"{', '.join(t['not_measured']) or '-'} |" for t in report["tables"]]
    return "\n".join(lines) + "\n"


def record(report: dict[str, Any], path: Path) -> None:
    data = gpu_costs.load(path)
    data[report["device"]] = {"measured": report["measured"],
                              "git_commit": report["git_commit"],
                              "methods": measured_methods(report["cases"])}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def run(args: argparse.Namespace) -> dict[str, Any]:
    device, tiny = args.device, args.tiny
    torch.manual_seed(0)
    n = 256 if tiny else 8192
    peak = {"fp32": matmul_peak(device, torch.float32, n, args.seconds),
            "bf16": matmul_peak(device, torch.bfloat16, n, args.seconds)}
    cases = [gpu_cases.zhou_case(device, tiny), gpu_cases.watanabe_case(device, tiny)]
    cases += [gpu_cases.cho2d_case(device, tiny, m) for m in args.members]
    rows = [measure(c, device, args.seconds, peak) for c in cases]
    name = torch.cuda.get_device_name() if device.startswith("cuda") else \
        provenance.device_name()
    return {"device": name, "git_commit": provenance.git_commit(), "tiny": tiny,
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "peak_tflops": peak, "cases": rows,
            "tables": projected_hours(name, measured_methods(rows))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--tiny", action="store_true", help="small sizes (CPU smoke test)")
    ap.add_argument("--seconds", type=float, default=3.0, help="timing per step kind")
    ap.add_argument("--members", type=int, nargs="+", default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--record", action="store_true",
                    help=f"merge the step times into {gpu_costs.MEASUREMENTS.name}")
    args = ap.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda: no GPU visible; use --device cpu --tiny", file=sys.stderr)
        return 2
    if args.record and (args.tiny or args.device != "cuda"):
        print("error: --record: only paper-size cuda measurements are recorded",
              file=sys.stderr)
        return 2
    args.members = args.members or ([1, 2] if args.tiny else [1, 8, 32])
    report = run(args)
    text = markdown(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    if args.record:
        record(report, gpu_costs.MEASUREMENTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
