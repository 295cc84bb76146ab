"""Developer check: every number the specs attribute to a paper occurs in that paper's text.

For every table spec ``tables/<paper>/<id>.toml``, each ``paper`` string of each row (its
value and, when printed, its std) must occur in the paper's full text under
``../shared/papers/`` (next to the repository). The text is normalised first (LaTeX
``\\pm`` / ``{\\pm}``, ``\\textbf{}``, HTML ``<b>`` tags, ``$``, braces, spaces around ±) so that
"8.83±0.09" matches ``$\\textbf{8.83} \\pm \\textbf{0.09}$``; a value with a std must occur
as the pair "value±std". Figure specs' ``paper`` points are checked the same way (their y
values). The papers are not part of the repository: without them the test is skipped.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAPERS_DIR = REPO.parent / "shared" / "papers"
PAPER_FILES = {
    "watanabe": "watanabe-favaro-unified-self-labeling.txt",
    "noroozi": "noroozi-slcgan.txt",
    "cho": "cho-vcagan.txt",
    "zhou": "zhou-amgan.txt",
    "liu": "liu-medgan.txt",
}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_VALUE = re.compile(
    rf"^\s*(?P<value>{_NUMBER})\s*%?\s*(?:(?:±|\+-|\+/-)\s*(?P<std>{_NUMBER})\s*%?)?\s*$")
_MISSING = {"-", "", "n/a"}


def normalise(text: str) -> str:
    """Paper text without LaTeX / HTML markup and braces, ± unified and unspaced.

    Whitespace elsewhere is kept (as single spaces): it separates the cells of a table.
    """
    text = re.sub(r"\\textbf|\\mathbf|\\bf\b|\\mathrm|\\text", "", text)
    text = re.sub(r"</?b>|</?strong>", "", text)
    text = text.replace("\\pm", "±").replace("+/-", "±").replace("\\,", "")
    text = re.sub(r"[{}]", "", text).replace("$", " ")
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*±\s*", "±", text)


def occurs(number: str, text: str) -> bool:
    """``number`` (e.g. "6.81" or "7.28±0.11") occurs in ``text``, not inside a longer number."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


def _spec_files(kind: str) -> list[Path]:
    return sorted((REPO / kind).glob("*/*.toml"))


def _table_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for path in _spec_files("tables"):
        with open(path, "rb") as f:
            spec = tomllib.load(f)
        for row in spec.get("rows", []):
            for column, text in row.get("paper", {}).items():
                where = f"{path.parent.name}/{path.name} row {row['key']!r} column {column!r}"
                cases.append((path.parent.name, where, column, text))
    return cases


def _figure_cases() -> list[tuple[str, str, float]]:
    cases = []
    for path in _spec_files("figures"):
        with open(path, "rb") as f:
            spec = tomllib.load(f)
        for series in spec.get("series", []):
            for _x, y in series.get("paper", []):
                where = f"{path.parent.name}/{path.name} series {series['key']!r}"
                cases.append((path.parent.name, where, y))
    return cases


_TEXTS: dict[str, str] = {}


def paper_text(paper: str) -> str:
    if not PAPERS_DIR.is_dir():
        pytest.skip(f"paper texts not found at {PAPERS_DIR}")
    if paper not in PAPER_FILES:
        pytest.fail(f"spec folder {paper!r} is not one of the papers {sorted(PAPER_FILES)}")
    if paper not in _TEXTS:
        _TEXTS[paper] = normalise((PAPERS_DIR / PAPER_FILES[paper]).read_text(encoding="utf-8"))
    return _TEXTS[paper]


@pytest.mark.parametrize(("paper", "where", "column", "text"), _table_cases(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_table_paper_value_occurs_in_paper(paper: str, where: str, column: str,
                                           text: str) -> None:
    if text.strip() in _MISSING:
        return
    match = _VALUE.match(text)
    assert match, f"{where}: cannot read paper value {text!r}"
    body = paper_text(paper)
    value, std = match.group("value"), match.group("std")
    assert occurs(value, body), f"{where}: value {value} ({text!r}) not in the {paper} text"
    if std is not None:
        assert occurs(std, body), f"{where}: std {std} ({text!r}) not in the {paper} text"
        assert occurs(f"{value}±{std}", body), (
            f"{where}: {value}±{std} ({text!r}) not printed together in the {paper} text")


def _numbers(text: str) -> set[float]:
    return {float(n) for n in re.findall(r"(?<![\d.])\d+\.?\d*", text)}


@pytest.mark.parametrize(("paper", "where", "y"), _figure_cases(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_figure_paper_point_occurs_in_paper(paper: str, where: str, y: float) -> None:
    assert y in _numbers(paper_text(paper)), f"{where}: y = {y} not printed in the {paper} text"


def test_normalise_handles_markup() -> None:
    raw = r"$\textbf{8.83} \pm \textbf{0.09}$ and <b>13.96</b> ± 0.38 and $5.56 {\pm} 0.28$"
    text = normalise(raw)
    assert occurs("8.83±0.09", text)
    assert occurs("13.96±0.38", text)
    assert occurs("5.56±0.28", text)
    assert not occurs("3.96±0.38", text)
    assert not occurs("8.8", text)
