"""Machine-readable and LaTeX tables carry what the text table says: the profile, whether
the numbers are comparable with the paper's, the extractors, and numbers rounded as shown."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from reproduce.aggregate import cell_frame
from reproduce.plan import plan_table
from reproduce.render import render
from reproduce.specs import load_table
from reproduce.store import Store
from tests.spec_helpers import GOOD_TABLE, write_spec

EXTRACTOR = "SUBSTITUTE toy-net (not comparable)"


def _table(tmp_path, profile: str = "smoke"):
    """Two finished runs whose mean has no short float repr: (92.6 + 92.8) / 2."""
    text = GOOD_TABLE.replace('better = "higher"', 'better = "higher"\nextractor = "inception"',
                              1).replace('"5.3±1.1"', '"92.5±1.1"', 1)
    spec = load_table(write_spec(tmp_path, text))
    plan = plan_table(spec, profile, seeds=2)
    store = Store(tmp_path / "store")
    for (rid, run), modes in zip(plan.runs.items(), (92.6, 92.8), strict=True):
        store.prepare(rid, run.config)
        store.log_eval(rid, 10, {"modes": modes, "reverse_kl": 0.1})
        store.write_result(rid, {"modes": modes, "modes_extractor": EXTRACTOR},
                           {"wall_seconds": 1.0})
    frame = cell_frame(plan, store)
    assert frame.loc[frame["column"] == "modes", "mean"].iloc[0] == 92.69999999999999
    return spec, frame


def test_latex_shows_not_comparable_marking_difference_and_extractor(tmp_path):
    spec, frame = _table(tmp_path)
    tex = render(frame, spec, "smoke", "latex")
    assert "NOT comparable with the paper" in tex and "profile: smoke" in tex
    assert r"$\Delta$" in tex and "& n/c" in tex
    assert "SUBSTITUTE toy-net" in tex and "inception" in tex  # ours and the paper's
    paper_tex = render(frame.assign(profile="paper"), spec, "paper", "latex")
    assert "NOT comparable" not in paper_tex and "n/c" not in paper_tex
    assert "& +0.2 " in paper_tex  # 92.7 - 92.5, rounded as the paper prints it


def test_json_is_metadata_and_rows_rounded_as_displayed(tmp_path):
    spec, frame = _table(tmp_path)
    body = json.loads(render(frame, spec, "smoke", "json"))
    meta = body["metadata"]
    assert (meta["paper"], meta["table"], meta["title"]) == ("liu", "9", "Toy table")
    assert meta["profile"] == "smoke" and meta["comparable_with_paper"] is False
    assert meta["extractors"]["modes"] == {"reproduced": EXTRACTOR, "paper": "inception"}
    modes = next(r for r in body["rows"] if (r["row"], r["column"]) == ("base", "modes"))
    assert modes["mean"] == 92.7 and modes["std"] == 0.1 and modes["decimals"] == 1
    assert modes["diff"] is None and modes["comparable_with_paper"] is False
    assert modes["extractor"] == EXTRACTOR


def test_csv_has_a_metadata_header_and_columns_and_no_float_noise(tmp_path):
    spec, frame = _table(tmp_path)
    text = render(frame, spec, "smoke", "csv")
    assert "92.69999" not in text
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert "# profile: smoke" in header and "# comparable_with_paper: false" in header
    assert "# paper: liu" in header and "# table: 9" in header and "# title: Toy table" in header
    assert any(EXTRACTOR in line and "paper inception" in line for line in header)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    modes = next(r for r in rows if (r["row"], r["column"]) == ("base", "modes"))
    assert (modes["mean"], modes["std"], modes["comparable_with_paper"]) == ("92.7", "0.1",
                                                                           "False")
    assert modes["profile"] == "smoke" and modes["extractor"] == EXTRACTOR
    again = pd.read_csv(io.StringIO(text), comment="#")  # the header reads as comments
    assert list(again["mean"].dropna()) == [92.7, 0.1]


def test_latex_escapes_every_special_character_once():
    from reproduce.render import _tex

    assert _tex("a_b & 5$ {x}^2 ~ 50% #1 \\ ±Δ↑") == (
        r"a\_b \& 5\$ \{x\}\^{}2 \~{} 50\% \#1 \textbackslash{} $\pm$$\Delta$$\uparrow$")
