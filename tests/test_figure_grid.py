"""The ``grid`` figure kind (cho Figures 7-10): mosaic layout and one drawn panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from reproduce.figspecs import find_figure
from reproduce.figure_grid import draw_grid, mosaic
from reproduce.plan import FigurePoint, RunSpec
from reproduce.store import Store


def test_mosaic_places_each_image_with_gaps() -> None:
    images = np.arange(2 * 3 * 1 * 2 * 2, dtype=np.uint8).reshape(2, 3, 1, 2, 2)
    m = mosaic(images)
    assert m.shape == (2 * 3, 3 * 3)
    assert np.array_equal(m[3:5, 6:8], images[1, 2, 0])  # row 1, column 2
    assert (m[2, :] == 255).all() and (m[:, 2] == 255).all()  # white separators
    rgb = mosaic(np.zeros((1, 2, 3, 4, 4), np.uint8))
    assert rgb.shape == (5, 10, 3)


class OneRunStore(Store):
    """A store with one finished run holding a grid and a final FID."""

    def state(self, run_id: str) -> str:
        return "done"

    def result(self, run_id: str) -> dict[str, Any]:
        return {"fid": 12.5}


def test_draw_grid_titles_ours_beside_the_paper(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    store = OneRunStore(tmp_path)
    store.save_artifact("0123456789abcdef", "grid.npz",
                        images=np.zeros((3, 4, 1, 8, 8), np.uint8),
                        categories=np.array([5, 0, 2]), probs=np.array([0.5, 0.3, 0.2]))
    spec = find_figure("cho", "7")
    point = FigurePoint(spec.series[0], 10.0, (RunSpec("0123456789abcdef", {}),))
    fig = draw_grid(spec, [point], store)
    ax = fig.axes[0]
    assert "fid ours 12.5 | paper 3.1934" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5: 0.500", "0: 0.300",
                                                            "2: 0.200"]
