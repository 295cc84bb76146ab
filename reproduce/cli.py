"""Command line: ``python -m reproduce {list,plan,table,status,wait,figure}``.

Commands that need no torch (list, plan, status, --help) import nothing heavy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reproduce.errors import UserError

FORMATS = ("text", "markdown", "latex", "csv", "json")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reproduce", description="Regenerate the tables and figures of five GAN papers.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, table: bool = True) -> None:
        if table:
            p.add_argument("--paper", required=True, help="watanabe, noroozi, cho, zhou or liu")
            p.add_argument("--id", required=True, help="table (or figure) id, e.g. 1")
        p.add_argument("--profile", default="paper", help="paper (default) or smoke")
        p.add_argument("--store", default=os.environ.get("REPRODUCE_STORE", "results"),
                       help="run store folder (default ./results or $REPRODUCE_STORE)")
        p.add_argument("--seeds", type=int, default=None, help="override the number of seeds")
        p.add_argument("--specs-root", default=None, help=argparse.SUPPRESS)

    p = sub.add_parser("list", help="papers, tables and figures; which cells are trainable")
    p.add_argument("--paper", default=None)
    p.add_argument("--coverage", action="store_true", help="per cell: trainable/cited/pending")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--specs-root", default=None, help=argparse.SUPPRESS)

    p = sub.add_parser("plan", help="the runs a table needs, their count and cost")
    common(p)

    for name, help_text in (("table", "plan, run what is missing, aggregate and render"),
                            ("figure", "plan, run what is missing and render a figure")):
        p = sub.add_parser(name, help=help_text)
        if name == "figure":
            p.add_argument("--paper", default=None)
            p.add_argument("--id", default=None)
            p.add_argument("--all", action="store_true", help="render every figure with data")
        common(p, table=name == "table")
        p.add_argument("--executor", default="local", help="local (default), debug or slurm")
        p.add_argument("--slurm-profile", default="default", help="slurm/<NAME>.toml")
        p.add_argument("--workers", type=int, default=None, help="local worker processes")
        p.add_argument("--no-run", action="store_true", help="render from the store only")
        p.add_argument("--detach", action="store_true", help="submit and return at once")
        if name == "table":
            p.add_argument("--format", default="text", help="text, markdown, latex, csv or json")
        p.add_argument("--output", default=None, help="write to this file (figures: folder)")

    p = sub.add_parser("status", help="per cell: done, running, failed (reason), missing")
    common(p)
    p = sub.add_parser("eval", help="evaluate stored checkpoints with chosen metrics")
    p.add_argument("--run", action="append", help="run id (repeatable)")
    p.add_argument("--paper", default=None, help="with --id: every finished run of a table")
    p.add_argument("--id", default=None)
    p.add_argument("--metrics", required=True, help="comma-separated metric names")
    p.add_argument("--extractor", default="", help="feature extractor, e.g. inception")
    p.add_argument("--n-samples", type=int, default=0, help="samples to draw (0: default)")
    common(p, table=False)
    p = sub.add_parser("wait", help="wait for the runs of a table submitted with --detach")
    common(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from reproduce import commands

        return getattr(commands, f"cmd_{args.command}")(args)
    except UserError as err:
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


def specs_root(args: argparse.Namespace) -> Path | None:
    return Path(args.specs_root) if getattr(args, "specs_root", None) else None
