"""Layering: the leaves (reproduce.metrics, reproduce.data) import nothing of the rest of the
harness or of ``methods``; the method contract imports nothing of the harness."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# a meta-path finder that refuses every module outside ``allowed`` (checked first, so a
# module already cached by another import path cannot slip through: the child is fresh)
GUARD = textwrap.dedent("""
    import importlib, pkgutil, sys

    ALLOWED = {allowed!r}  # these modules ...
    TREES = {trees!r}  # ... and everything under these packages
    GUARDED = ("reproduce", "methods")

    class Refuse:
        def find_spec(self, name, path=None, target=None):
            inside = any(name == t or name.startswith(t + ".") for t in TREES)
            if name.split(".")[0] in GUARDED and name not in ALLOWED and not inside:
                raise ImportError(f"layering: {{name}} imported")
            return None

    sys.meta_path.insert(0, Refuse())
    names = []
    for package in {packages!r}:
        pkg = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(getattr(pkg, "__path__", []), package + "."):
            names.append(info.name)
    for name in names:
        importlib.import_module(name)
    print(len(names), "torch" in sys.modules)
""")


def import_in_isolation(packages: list[str], allowed: list[str], trees: list[str] | None = None
                        ) -> tuple[int, bool]:
    """Import every module of ``packages`` in a fresh interpreter where every other module
    of ``reproduce`` and ``methods`` raises ImportError; the number of modules imported and
    whether torch was imported."""
    code = GUARD.format(packages=packages, allowed=sorted({"reproduce", "methods", *allowed}),
                        trees=trees or [])
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1]
    count, torch = done.stdout.split()
    return int(count), torch == "True"


def test_metrics_and_data_import_nothing_else() -> None:
    leaves = ["reproduce.metrics", "reproduce.data"]
    count, _ = import_in_isolation(leaves, [], trees=leaves)
    assert count >= 20


def test_the_method_contract_and_declarations_import_nothing_of_the_harness() -> None:
    """base, params, registry and every method's config: no harness, no torch (so `list`,
    `plan` and `status` start fast)."""
    from methods.registry import _CONFIG_MODULES

    contract = ["methods.base", "methods.params", "methods.deviations", "methods.registry"]
    declared = [*contract, *_CONFIG_MODULES]
    packages = {m.rsplit(".", 1)[0] for m in _CONFIG_MODULES}
    count, torch = import_in_isolation(declared, [*packages, *declared])
    assert count == len(declared) and not torch


def test_the_guard_refuses_what_it_should() -> None:
    code = GUARD.format(packages=["reproduce.data"], allowed=["reproduce"], trees=[])
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "layering: reproduce.data imported" in done.stderr


def test_a_data_error_is_one_line_with_exit_status_2(monkeypatch, capsys) -> None:
    from reproduce import commands
    from reproduce.cli import main
    from reproduce.data.errors import DataError

    def missing(args: object) -> int:
        raise DataError("data set 'x' not found at /nowhere")

    monkeypatch.setattr(commands, "cmd_list", missing)
    assert main(["list"]) == 2
    assert capsys.readouterr().err == "error: data set 'x' not found at /nowhere\n"
