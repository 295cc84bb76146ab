"""Command line: ``python -m reproduce {list,plan,table,status,wait,figure,eval}``.

This module only parses arguments; ``reproduce.commands`` does the work. Commands that
need no torch (list, plan, status, --help) import nothing heavy.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from reproduce.errors import USER_ERRORS
from reproduce.formats import FORMATS
from reproduce.store import DEFAULT_STORE


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message}; see --help", file=sys.stderr)
        raise SystemExit(2)


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"got {text!r}; allowed: an integer >= {low}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"got {value}; allowed: an integer >= {low}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


def _store_default() -> str:
    return os.environ.get("REPRODUCE_STORE", DEFAULT_STORE)


def _common(p: argparse.ArgumentParser, target: bool = True, seeds: bool = True) -> None:
    if target:
        p.add_argument("--paper", required=True, help="watanabe, noroozi, cho, zhou or liu")
        p.add_argument("--id", required=True, help="table (or figure) id, e.g. 1")
        p.add_argument("--figure", action="store_true",
                       help="the id names a figure (needed where a table has the same id)")
    p.add_argument("--profile", default="paper",
                   help="paper (default: the paper's text), official (its public code's "
                   "values, where a spec has them) or smoke (toy scale)")
    p.add_argument("--store", default=_store_default(),
                   help="run store folder (default ./results or $REPRODUCE_STORE)")
    if seeds:
        p.add_argument("--seeds", type=int_at_least(1), default=None,
                       help="override the number of seeds")
    p.add_argument("--specs-root", default=None, help=argparse.SUPPRESS)


def _launching(p: argparse.ArgumentParser) -> None:
    p.add_argument("--executor", default="local", help="local (default), debug or slurm")
    p.add_argument("--slurm-profile", default="default", help="slurm/<NAME>.toml")
    p.add_argument("--workers", type=int_at_least(1), default=None,
                   help="local worker processes (>= 1; default: one per GPU, else per CPU)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto (default: cuda where a job sees a GPU), cpu or cuda")
    p.add_argument("--no-run", action="store_true", help="render from the store only")
    p.add_argument("--detach", action="store_true", help="submit and return at once")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command and option."""
    parser = OneLineParser(
        prog="reproduce", description="Regenerate the tables and figures of five GAN papers.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="papers, tables and figures; which cells are trainable")
    p.add_argument("--paper", default=None)
    p.add_argument("--coverage", action="store_true", help="per cell: trainable/cited/pending")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--specs-root", default=None, help=argparse.SUPPRESS)

    _common(sub.add_parser("plan", help="the runs a table or figure needs, count and cost"))

    p = sub.add_parser("table", help="plan, run what is missing, aggregate and render")
    p.add_argument("--paper", required=True, help="watanabe, noroozi, cho, zhou or liu")
    p.add_argument("--id", required=True, help="table id, e.g. 1")
    _common(p, target=False)
    _launching(p)
    p.add_argument("--format", default="text", help=", ".join(FORMATS))
    p.add_argument("--output", default=None, help="write to this file")
    p.add_argument("--rescored", default="", metavar="SUFFIX",
                   help="show the values `eval` stored under this key suffix (e.g. "
                   "_inception, _n10000_inception) instead of the training-time ones")

    p = sub.add_parser("figure", help="plan, run what is missing and render a figure")
    p.add_argument("--paper", default=None)
    p.add_argument("--id", default=None, help="figure id, e.g. 3")
    p.add_argument("--all", action="store_true", help="render every figure with data")
    _common(p, target=False)
    _launching(p)
    p.add_argument("--output", default=None,
                   help="folder for <paper>/<id>-<profile>.png/.pdf (default <store>/figures)")

    p = sub.add_parser("status", help="per cell: done, running, failed (reason), missing")
    _common(p)
    p.add_argument("--runs", action="store_true", help="one line per run: state and age")

    p = sub.add_parser("eval", help="evaluate stored checkpoints with chosen metrics")
    p.add_argument("--run", action="append", help="run id (repeatable)")
    p.add_argument("--paper", default=None, help="with --id: every finished run of a table")
    p.add_argument("--id", default=None)
    p.add_argument("--metrics", required=True, help="comma-separated metric names")
    p.add_argument("--extractor", default="", help="feature extractor, e.g. inception")
    p.add_argument("--n-samples", type=int_at_least(0), default=0,
                   help="samples to draw (0: the run's own count)")
    _common(p, target=False)

    _common(sub.add_parser("wait", help="wait for the runs submitted with --detach"))
    _common(sub.add_parser("doctor", help="every problem in a store and what to do about it"),
            target=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; user errors are one line and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        from reproduce import commands

        return getattr(commands, f"cmd_{args.command}")(args)
    except USER_ERRORS as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        from reproduce.metrics.extractors import MissingWeights

        if isinstance(err, MissingWeights):  # a weights file to fetch: a one-line message
            print(f"error: {err}", file=sys.stderr)
            return 2
        raise
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are kept; run the same command again to resume",
              file=sys.stderr)
        return 130
