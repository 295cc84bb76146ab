"""Plan, run and render a figure spec with matplotlib + seaborn (PNG and PDF)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reproduce.cli import specs_root
from reproduce.errors import UserError
from reproduce.figspecs import FigureSpec, Series, figure_ids, find_figure, load_figure
from reproduce.plan import RunSpec, run_id
from reproduce.specs import PAPERS, PROFILES, spec_root
from reproduce.store import Store


@dataclass(frozen=True)
class FigurePoint:
    series: Series
    x: Any
    runs: tuple[RunSpec, ...]


def plan_figure(spec: FigureSpec, profile: str, seeds: int | None = None) -> list[FigurePoint]:
    """Runs per (series, x value); pending series get no runs."""
    n_seeds = seeds or spec.profile(profile).seeds or spec.seeds
    points = []
    for series in spec.series:
        if series.pending:
            points.append(FigurePoint(series, None, ()))
            continue
        for x, base in spec.configs(series, profile):
            runs = []
            for seed in range(n_seeds):
                config = {**base, "seed": seed, "profile": profile}
                runs.append(RunSpec(run_id(config), config))
            points.append(FigurePoint(series, x, tuple(runs)))
    return points


def run_figure(args: argparse.Namespace) -> int:
    """The `figure` command: one figure (--paper/--id) or every figure with data (--all)."""
    if args.profile not in PROFILES:
        raise UserError(f"--profile: unknown value {args.profile!r}; allowed: "
                        f"{', '.join(PROFILES)}")
    store = Store(args.store)
    out_dir = Path(args.output) if args.output else store.root / "figures"
    if getattr(args, "all", False):
        return _render_all(store, out_dir, args)
    if not args.paper or not args.id:
        raise UserError("--paper and --id are required (or --all)")
    spec = find_figure(args.paper, str(args.id), specs_root(args))
    spec.profile(args.profile)
    points = plan_figure(spec, args.profile, args.seeds)
    runs = {r.run_id: r for p in points for r in p.runs}
    if not args.no_run and runs:
        from reproduce.launch import submit, wait

        profile = None
        if args.executor == "slurm":
            from reproduce.slurm_profile import load_slurm_profile

            profile = load_slurm_profile(args.slurm_profile)
        submission = submit(list(runs.values()), store, args.executor, args.workers, profile)
        if args.detach:
            print(f"submitted {len(submission.jobs)} job(s)", file=sys.stderr)
            return 0
        wait(list(runs), store, submission)
    paths = render_figure(spec, points, store, out_dir, args.profile)
    for path in paths:
        print(f"wrote {path}")
    failed = [rid for rid in runs if store.state(rid) == "failed"]
    if failed:
        print(f"{len(failed)} run(s) failed; the figure shows the others", file=sys.stderr)
    return 1 if failed or not paths else 0


def _render_all(store: Store, out_dir: Path, args: argparse.Namespace) -> int:
    failures = 0
    for paper in PAPERS:
        for fid in figure_ids(paper, specs_root(args)):
            spec = load_figure(spec_root(specs_root(args)) / "figures" / paper / f"{fid}.toml")
            if args.profile not in spec.profiles and args.profile != "paper":
                continue
            points = plan_figure(spec, args.profile, args.seeds)
            if not any(store.state(r.run_id) == "done" for p in points for r in p.runs):
                continue
            try:
                for path in render_figure(spec, points, store, out_dir, args.profile):
                    print(f"wrote {path}")
            except Exception as err:  # noqa: BLE001 - report every figure, then fail
                failures += 1
                print(f"error: {spec.path}: could not render: {err}", file=sys.stderr)
    return 1 if failures else 0


def render_figure(spec: FigureSpec, points: list[FigurePoint], store: Store, out_dir: Path,
                  profile: str) -> list[Path]:
    """Draw the figure from finished runs; writes PNG and PDF, returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    from reproduce import figure_kinds

    sns.set_theme(style="whitegrid", context="paper")
    done = [p for p in points if p.runs and any(store.state(r.run_id) == "done" for r in p.runs)]
    if not done:
        raise UserError(f"{spec.path}: no finished runs in {store.root} for profile {profile!r}; "
                        "run the figure without --no-run first")
    fig = figure_kinds.draw(spec, done, store)
    import textwrap

    width = max(60, int(fig.get_size_inches()[0] * 13))
    title = textwrap.fill(f"{spec.paper} {spec.source or 'Figure ' + spec.id}: {spec.title}",
                          width)
    if profile != "paper":
        title += f"\n(profile {profile}: toy scale, not comparable with the paper)"
    extractors = {str((store.result(r.run_id) or {}).get(f"{spec.y}_extractor", ""))
                  for p in done for r in p.runs} - {""}
    if extractors:
        title += "\n" + textwrap.fill(f"{spec.y} by {'; '.join(sorted(extractors))}", width)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    target = out_dir / spec.paper
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = target / f"{spec.id}-{profile}.{ext}"
        fig.savefig(path, dpi=150)
        paths.append(path)
    plt.close(fig)
    return paths
