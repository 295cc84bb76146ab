"""Bad arguments and bad paths: exit status 2, exactly one line on stderr, no traceback,
and the store's bytes unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reproduce.cli import main
from reproduce.plan import plan_table
from reproduce.specs import find_table
from reproduce.store import Store
from tests.test_cli import tree_digest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path) -> Path:
    """A store holding one finished liu2d run of liu Table 1 (smoke)."""
    plan = plan_table(find_table("liu", "1"), "smoke", seeds=1)
    rid, run = next(iter(plan.runs.items()))
    s = Store(tmp_path / "store")
    s.prepare(rid, run.config)
    s.log_eval(rid, 300, {"modes": 8.0, "hq_percent": 90.0, "reverse_kl": 0.01})
    s.write_result(rid, {"modes": 8.0, "hq_percent": 90.0, "reverse_kl": 0.01},
                   {"wall_seconds": 1.0})
    assert s.state(rid) == "done"
    return s.root


def _run(args: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own errors
        code = int(stop.code or 0)
    return code, capsys.readouterr().err


def _done_run(store: Path) -> str:
    return next(p.name for p in (store / "runs").iterdir())


CASES = {
    "eval unknown metric": (["eval", "--run", "{run}", "--metrics", "bogus"],
                            "--metrics: 'bogus' unknown to method 'liu2d'"),
    "eval unknown extractor": (["eval", "--run", "{run}", "--metrics", "modes",
                                "--extractor", "bogus"], "--extractor: unknown extractor"),
    "eval negative samples": (["eval", "--run", "{run}", "--metrics", "modes",
                               "--n-samples", "-5"], "--n-samples: got -5"),
    "eval empty metrics": (["eval", "--run", "{run}", "--metrics", ","], "--metrics: empty"),
    "eval half a table": (["eval", "--paper", "liu", "--metrics", "modes"],
                          "--paper and --id: give both"),
    "workers 0": (["table", "--paper", "liu", "--id", "1", "--workers", "0"],
                  "--workers: got 0; allowed: an integer >= 1"),
    "workers -3": (["table", "--paper", "liu", "--id", "1", "--workers", "-3"],
                   "--workers: got -3"),
    "workers text": (["figure", "--paper", "liu", "--id", "3", "--workers", "two"],
                     "--workers: got 'two'"),
    "seeds 0": (["plan", "--paper", "liu", "--id", "1", "--seeds", "0"], "--seeds: got 0"),
    "missing id": (["status", "--paper", "liu"], "required: --id"),
    "list format": (["list", "--format", "xml"], "--format: invalid choice"),
    "unknown id": (["status", "--paper", "liu", "--id", "77"],
                   "has no table or figure '77'; tables: 1, 2, 3, 4, 5; figures: 3"),
    "not a figure": (["wait", "--paper", "liu", "--id", "1", "--figure"],
                     "paper 'liu' has no figure '1'"),
    "output is a folder": (["table", "--paper", "liu", "--id", "1", "--profile", "smoke",
                            "--no-run", "--output", "{tmp}"], "is a folder"),
    "output impossible": (["table", "--paper", "liu", "--id", "1", "--profile", "smoke",
                           "--no-run", "--output", "/proc/self/no/such/file.txt"],
                          "--output: cannot write"),
    "figure output in specs": (["figure", "--paper", "liu", "--id", "3", "--no-run",
                                "--output", str(REPO / "figures")],
                               "inside the spec folder"),
    "figure output a file": (["figure", "--paper", "liu", "--id", "3", "--no-run",
                              "--output", "{store}/runs/{run}/config.json"], "is a file"),
    "store empty": (["plan", "--paper", "liu", "--id", "1", "--store", " "],
                    "--store: empty"),
    "store is a file": (["status", "--paper", "liu", "--id", "1", "--store",
                         "{store}/runs/{run}/config.json"], "is a file"),
    "store mistyped, status": (["status", "--paper", "liu", "--id", "1", "--store",
                                "{store}-typo"], "--store: {store}-typo does not exist"),
    "store mistyped, table": (["table", "--paper", "liu", "--id", "1", "--no-run",
                               "--store", "{store}-typo"], "does not exist"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_argument_is_one_line_exit_2(store, tmp_path, capsys, name):
    args, expected = CASES[name]
    values = {"run": _done_run(store), "store": str(store), "tmp": str(tmp_path)}
    args = [a.format(**values) for a in args]
    if "--store" not in args:
        args += ["--store", str(store)]
    before = tree_digest(store)
    code, err = _run(args, capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert expected.format(**values) in err and "Traceback" not in err
    assert tree_digest(store) == before


def test_figure_with_the_repository_as_store_never_writes_into_spec_folders(capsys):
    before = tree_digest(REPO / "figures")
    code, err = _run(["figure", "--paper", "liu", "--id", "3", "--no-run", "--store",
                      str(REPO)], capsys)
    assert code == 2 and err.count("\n") == 1 and "inside the spec folder" in err
    assert tree_digest(REPO / "figures") == before


def test_a_spec_file_that_is_not_utf8_is_one_line(tmp_path, store):
    folder = tmp_path / "specs" / "tables" / "liu"
    folder.mkdir(parents=True)
    (folder / "9.toml").write_bytes(b'title = "caf\xe9"\n')
    before = tree_digest(store)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for command in ("table", "plan"):
        out = subprocess.run([sys.executable, "-m", "reproduce", command, "--paper", "liu",
                              "--id", "9", "--store", str(store), "--specs-root",
                              str(tmp_path / "specs")], capture_output=True, text=True,
                             cwd=REPO, env=env, timeout=120)
        assert out.returncode == 2, out.stderr
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
        assert "9.toml: not UTF-8 text (byte 0xe9 at offset 12)" in out.stderr
    assert tree_digest(store) == before
