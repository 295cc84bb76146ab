"""Every table rendered from examples/store, compared byte for byte with its golden file.

The golden files were rendered from ``examples/store`` with
``python -m reproduce table --paper P --id I --profile {paper,smoke} --no-run
--store examples/store --format {text,markdown}`` before the command-line code was
reorganised; any change to a rendered table must show up here and be made on purpose.
Regenerate one with REPRODUCE_UPDATE_GOLDEN=1 (and say why in the commit message).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reproduce.cli import main
from reproduce.specs import PAPERS, table_ids

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "tables"
CASES = [(paper, tid, profile, fmt) for paper in PAPERS for tid in table_ids(paper)
         for profile in ("paper", "smoke") for fmt in ("text", "markdown")]


def test_every_table_has_golden_files():
    wanted = {f"{p}-{t}-{profile}.{fmt}" for p, t, profile, fmt in CASES}
    assert wanted == {p.name for p in GOLDEN.iterdir()}


@pytest.mark.parametrize("paper,tid,profile,fmt", CASES,
                         ids=["-".join(c) for c in CASES])
def test_table_matches_golden(capsys, paper, tid, profile, fmt):
    code = main(["table", "--paper", paper, "--id", tid, "--profile", profile, "--no-run",
                 "--store", str(REPO / "examples" / "store"), "--format", fmt])
    out = capsys.readouterr().out
    assert code == 0
    golden = GOLDEN / f"{paper}-{tid}-{profile}.{fmt}"
    if os.environ.get("REPRODUCE_UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()
