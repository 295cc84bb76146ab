"""The map of every table and figure: per cell, trainable now, cited, or pending a method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reproduce.args import load_spec
from reproduce.figspecs import figure_ids, load_figure
from reproduce.specs import load_table, spec_root, table_ids


def coverage(papers: list[str], root: Path | None = None) -> list[dict[str, Any]]:
    """Per paper: its tables (cell counts by kind) and figures (series by kind)."""
    report = []
    for paper in papers:
        tables = []
        for tid in table_ids(paper, root):
            spec = load_spec(load_table, spec_root(root) / "tables" / paper / f"{tid}.toml")
            cells = []
            for row in spec.rows:
                cells += [{"row": row.key, "column": c.key, "kind": row.kind,
                           "pending": row.pending} for c in spec.columns]
            tables.append({"id": tid, "title": spec.title, "source": spec.source,
                           "cells": cells, **_counts(cells)})
        figures = []
        for fid in figure_ids(paper, root):
            fig = load_spec(load_figure, spec_root(root) / "figures" / paper / f"{fid}.toml")
            series = [{"series": s.key, "pending": s.pending,
                       "kind": "analogue" if fig.analogue_of and s.kind == "trainable"
                       else s.kind} for s in fig.series]
            figures.append({"id": fid, "title": fig.title, "source": fig.source,
                            "series": series, **_counts(series)})
        report.append({"paper": paper, "tables": tables, "figures": figures})
    return report


def _counts(items: list[dict[str, Any]]) -> dict[str, int]:
    kinds = ("trainable", "analogue", "cited", "pending")
    return {k: sum(i["kind"] == k for i in items) for k in kinds}


def render_coverage(report: list[dict[str, Any]], detailed: bool = False) -> str:
    """Text listing; with ``detailed`` one line per row (or series) and its kind."""
    lines = []
    for paper in report:
        lines.append(f"{paper['paper']}")
        for kind in ("tables", "figures"):
            for item in paper[kind]:
                name = "Table" if kind == "tables" else "Figure"
                analogue = f" ({item['analogue']} analogue)" if item["analogue"] else ""
                lines.append(f"  {name} {item['id']:<14} {item['trainable']:>3} trainable "
                             f"{item['cited']:>3} cited {item['pending']:>3} pending  "
                             f"{item['title'][:70]}{analogue}")
                if detailed:
                    entries = item.get("cells") or item.get("series")
                    seen = set()
                    for e in entries:
                        key = e.get("row") or e.get("series")
                        if key in seen:
                            continue
                        seen.add(key)
                        extra = f" ({e['pending']})" if e["pending"] else ""
                        lines.append(f"      {key:<28} {e['kind']}{extra}")
    return "\n".join(lines) + "\n"
