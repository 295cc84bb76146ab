"""Where a method's settings differ from its paper's text, or the text is silent (torch-free).

Each method's config module declares its :class:`Deviation` entries next to its defaults
(``MethodInfo.deviations``); docs/DEVIATIONS.md is the table of all of them, and a test
keeps the two in step (every ``setting`` that names a parameter must hold ``ours`` as the
method's default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Deviation:
    """One setting of one method, as the paper states it and as the harness runs it."""

    setting: str  # a parameter name, or a short name for a choice that is not a parameter
    paper: str  # the paper's words, quoted, with the section; "silent" where it says nothing
    ours: Any  # what the ``paper`` profile uses (== the default when ``setting`` is a param)
    official: str = ""  # the public reference code's value and its source, where it differs
    why: str = ""  # why the harness chose ``ours``
