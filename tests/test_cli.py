import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reproduce.specs import find_table
from tests.spec_helpers import GOOD_TABLE, write_spec

REPO = Path(__file__).resolve().parents[1]


def cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "reproduce", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def filled_store(tmp_path):
    """A store holding one finished run (content must never change on bad input)."""
    store = tmp_path / "store"
    run = store / "runs" / "abc"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"method": "liu2d", "seed": 0}))
    (run / "result.json").write_text(json.dumps({"modes": 8.0}))
    return store


@pytest.mark.parametrize("args,expected", [
    (["table", "--paper", "nope", "--id", "1"], "--paper: unknown paper 'nope'; allowed:"),
    (["table", "--paper", "liu", "--id", "99"], "--id: paper 'liu' has no table '99'; allowed:"),
    (["table", "--paper", "liu", "--id", "1", "--profile", "huge"],
     "--profile: unknown value 'huge'; allowed: paper"),
    (["table", "--paper", "liu", "--id", "1", "--format", "html"],
     "--format: unknown value 'html'; allowed: text"),
    (["table", "--paper", "liu", "--id", "1", "--executor", "cloud", "--profile", "smoke"],
     "--executor: unknown value 'cloud'; allowed: local, debug, slurm"),
])
def test_bad_arguments_exit_2_with_one_line(filled_store, args, expected):
    before = tree_digest(filled_store)
    out = cli(*args, "--store", str(filled_store))
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1 and expected in out.stderr
    assert tree_digest(filled_store) == before


@pytest.mark.parametrize("change,field", [
    (("seeds = 3", "seeds = 3\ncolour = 1"), ": colour: unknown key"),
    (("seeds = 3", 'seeds = "3"'), ": seeds: expected an integer"),
    (('method = "liu2d"', 'method = "nosuch"'), ": run.method: unknown method 'nosuch'"),
])
def test_bad_spec_exit_2_and_store_untouched(tmp_path, filled_store, change, field):
    path = write_spec(tmp_path / "specs", GOOD_TABLE.replace(*change, 1))
    before = tree_digest(filled_store)
    out = cli("table", "--paper", "liu", "--id", "9", "--profile", "smoke", "--store",
              str(filled_store), "--specs-root", str(tmp_path / "specs"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and str(path) in out.stderr and field in out.stderr
    assert tree_digest(filled_store) == before


def test_light_commands_do_not_import_torch_or_pandas():
    code = ("import sys; from reproduce.cli import main; "
            "[main(a) for a in (['list'], ['plan', '--paper', 'liu', '--id', '1'], "
            "['status', '--paper', 'liu', '--id', '1', '--store', '/nonexistent'])]; "
            "heavy = [m for m in ('torch', 'pandas', 'submitit', 'matplotlib') "
            "if m in sys.modules]; print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout


def test_list_and_plan_output(tmp_path):
    out = cli("list", "--paper", "liu", "--format", "json")
    report = json.loads(out.stdout)
    table1 = next(t for t in report[0]["tables"] if t["id"] == "1")
    spec = find_table("liu", "1")  # every cell of liu Table 1 is trained
    assert table1["trainable"] == len(spec.rows) * len(spec.columns) and table1["cited"] == 0
    out = cli("plan", "--paper", "liu", "--id", "1", "--store", str(tmp_path))
    assert "runs: 15 (0 done, 15 to run)" in out.stdout and "estimated CPU cost" in out.stdout
    out = cli("plan", "--paper", "zhou", "--id", "1", "--store", str(tmp_path))
    assert "estimated GPU cost: 48 GPU-hours (24 runs" in out.stdout
