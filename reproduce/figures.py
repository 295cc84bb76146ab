"""Render a planned figure from the store with matplotlib + seaborn (PNG and PDF)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reproduce.errors import UserError
from reproduce.figspecs import FigureSpec
from reproduce.formats import comparable
from reproduce.plan import FigurePoint
from reproduce.store import Store


def render_figure(spec: FigureSpec, points: list[FigurePoint], store: Store, out_dir: Path,
                  profile: str) -> list[Path]:
    """Draw the figure from finished runs; writes PNG and PDF, returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    from reproduce import figure_kinds

    sns.set_theme(style="whitegrid", context="paper")
    done = [p for p in points if p.runs and any(store.state(r.run_id) == "done" for r in p.runs)]
    if not done:
        raise UserError(f"{spec.path}: no finished runs in {store.root} for profile {profile!r}; "
                        "run the figure without --no-run first")
    fig = figure_kinds.draw(spec, done, store)
    width = max(32, int(fig.get_size_inches()[0] * 13))  # characters of a 9 pt line
    fig.suptitle(heading(spec, done, store, profile, width), fontsize=9)
    target = out_dir / spec.paper
    try:
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for ext in ("png", "pdf"):
            path = target / f"{spec.id}-{profile}.{ext}"
            fig.savefig(path, dpi=150)
            paths.append(path)
    except OSError as err:
        raise UserError(f"--output: cannot write into {target}: {err.strerror}") from None
    finally:
        plt.close(fig)
    return paths


def heading(spec: FigureSpec, done: list[FigurePoint], store: Store, profile: str,
            width: int) -> str:
    """The figure's title block: what it is, its scale, what computed y, and whether the
    paper's figure gives numbers to compare with."""
    lines = [f"{spec.paper} {spec.source or 'Figure ' + spec.id}: {spec.title}"]
    if not comparable(profile):
        lines.append(f"(profile {profile}: toy scale, not comparable with the paper)")
    results = [store.result(r.run_id) or {} for p in done for r in p.runs]
    ours = sorted({str(r.get(f"{spec.y}_extractor", "")) for r in results} - {""})
    paper = spec.display.paper_extractor
    if ours:
        marked = any("SUBSTITUTE" in o.upper() for o in ours)  # says so itself
        line = f"{spec.y} by {'; '.join(ours)}"
        if paper:
            line += (f" (the paper's: {paper})" if marked or comparable(profile)
                     else f" (a SUBSTITUTE for the paper's {paper})")
        lines.append(line)
    if not any(s.paper for s in spec.series):
        lines.append("The paper's figure prints no numbers: it can be compared by eye only.")
    return "\n".join(textwrap.fill(line, width) for line in lines)
