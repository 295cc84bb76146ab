"""Render a cell frame (reproduce.aggregate.cell_frame) as text, Markdown, LaTeX, CSV or JSON."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reproduce.formats import comparable, decimals, to_csv, to_json
from reproduce.specs import TableSpec


def render(frame: pd.DataFrame, spec: TableSpec, profile: str, fmt: str = "text") -> str:
    """The table in format ``fmt`` (one of reproduce.formats.FORMATS)."""
    if fmt == "json":
        return to_json(frame, spec, profile)
    if fmt == "csv":
        return to_csv(frame, spec, profile)
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


def _cell_line(r: Any) -> dict[str, str]:
    d = decimals(r.paper_text)
    ours, diff = "", ""
    if r.n:
        # one seed has no spread to show: the value alone (n says 1/1)
        ours = f"{r.mean:.{d}f} ± {r.std:.{d}f}" if r.n > 1 else f"{r.mean:.{d}f}"
        if not math.isnan(r.diff):  # a toy-scale number is never set against the paper's
            diff = f"{r.diff:+.{d}f}" if comparable(r.profile) else "n/c"
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
    if spec.protocol_note(profile):
        notes.append(f"protocol of profile {profile!r}: {spec.protocol_note(profile)}")
    if not comparable(profile):
        notes.append(f"profile {profile!r} is a toy-scale run: its numbers are NOT comparable "
                     "with the paper's (Δ: n/c)")
    for column, side in (("extractor", "reproduced"), ("paper_extractor", "paper")):
        pairs = sorted(set(zip(frame["metric"], frame[column], strict=True)))
        notes += [f"{metric}, {side}: feature extractor {name}" for metric, name in pairs if name]
    suffixes = sorted(set(frame.get("rescored", [])) - {""})
    if suffixes:
        notes.append(f"values re-scored by `reproduce eval` (keys ending {suffixes[0]}), "
                     "not the ones logged during training")
    devices = sorted({d for ds in frame["device"] if ds for d in ds.split(", ")})
    if devices:
        notes.append(f"trained on: {', '.join(devices)}")
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
    """A booktabs table: per column the paper's value, ours and Δ (n/c at toy scale); the
    footnotes of the text format (profile, comparability, extractors) below it."""
    cols = list(dict.fromkeys(frame["column_label"]))
    caption = f"{_tex(spec.title)} (profile: {profile}"
    caption += ")" if comparable(profile) else "; NOT comparable with the paper)"
    out = [r"\begin{table}[t]", r"\centering", rf"\caption{{{caption}}}",
           r"\begin{tabular}{l" + "ccc" * len(cols) + "}", r"\toprule",
           "Method & " + " & ".join(rf"\multicolumn{{3}}{{c}}{{{_tex(c)}}}" for c in cols)
           + r" \\", " & " + " & ".join([r"paper & ours & $\Delta$"] * len(cols)) + r" \\",
           r"\midrule"]
    for _, group in frame.groupby("row", sort=False):
        cells = []
        for r in group.itertuples():
            line = _cell_line(r)
            cells += [_tex(line["paper"]), _tex(line["ours"] if r.n else r.status),
                      _tex(line["diff"] or "-")]
        out.append(_tex(group["row_label"].iloc[0]) + " & " + " & ".join(cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    out += [rf"\par\footnotesize {_tex(note)}" for note in _footnotes(frame, spec, profile)]
    return "\n".join([*out, r"\end{table}"]) + "\n"


_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%",
        "_": r"\_", "&": r"\&", "#": r"\#", "^": r"\^{}", "~": r"\~{}", "±": r"$\pm$",
        "Δ": r"$\Delta$", "↑": r"$\uparrow$", "↓": r"$\downarrow$"}


def _tex(text: str) -> str:
    """``text`` with LaTeX's special characters escaped, one character at a time."""
    return "".join(_TEX.get(ch, ch) for ch in str(text))
