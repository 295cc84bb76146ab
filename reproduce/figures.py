"""Render a planned figure from the store with matplotlib + seaborn (PNG and PDF)."""

from __future__ import annotations

from pathlib import Path

from reproduce.errors import UserError
from reproduce.figspecs import FigureSpec
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
    import textwrap

    width = max(60, int(fig.get_size_inches()[0] * 13))
    title = textwrap.fill(f"{spec.paper} {spec.source or 'Figure ' + spec.id}: {spec.title}",
                          width)
    if profile != "paper":
        title += f"\n(profile {profile}: toy scale, not comparable with the paper)"
    extractors = {str((store.result(r.run_id) or {}).get(f"{spec.y}_extractor", ""))
                  for p in done for r in p.runs} - {""}
    if extractors:
        title += "\n" + textwrap.fill(f"{spec.y} by {'; '.join(sorted(extractors))}", width)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    target = out_dir / spec.paper
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = target / f"{spec.id}-{profile}.{ext}"
        fig.savefig(path, dpi=150)
        paths.append(path)
    plt.close(fig)
    return paths
