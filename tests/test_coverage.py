"""The whole map: every table and figure named by the papers has a spec, and every
paper value of every table comes out of `table --no-run --format json`."""

import json

import pytest

from reproduce.cli import main
from reproduce.coverage import coverage
from reproduce.specs import PAPERS, find_table, table_ids

EXPECTED_TABLES = {
    "watanabe": [str(i) for i in range(1, 9)] + ["teacher"],
    "noroozi": ["1", "2", "3", "4"],
    "zhou": ["1", "2", "3", "acgan-weight", "acgan-original"],
    "liu": ["1", "2", "3", "4", "5"],
    "cho": ["pc"],
}
EXPECTED_FIGURES = {
    "watanabe": ["4", "5b", "5d", "7"], "noroozi": ["4"],
    "cho": ["2", "3", "4", "5", "6", "7", "8", "9", "10", "11"],
    "zhou": ["3", "5", "6", "7"], "liu": ["3", "5a", "5b", "6"],
}


def test_coverage_lists_every_table_and_figure():
    report = {p["paper"]: p for p in coverage(list(PAPERS))}
    for paper, ids in EXPECTED_TABLES.items():
        assert set(ids) <= {t["id"] for t in report[paper]["tables"]}, paper
    for paper, ids in EXPECTED_FIGURES.items():
        assert set(ids) <= {f["id"] for f in report[paper]["figures"]}, paper


def test_coverage_json_command(capsys):
    assert main(["list", "--coverage", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    kinds = {c["kind"] for p in report for t in p["tables"] for c in t["cells"]}
    assert kinds <= {"trainable", "cited", "pending"} and "trainable" in kinds


@pytest.mark.parametrize("paper,table_id", [(p, t) for p in PAPERS for t in table_ids(p)])
def test_no_run_json_gives_every_paper_value(paper, table_id, capsys, tmp_path):
    spec = find_table(paper, table_id)
    assert main(["table", "--paper", paper, "--id", table_id, "--no-run", "--format", "json",
                 "--store", str(tmp_path)]) == 0
    cells = {(c["row"], c["column"]): c for c in json.loads(capsys.readouterr().out)["rows"]}
    for row in spec.rows:
        for column, value in row.paper.items():
            cell = cells[(row.key, column)]
            assert cell["paper_text"] == value.text
            assert cell["paper_value"] == value.value and cell["paper_std"] == value.std
            assert cell["mean"] is None  # nothing was run
