"""The ``[display]`` table of a figure spec: what a figure draws besides its series.

```
[display]
truth = "(a) Ground truth"   # a first panel drawing the data set, with its mode centres
show_pc = true               # print each run's learned P(C) on its panel
paper_extractor = "..."      # what computed the paper's y (ours is named beside it)
panels = [{ metric = "am_kl", label = "(b) KL(C^train, C^G)" }]  # more curves, one panel each
```

Labels may name a run parameter as ``{params.NAME}``: it is filled in from the runs
drawn, so a label matches the profile (e.g. ``N = {params.n_classes}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reproduce.errors import SpecError
from reproduce.validate import Fields

KEYS = {"truth", "show_pc", "paper_extractor", "panels"}
_PARAM = re.compile(r"\{params\.([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Panel:
    """One more curve panel: the metric it draws and its title."""

    metric: str
    label: str


@dataclass(frozen=True)
class Display:
    truth: str = ""
    show_pc: bool = False
    paper_extractor: str = ""
    panels: tuple[Panel, ...] = field(default_factory=tuple)


def load_display(data: dict[str, Any], path: Path) -> Display:
    """Check the ``[display]`` table of the figure spec at ``path``."""
    top = Fields(data, path, "display")
    top.check_keys(KEYS)
    panels = []
    for i, item in enumerate(top.get("panels", list, [])):
        if not isinstance(item, dict):
            raise SpecError(path, f"display.panels[{i}]",
                            "expected a table { metric = \"...\", label = \"...\" }")
        f = Fields(item, path, f"display.panels[{i}]")
        f.check_keys({"metric", "label"})
        metric = f.get("metric", str)
        panels.append(Panel(metric, f.get("label", str, metric)))
    return Display(truth=top.get("truth", str, ""), show_pc=top.get("show_pc", bool, False),
                   paper_extractor=top.get("paper_extractor", str, ""), panels=tuple(panels))


def fill_params(text: str, params: dict[str, Any]) -> str:
    """``text`` with every ``{params.NAME}`` replaced by the run's value of NAME."""
    return _PARAM.sub(lambda m: str(params.get(m.group(1), m.group(0))), text)
