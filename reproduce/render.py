"""Render a cell frame (reproduce.aggregate.cell_frame) as text, Markdown, LaTeX, CSV or JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from reproduce.specs import TableSpec

FORMATS = ("text", "markdown", "latex", "csv", "json")
JSON_FIELDS = ["row", "column", "metric", "paper_value", "paper_std", "mean", "std", "n",
               "status", "profile", "reducer", "extractor", "paper_extractor", "n_failed",
               "reasons", "paper_text"]


def render(frame: pd.DataFrame, spec: TableSpec, profile: str, fmt: str = "text") -> str:
    """The table in format ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return to_json(frame)
    if fmt == "csv":
        return frame[JSON_FIELDS].assign(reasons=frame["reasons"].map("; ".join)).to_csv(
            index=False)
    if fmt == "latex":
        return _latex(frame, spec, profile)
    lines = [_cell_line(r) for r in frame.itertuples()]
    header = ["Method", "Column", "Paper", "Reproduced", "n", "Δ", "Status"]
    body = [[r["row_label"], r["column_label"], r["paper"], r["ours"], r["n"], r["diff"],
             r["status"]] for r in lines]
    title = f"{spec.paper} Table {spec.id}: {spec.title}"
    notes = _footnotes(frame, spec, profile)
    if fmt == "markdown":
        out = [f"### {title}", "", _md_row(header), _md_row(["---"] * len(header))]
        out += [_md_row(row) for row in body]
        return "\n".join(out + [""] + [f"- {n}" for n in notes]) + "\n"
    if fmt == "text":
        return "\n".join([title, notes[0], *_text_table(header, body), *notes[1:]]) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def to_json(frame: pd.DataFrame) -> str:
    """One object per cell; NaN becomes null."""
    cells = [{k: _clean(rec[k]) for k in JSON_FIELDS} for rec in frame.to_dict("records")]
    for cell in cells:
        cell["comparable_with_paper"] = cell["profile"] == "paper"
    return json.dumps(cells, indent=1, ensure_ascii=False) + "\n"


def decimals(paper_text: str, default: int = 3) -> int:
    """Decimal places of the paper's printed value ("58.9±2.0" -> 1)."""
    head = paper_text.replace("+-", "±").split("±")[0].strip().rstrip("%")
    if not head or head == "-":
        return default
    return len(head.split(".")[1]) if "." in head else 0


def _cell_line(r: Any) -> dict[str, str]:
    d = decimals(r.paper_text)
    ours, diff = "", ""
    if r.n:
        # one seed has no spread to show: the value alone (n says 1/1)
        ours = f"{r.mean:.{d}f} ± {r.std:.{d}f}" if r.n > 1 else f"{r.mean:.{d}f}"
        if not math.isnan(r.diff):  # a toy-scale number is never set against the paper's
            diff = f"{r.diff:+.{d}f}" if r.profile == "paper" else "n/c"
    status = {"cited": "cited (not trained)", "pending": f"pending: {r.pending}"}.get(
        r.status, r.status)
    if r.status in ("partial", "missing") and r.n_failed:
        status = f"{r.status}: {r.n_failed} failed" + (f" ({r.reasons[0]})" if r.reasons else "")
    if r.status == "failed" and r.reasons:
        status = f"failed: {r.reasons[0]}"
    return {"row_label": r.row_label, "column_label": r.column_label,
            "paper": r.paper_text or "-", "ours": ours or "-",
            "n": f"{r.n}/{r.n_planned}" if r.n_planned else "", "diff": diff, "status": status}


def _footnotes(frame: pd.DataFrame, spec: TableSpec, profile: str) -> list[str]:
    notes = [f"profile: {profile}; reproduced = mean ± sample std over seeds of the per-run "
             f"value ({', '.join(sorted(set(frame['reducer'])))}; one seed: its value, no ±); "
             "Δ = reproduced - paper"]
    if profile != "paper":
        notes.append(f"profile {profile!r} is a toy-scale run: its numbers are NOT comparable "
                     "with the paper's (Δ: n/c)")
    for column, side in (("extractor", "reproduced"), ("paper_extractor", "paper")):
        pairs = sorted(set(zip(frame["metric"], frame[column], strict=True)))
        notes += [f"{metric}, {side}: feature extractor {name}" for metric, name in pairs if name]
    if spec.source:
        notes.append(f"source: {spec.source}")
    return notes


def _text_table(header: list[str], body: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    rule = "  ".join("-" * w for w in widths)
    return [rule, fmt.format(*header), rule, *(fmt.format(*row) for row in body), rule]


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _latex(frame: pd.DataFrame, spec: TableSpec, profile: str) -> str:
    cols = list(dict.fromkeys(frame["column_label"]))
    out = [r"\begin{table}[t]", r"\centering",
           rf"\caption{{{_tex(spec.title)} (profile: {profile})}}",
           r"\begin{tabular}{l" + "cc" * len(cols) + "}", r"\toprule",
           "Method & " + " & ".join(rf"\multicolumn{{2}}{{c}}{{{_tex(c)}}}" for c in cols)
           + r" \\", " & " + " & ".join(["paper & ours"] * len(cols)) + r" \\", r"\midrule"]
    for _, group in frame.groupby("row", sort=False):
        label = group["row_label"].iloc[0]
        cells = []
        for r in group.itertuples():
            line = _cell_line(r)
            cells += [_tex(line["paper"]), _tex(line["ours"] if r.n else r.status)]
        out.append(_tex(label) + " & " + " & ".join(cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(out) + "\n"


def _tex(text: str) -> str:
    text = str(text).replace("±", r"$\pm$").replace("Δ", r"$\Delta$")
    for a, b in (("%", r"\%"), ("_", r"\_"), ("&", r"\&"), ("#", r"\#"),
                 ("↑", r"$\uparrow$"), ("↓", r"$\downarrow$")):
        text = text.replace(a, b)
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value
