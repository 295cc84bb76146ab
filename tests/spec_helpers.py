"""Writing small spec trees for tests."""

from __future__ import annotations

from pathlib import Path

GOOD_TABLE = """
title = "Toy table"
source = "Table 9"
seeds = 3
reducer = "last"

[[metrics]]
name = "modes"
better = "higher"

[[metrics]]
name = "reverse_kl"
better = "lower"

[run]
method = "liu2d"
dataset = "ring8"
params = { steps = 40 }

[[columns]]
key = "modes"
label = "# Modes"
metric = "modes"

[[columns]]
key = "rkl_best"
label = "best rKL"
metric = "reverse_kl"
reducer = "best"

[[rows]]
key = "base"
label = "Baseline"
overrides = { params = { recg_weight = 0.0 } }
paper = { modes = "5.3±1.1", rkl_best = "0.184 ± 0.011" }

[[rows]]
key = "other"
label = "Other work [3]"
cited = true
paper = { modes = "4.0" }

[profiles.smoke]
seeds = 2
run = { params = { steps = 20, eval_every = 10, n_eval_samples = 200 } }
"""


def write_spec(root: Path, text: str, paper: str = "liu", table_id: str = "9") -> Path:
    path = root / "tables" / paper / f"{table_id}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
