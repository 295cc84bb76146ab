"""One function per command; heavy modules (pandas, torch, submitit) are imported only
when needed."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path

from reproduce.args import (
    check_choice,
    figure_folder,
    figure_target,
    follow_up,
    load_spec,
    open_store,
    output_file,
    specs_root,
    table_target,
    target,
)
from reproduce.errors import UserError
from reproduce.formats import FORMATS
from reproduce.plan import FigurePlan, Plan, figure_plan
from reproduce.profiles import PROFILES, at_paper_scale, protocols
from reproduce.specs import PAPERS, spec_root
from reproduce.store import Store


def cmd_list(args: argparse.Namespace) -> int:
    from reproduce.coverage import coverage, render_coverage

    papers = [args.paper] if args.paper else list(PAPERS)
    for paper in papers:
        check_choice("paper", paper, PAPERS)
    report = coverage(papers, specs_root(args))
    if args.format == "json":
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(render_coverage(report, detailed=args.coverage), end="")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    plan = target(args)
    store = open_store(args, writing=False, missing_ok=True)
    states = {rid: store.state(rid) for rid in plan.runs}
    done = sum(s == "done" for s in states.values())
    kinds = [g.kind for g in plan.groups()]
    unit = "cells" if isinstance(plan, Plan) else "points"
    print(plan.heading)
    print(f"profile {plan.profile}: {plan.seeds} seed(s); {unit}: {kinds.count('trainable')} "
          f"trainable, {kinds.count('cited')} cited, {kinds.count('pending')} pending")
    for name, follows in protocols(plan.spec.profiles).items():
        if name != plan.profile:
            print(f"also at the paper's scale: --profile {name} ({follows})")
    print(f"runs: {len(plan.runs)} ({done} done, {len(plan.runs) - done} to run)")
    _print_method_costs(plan)
    keys = plan.run_keys()
    for rid, run in plan.runs.items():
        print(f"  {rid}  {run.method:<12} {','.join(keys[rid]):<20} "
              f"seed={run.config['seed']}  {states[rid]}")
    return 0


def _print_method_costs(plan: Plan | FigurePlan) -> None:
    """Runs per method; GPU-hours and their notes only at the paper's scale."""
    from methods import registry
    from reproduce.plan import work_scale

    by_method: dict[str, int] = {}
    work: dict[str, float] = {}
    for run in plan.runs.values():
        by_method[run.method] = by_method.get(run.method, 0) + 1
        work[run.method] = work.get(run.method, 0.0) + work_scale(run)
    paper_scale = at_paper_scale(plan.profile)
    for method, count in sorted(by_method.items()):
        info = registry.get(method)
        hours = info.gpu_hours * work[method]
        per_run = f", ~{hours:.0f} GPU-hours ({info.gpu_hours:g} per run at the defaults, " \
            "scaled by each run's work)" if info.gpu_hours and paper_scale else ""
        print(f"  {method}: {count} run(s){per_run}")
        if info.cost_note and (paper_scale or not info.gpu_hours):
            print(textwrap.fill(info.cost_note, 96, initial_indent="    ",
                                subsequent_indent="    "))
    cpu = plan.cost_cpu_seconds()
    if cpu:
        print(f"estimated CPU cost: {cpu:.0f} core-seconds ({cpu / 3600:.2f} h on one core), "
              "from each method's measured cost per run, scaled by its work")
    gpu_hours = plan.gpu_hours()
    if gpu_hours:
        print(f"estimated GPU cost: {gpu_hours:.0f} GPU-hours ({len(plan.runs)} runs; "
              "see the notes above for how each estimate was made)")
    if paper_scale:  # from benchmarks/gpu_measurements.json, per device name
        from reproduce.gpu_costs import summary_lines

        for line in summary_lines([(r.method, r.config["params"]) for r in plan.runs.values()]):
            print(line)


def cmd_table(args: argparse.Namespace) -> int:
    check_choice("format", args.format, FORMATS)
    output = output_file(args.output) if args.output else None
    plan = table_target(args)
    store = open_store(args, writing=not args.no_run)
    if not args.no_run and plan.runs and not launch_and_wait(plan, store, args):
        return 0
    from reproduce.aggregate import cell_frame
    from reproduce.render import render

    text = render(cell_frame(plan, store, args.rescored), plan.spec, plan.profile, args.format)
    _emit(text, output)
    return _exit_for_problems(plan, store)


def _exit_for_problems(plan: Plan | FigurePlan, store: Store, failed_note: str = "") -> int:
    """1 (with a line saying what to do) when a run of the plan failed or is corrupt;
    ``failed_note`` (if any) follows the count of failed runs on stderr."""
    states = [store.state(rid) for rid in plan.runs]
    failed, corrupt = states.count("failed"), states.count("corrupt")
    if failed and failed_note:
        print(f"{failed} run(s) failed; {failed_note}", file=sys.stderr)
    if corrupt:
        print(f"{corrupt} run(s) corrupt: never averaged; `doctor` says what to do",
              file=sys.stderr)
    return 1 if corrupt or failed else 0


def launch_and_wait(plan: Plan | FigurePlan, store: Store, args: argparse.Namespace) -> bool:
    """Submit the plan's runs and wait for them; False when --detach returned at once."""
    from reproduce.launch import EXECUTORS, submit, wait

    check_choice("executor", args.executor, EXECUTORS)
    profile = None
    if args.executor == "slurm":
        from reproduce.slurm_profile import load_slurm_profile

        profile = load_slurm_profile(args.slurm_profile)
    submission = submit(list(plan.runs.values()), store, args.executor, args.workers, profile,
                        device=args.device)
    if args.detach:
        print(f"submitted {len(submission.jobs)} job(s) for {len(submission.run_ids)} run(s); "
              f"follow with `{follow_up('status', args, plan)}` or "
              f"`{follow_up('wait', args, plan)}`", file=sys.stderr)
        return False
    states = wait(list(plan.runs), store, submission)
    failed = [rid for rid, s in states.items() if s == "failed"]
    if failed:
        print(f"{len(failed)} run(s) failed; `status` shows their reasons", file=sys.stderr)
    return True


def cmd_status(args: argparse.Namespace) -> int:
    plan = target(args)
    store = open_store(args, writing=False)
    print(plan.heading)
    where = "" if store.root.is_dir() else " (does not exist: nothing has run here)"
    print(f"profile: {plan.profile}; seeds: {plan.seeds}; store: {store.root.resolve()}{where}")
    statuses = {rid: store.status(rid) for rid in plan.runs}
    for group in plan.groups():
        if group.kind != "trainable":
            print(f"{group.label:<50} {group.kind}" + (f": {group.note}" if group.note else ""))
            continue
        states = [statuses[rid]["state"] for rid in group.run_ids]
        counts = {s: states.count(s) for s in ("done", *sorted(set(states) - {"done"}))}
        print(f"{group.label:<50} " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
        for rid in group.run_ids:
            st = statuses[rid]
            if st["state"] == "failed":
                print(f"    {rid} failed: {st.get('reason', 'unknown reason')}")
            elif st["state"] == "corrupt":  # the reason reads "corrupt: <file>: <why>"
                print(f"    {rid} {st.get('reason', 'corrupt')}")
            elif st["state"] == "running" and st.get("total"):
                print(f"    {rid} running: step {st.get('step', 0)}/{st['total']}")
    if args.runs:
        print("runs:")
        keys, now = plan.run_keys(), time.time()
        for rid, run in plan.runs.items():
            st = statuses[rid]
            device = store.provenance(rid).get("device", "") if st["state"] == "done" else ""
            print(f"  {rid}  {st['state']:<8} {_age(st, now):<10} {run.method:<12} "
                  f"seed={run.config['seed']}  {','.join(keys[rid])}"
                  + (f"  on {device}" if device else ""))
    return 0


def _age(status: dict, now: float) -> str:
    """How long ago the run's record last changed ("-" for a run never started)."""
    stamp = status.get("finished") or status.get("updated")
    if not isinstance(stamp, int | float):
        return "-"
    seconds = max(0.0, now - stamp)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit} ago"
    return f"{seconds:.0f}s ago"


def cmd_wait(args: argparse.Namespace) -> int:
    from reproduce.launch import wait

    plan = target(args)
    states = wait(list(plan.runs), open_store(args, writing=False))
    done = sum(s == "done" for s in states.values())
    failed = sum(s in ("failed", "corrupt") for s in states.values())
    missing = len(states) - done - failed
    print(f"{done} done, {failed} failed, {missing} not started")
    return 1 if failed or missing else 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from reproduce.doctor import doctor
    from reproduce.slurm_state import job_alive

    return doctor(args.store, job_alive)


def cmd_eval(args: argparse.Namespace) -> int:
    from reproduce.evaluate import evaluate_runs

    store = open_store(args, writing=True)
    run_ids = list(args.run or [])
    if args.paper or args.id:
        if not (args.paper and args.id):
            raise UserError("--paper and --id: give both (or --run)")
        run_ids += [rid for rid in table_target(args).runs if store.state(rid) == "done"]
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    for rid, values in evaluate_runs(store, run_ids, metrics, args.extractor, args.n_samples):
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in values.items())
        print(f"{rid}: {shown}")
    return 0


def cmd_figure(args: argparse.Namespace) -> int:
    from reproduce.figures import render_figure

    check_choice("profile", args.profile, PROFILES)
    store = open_store(args, writing=not (args.no_run or args.all))
    out_dir = figure_folder(args, store)
    if args.all:
        return _render_all(store, out_dir, args)
    if not args.paper or not args.id:
        raise UserError("--paper and --id are required (or --all)")
    plan = figure_target(args)
    if not args.no_run and plan.runs and not launch_and_wait(plan, store, args):
        return 0
    paths = render_figure(plan.spec, plan.points, store, out_dir, plan.profile)
    for path in paths:
        print(f"wrote {path}")
    return _exit_for_problems(plan, store, "the figure shows the others")


def _render_all(store: Store, out_dir: Path, args: argparse.Namespace) -> int:
    """Every figure of every paper with a finished run in the store (no runs launched)."""
    from reproduce.figspecs import figure_ids, load_figure
    from reproduce.figures import render_figure

    failures, drawn = 0, 0
    for paper in PAPERS:
        for fid in figure_ids(paper, specs_root(args)):
            path = spec_root(specs_root(args)) / "figures" / paper / f"{fid}.toml"
            try:
                spec = load_spec(load_figure, path)
                if args.profile not in spec.profiles and args.profile != "paper":
                    continue
                plan = figure_plan(spec, args.profile, args.seeds)
                if not any(store.state(rid) == "done" for rid in plan.runs):
                    continue
                for written in render_figure(spec, plan.points, store, out_dir, args.profile):
                    print(f"wrote {written}")
                drawn += 1
            except UserError as err:  # report every figure, then fail
                failures += 1
                print(f"error: {err}", file=sys.stderr)
            except Exception as err:  # noqa: BLE001 - report every figure, then fail
                failures += 1
                print(f"error: {path}: could not render: {err}", file=sys.stderr)
    if not drawn and not failures:
        print(f"note: no figure has a finished run in {store.root} for profile "
              f"{args.profile!r}: nothing drawn", file=sys.stderr)
    return 1 if failures else 0


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
    except OSError as err:
        raise UserError(f"--output: cannot write {output}: {err.strerror}") from None
    print(f"wrote {output}", file=sys.stderr)
