"""The output formats of a table and the machine-readable ones (CSV, JSON) with their
metadata: paper, table, title, profile, whether the numbers are comparable with the
paper's, and the feature extractors behind them.

Numbers are rounded as the table displays them: to the decimals of the paper's printed
value (``decimals``, 3 where the paper prints none).
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

from reproduce.profiles import at_paper_scale

if TYPE_CHECKING:
    import pandas as pd

    from reproduce.specs import TableSpec

FORMATS = ("text", "markdown", "latex", "csv", "json")
FIELDS = ["row", "column", "metric", "paper_value", "paper_std", "mean", "std", "n",
          "status", "profile", "reducer", "extractor", "paper_extractor", "n_failed",
          "reasons", "paper_text"]
ROUNDED = ("mean", "std", "diff")


def decimals(paper_text: str, default: int = 3) -> int:
    """Decimal places of the paper's printed value ("58.9±2.0" -> 1)."""
    head = paper_text.replace("+-", "±").split("±")[0].strip().rstrip("%")
    if not head or head == "-":
        return default
    return len(head.split(".")[1]) if "." in head else 0


def comparable(profile: str) -> bool:
    """Whether numbers of ``profile`` may be set against the paper's (full scale)."""
    return at_paper_scale(profile)


def metadata(frame: pd.DataFrame, spec: TableSpec, profile: str) -> dict[str, Any]:
    """What a reader of a machine-readable table needs besides its cells."""
    extractors: dict[str, dict[str, str]] = {}
    for rec in frame[["metric", "extractor", "paper_extractor"]].to_dict("records"):
        entry = extractors.setdefault(rec["metric"], {"reproduced": "", "paper": ""})
        entry["reproduced"] = entry["reproduced"] or rec["extractor"]
        entry["paper"] = entry["paper"] or rec["paper_extractor"]
    return {"paper": spec.paper, "table": spec.id, "title": spec.title,
            "source": spec.source, "profile": profile,
            "protocol_note": spec.protocol_note(profile),
            "comparable_with_paper": comparable(profile),
            "note": ("reproduced = mean ± sample std over seeds of the per-run value; "
                     "numbers rounded to the decimals the paper prints" +
                     ("" if comparable(profile) else
                      f"; profile {profile!r} is toy scale: NOT comparable with the paper")),
            "extractors": extractors}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per cell: FIELDS, the difference, decimals and comparable_with_paper."""
    out = []
    for rec in frame.to_dict("records"):
        places = decimals(rec["paper_text"])
        cell = {k: _clean(rec[k]) for k in FIELDS}
        cell["diff"] = _clean(rec["diff"]) if comparable(rec["profile"]) else None
        for key in ROUNDED:
            if isinstance(cell[key], float):
                cell[key] = round(cell[key], places)
        cell["decimals"] = places
        cell["comparable_with_paper"] = comparable(rec["profile"])
        out.append(cell)
    return out


def to_json(frame: pd.DataFrame, spec: TableSpec, profile: str) -> str:
    """``{"metadata": {...}, "rows": [one object per cell]}``; NaN becomes null."""
    body = {"metadata": metadata(frame, spec, profile), "rows": records(frame)}
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def to_csv(frame: pd.DataFrame, spec: TableSpec, profile: str) -> str:
    """The cells as CSV, after a header of ``# key: value`` metadata lines (every line
    before the column names starts with ``#``)."""
    meta = metadata(frame, spec, profile)
    out = io.StringIO()
    for key, value in meta.items():
        if key == "extractors":
            for metric, names in value.items():
                out.write(f"# extractor of {metric}: reproduced {names['reproduced'] or '-'};"
                          f" paper {names['paper'] or '-'}\n")
        elif value != "":
            out.write(f"# {key}: {_meta_text(value)}\n")
    rows = records(frame)
    columns = [*FIELDS, "diff", "decimals", "comparable_with_paper"]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "reasons": "; ".join(row["reasons"]),
                         **{k: _csv_number(row[k], row["decimals"]) for k in ROUNDED}})
    return out.getvalue()


def _meta_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())


def _csv_number(value: Any, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value
