"""The ``grid`` figure kind: one generator sample grid per series (cho Figures 7-10).

Each series' run writes an artifact (``grid.npz``) holding ``images`` (rows x columns x C x
H x W, uint8), the row labels ``categories`` and their probabilities ``probs``. A panel
shows the grid, its rows labelled ``category: P(C)``, and in its title the run's final
``y`` beside the paper's value (the series' ``paper`` point).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from reproduce.store import Store

if TYPE_CHECKING:
    from reproduce.figspecs import FigureSpec
    from reproduce.plan import FigurePoint


def mosaic(images: np.ndarray, gap: int = 1) -> np.ndarray:
    """``(R, C, ch, H, W)`` uint8 -> one ``(R*(H+gap), C*(W+gap)[, 3])`` image, white gaps."""
    rows, cols, ch, h, w = images.shape
    out = np.full((rows * (h + gap), cols * (w + gap), ch), 255, dtype=np.uint8)
    for r in range(rows):
        for c in range(cols):
            y, x = r * (h + gap), c * (w + gap)
            out[y : y + h, x : x + w] = images[r, c].transpose(1, 2, 0)
    return out[..., 0] if ch == 1 else out


def draw_grid(spec: FigureSpec, points: list[FigurePoint], store: Store) -> Any:
    """A matplotlib figure: one sample-grid panel per point (its first finished run)."""
    import matplotlib.pyplot as plt

    from reproduce.figure_panels import first_artifact

    grids = []
    for p in points:
        run, grid = first_artifact(spec, p, store, p.series.artifact(spec.artifact or "grid.npz"))
        grids.append((p, run, grid))
    tallest = max(len(g["images"]) / max(g["images"].shape[1], 1) for _, _, g in grids)
    size = (max(7.0, 4.2 * len(grids)), 2.0 + 4.0 * tallest)  # room for the wrapped title
    fig, axes = plt.subplots(1, len(grids), figsize=size, squeeze=False, layout="constrained")
    for ax, (p, run, g) in zip(axes[0], grids, strict=True):
        images = g["images"]
        ax.imshow(mosaic(images), cmap="gray", vmin=0, vmax=255, interpolation="nearest",
                  aspect="auto")  # the figure's size keeps the cells near square
        ax.grid(False)
        h = images.shape[3] + 1
        ax.set_yticks([h * i + h / 2 for i in range(len(images))])
        ax.set_yticklabels([f"{int(k)}: {float(q):.3f}" for k, q in
                            zip(g["categories"], g["probs"], strict=True)], fontsize=6)
        ax.set_xticks([])
        ours = (store.result(run) or {}).get(p.series.metric(spec.y))
        text = f"{spec.y} ours {ours:.4g}" if isinstance(ours, int | float) else ""
        if p.series.paper:
            text += f" | paper {p.series.paper[0][1]:g}"
        ax.set_title(f"{p.series.label}\n{text}", fontsize=8)
        ax.set_ylabel("category: P(C)", fontsize=7)
    return fig
