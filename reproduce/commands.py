"""The CLI's commands; heavy modules (pandas, torch, submitit) are imported only when needed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reproduce.cli import FORMATS, specs_root
from reproduce.errors import UserError
from reproduce.plan import Plan, plan_table
from reproduce.specs import PAPERS, PROFILES, find_table
from reproduce.store import Store


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UserError(f"--{name}: unknown value {value!r}; allowed: {', '.join(allowed)}")


def _plan(args: argparse.Namespace) -> Plan:
    _check_choice("profile", args.profile, PROFILES)
    if args.seeds is not None and args.seeds < 1:
        raise UserError("--seeds: must be at least 1")
    spec = find_table(args.paper, str(args.id), specs_root(args))
    spec.profile(args.profile)  # an undefined profile is an error
    return plan_table(spec, args.profile, args.seeds)


def cmd_list(args: argparse.Namespace) -> int:
    from reproduce.coverage import coverage, render_coverage

    papers = [args.paper] if args.paper else list(PAPERS)
    for paper in papers:
        _check_choice("paper", paper, PAPERS)
    report = coverage(papers, specs_root(args))
    if args.format == "json":
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(render_coverage(report, detailed=args.coverage), end="")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    plan = _plan(args)
    store = Store(args.store)
    states = [store.state(rid) for rid in plan.runs]
    by_method: dict[str, int] = {}
    for run in plan.runs.values():
        by_method[run.method] = by_method.get(run.method, 0) + 1
    kinds = [c.kind for c in plan.cells]
    spec = plan.spec
    print(f"{spec.paper} Table {spec.id}: {spec.title}")
    print(f"profile {plan.profile}: {plan.seeds} seed(s); cells: {kinds.count('trainable')} "
          f"trainable, {kinds.count('cited')} cited, {kinds.count('pending')} pending")
    print(f"runs: {len(plan.runs)} ({states.count('done')} done, "
          f"{len(plan.runs) - states.count('done')} to run)")
    import textwrap

    from methods import registry

    for method, count in sorted(by_method.items()):
        info = registry.get(method)
        per_run = f", ~{info.gpu_hours:g} GPU-hours each" if info.gpu_hours else ""
        print(f"  {method}: {count} run(s){per_run}")
        if info.cost_note:
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
    for (rid, run), state in zip(plan.runs.items(), states, strict=True):
        cells = sorted({c.row.key for c in plan.cells if rid in c.run_ids})
        print(f"  {rid}  {run.method:<12} {','.join(cells):<20} seed={run.config['seed']}  "
              f"{state}")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    _check_choice("format", args.format, FORMATS)
    plan = _plan(args)
    store = Store(args.store)
    if not args.no_run and plan.runs:
        done = _launch_and_wait(plan, store, args)
        if not done:
            return 0
    from reproduce.aggregate import cell_frame
    from reproduce.render import render

    text = render(cell_frame(plan, store), plan.spec, plan.profile, args.format)
    _emit(text, args.output)
    failed = [rid for rid in plan.runs if store.state(rid) == "failed"]
    return 1 if failed else 0


def _launch_and_wait(plan: Plan, store: Store, args: argparse.Namespace) -> bool:
    from reproduce.launch import submit, wait

    _check_choice("executor", args.executor, ("local", "debug", "slurm"))
    profile = None
    if args.executor == "slurm":
        from reproduce.slurm_profile import load_slurm_profile

        profile = load_slurm_profile(args.slurm_profile)
    runs = list(plan.runs.values())
    submission = submit(runs, store, args.executor, args.workers, profile)
    if args.detach:
        print(f"submitted {len(submission.jobs)} job(s) for {len(submission.run_ids)} run(s); "
              f"follow with `python -m reproduce status --paper {args.paper} --id {args.id} "
              f"--profile {args.profile} --store {args.store}`", file=sys.stderr)
        return False
    states = wait(list(plan.runs), store, submission)
    failed = [rid for rid, s in states.items() if s == "failed"]
    if failed:
        print(f"{len(failed)} run(s) failed; `status` shows their reasons", file=sys.stderr)
    return True


def cmd_status(args: argparse.Namespace) -> int:
    plan = _plan(args)
    store = Store(args.store)
    for cell in plan.cells:
        label = f"{cell.row.label} / {cell.column.label}"
        if cell.kind != "trainable":
            print(f"{label:<50} {cell.kind}" + (f": {cell.row.pending}" if cell.row.pending
                                                 else ""))
            continue
        statuses = [store.status(rid) for rid in cell.run_ids]
        counts = {s: sum(st["state"] == s for st in statuses)
                  for s in ("done", "running", "pending", "failed", "missing")}
        text = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        print(f"{label:<50} {text}")
        for rid, st in zip(cell.run_ids, statuses, strict=True):
            if st["state"] == "failed":
                print(f"    {rid} failed: {st.get('reason', 'unknown reason')}")
            elif st["state"] == "running" and st.get("total"):
                print(f"    {rid} running: step {st.get('step', 0)}/{st['total']}")
    return 0


def cmd_wait(args: argparse.Namespace) -> int:
    from reproduce.launch import wait

    plan = _plan(args)
    states = wait(list(plan.runs), Store(args.store))
    failed = sum(s == "failed" for s in states.values())
    missing = sum(s in ("missing", "pending") for s in states.values())
    print(f"{len(states) - failed - missing} done, {failed} failed, {missing} not started")
    return 1 if failed else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from reproduce.evaluate import cmd_eval as run_eval

    return run_eval(args)


def cmd_figure(args: argparse.Namespace) -> int:
    from reproduce.figures import run_figure

    return run_figure(args)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)

