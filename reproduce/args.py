"""Checks of parsed arguments that need more than argparse: choices known only at run
time, the store and output paths, and which spec (table or figure) ``--id`` names."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from reproduce.errors import SpecError, UserError
from reproduce.figspecs import FigureSpec, figure_ids, find_figure
from reproduce.plan import FigurePlan, Plan, figure_plan, plan_table
from reproduce.profiles import PROFILES
from reproduce.specs import PAPERS, TableSpec, find_table, spec_root, table_ids
from reproduce.store import DEFAULT_STORE, Store

T = TypeVar("T", TableSpec, FigureSpec)


def check_choice(name: str, value: str, allowed: tuple[str, ...] | list[str]) -> None:
    """``--name value`` must be one of ``allowed``."""
    if value not in allowed:
        raise UserError(f"--{name}: unknown value {value!r}; allowed: {', '.join(allowed)}")


def specs_root(args: argparse.Namespace) -> Path | None:
    """The folder holding tables/ and figures/ (the repository unless --specs-root)."""
    return Path(args.specs_root) if getattr(args, "specs_root", None) else None


@contextmanager
def utf8_spec(path: Path) -> Iterator[None]:
    """Turn a spec file that is not UTF-8 text into a one-line error naming it."""
    try:
        yield
    except UnicodeDecodeError as err:
        raise SpecError(path, "", f"not UTF-8 text (byte {err.object[err.start]:#04x} at "
                        f"offset {err.start}); allowed: a UTF-8 TOML file") from None


def load_spec(loader: Callable[[Path], T], path: Path) -> T:
    """``loader(path)`` with non-UTF-8 bytes reported as a SpecError."""
    with utf8_spec(path):
        return loader(path)


def open_store(args: argparse.Namespace, writing: bool, missing_ok: bool = False) -> Store:
    """The store named by --store (or $REPRODUCE_STORE), checked by ``Store.open``. A
    reading command on a store the user named that does not exist is a one-line error (a
    mistyped path); the default ./results, or any store for ``missing_ok`` (``plan``),
    may not exist yet: said on stderr, every run reads as missing."""
    text = str(args.store)
    if not writing and text.strip() and not Path(text).expanduser().exists():
        if not missing_ok and text != DEFAULT_STORE:
            raise UserError(f"--store: {text} does not exist; allowed: the folder of a store "
                            "that runs were written to (this command only reads)")
        print(f"note: store {text} does not exist (yet): every run reads as missing",
              file=sys.stderr)
        return Store(Path(text).expanduser())
    from reproduce.slurm_state import job_alive  # runs owned by SLURM jobs on other hosts

    return Store.open(text, for_writing=writing, job_alive=job_alive)


def target(args: argparse.Namespace) -> Plan | FigurePlan:
    """The plan of the table or figure that --paper/--id name: the figure with --figure
    or when only a figure has that id, else the table."""
    check_choice("paper", args.paper, PAPERS)
    root, wanted = specs_root(args), str(args.id)
    tables, figures = table_ids(args.paper, root), figure_ids(args.paper, root)
    if wanted in figures and (args.figure or wanted not in tables):
        return figure_target(args)
    if wanted not in tables or args.figure:
        what = "figure" if args.figure else "table or figure"
        raise UserError(f"--id: paper {args.paper!r} has no {what} {wanted!r}; tables: "
                        f"{', '.join(tables) or '(none)'}; figures: "
                        f"{', '.join(figures) or '(none)'}")
    if wanted in figures:
        print(f"note: {args.paper} {wanted} names a table and a figure: this is Table "
              f"{wanted}; add --figure for Figure {wanted}", file=sys.stderr)
    return table_target(args)


def table_target(args: argparse.Namespace) -> Plan:
    """The plan of the table that --paper/--id name."""
    spec = _spec(args, "tables", find_table)
    return plan_table(spec, args.profile, args.seeds)


def figure_target(args: argparse.Namespace) -> FigurePlan:
    """The plan of the figure that --paper/--id name."""
    spec = _spec(args, "figures", find_figure)
    return figure_plan(spec, args.profile, args.seeds)


def _spec(args: argparse.Namespace, folder: str,
          find: Callable[[str, str, Path | None], T]) -> T:
    """The spec --paper/--id name in ``folder``, with its --profile checked."""
    check_choice("profile", args.profile, PROFILES)
    root = specs_root(args)
    with utf8_spec(spec_root(root) / folder / str(args.paper) / f"{args.id}.toml"):
        spec = find(args.paper, str(args.id), root)
    spec.profile(args.profile)  # an undefined profile is an error
    return spec


def follow_up(command: str, args: argparse.Namespace, plan: Plan | FigurePlan) -> str:
    """The exact command that follows a detached submission of ``plan``."""
    words = ["python", "-m", "reproduce", command, "--paper", plan.spec.paper,
             "--id", plan.spec.id]
    if isinstance(plan, FigurePlan):
        words.append("--figure")
    words += ["--profile", plan.profile, "--store", str(args.store)]
    if args.seeds is not None:
        words += ["--seeds", str(args.seeds)]
    return shlex.join(words)


def output_file(path_text: str) -> Path:
    """--output of a table: a file path whose folder can be made."""
    path = Path(path_text)
    if path.is_dir() or path_text.endswith(("/", "\\")):
        raise UserError(f"--output: {path} is a folder; allowed: a file path")
    return path


def figure_folder(args: argparse.Namespace, store: Store) -> Path:
    """Where figures go: --output or <store>/figures, never inside the spec folders."""
    folder = Path(args.output) if args.output else store.root / "figures"
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--output: {folder} is a file; allowed: a folder for the figures")
    specs = spec_root(specs_root(args)).resolve()
    inside = folder.resolve()
    for kind in ("figures", "tables"):
        spec_dir = specs / kind
        if inside == spec_dir or spec_dir in inside.parents:
            raise UserError(f"--output: {folder} is inside the spec folder {spec_dir}; "
                            "allowed: a folder outside it (default <store>/figures)")
    return folder
