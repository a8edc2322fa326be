"""The gaps heatmap: personas x journey stages, each cell's colour its open gaps
(objections without an answer, plus one when the cell has no content), each cell written
with its counts. Takes a :class:`~buyermap.analytics.journeys.gaps.GapsResult`; returns the
figure, never shows it."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from buyermap.analytics.journeys.gaps import GapsResult
from buyermap.charts.render import INK, LOST, new_axes, wrap
from buyermap.domain.journeys import stage_word

CMAP = LinearSegmentedColormap.from_list("gaps", ["#e8f5ee", "#f7e3b5", LOST])


def gaps_heatmap(
    result: GapsResult, *, names: dict[str, str] | None = None, ax: Axes | None = None
) -> Figure:
    """One row per persona, one column per stage (in the order first met); a cell's text:
    content pieces and unanswered objections; grey for a stage a persona's map has not."""
    personas = list(dict.fromkeys(c.persona for c in result.cells))
    stages = list(dict.fromkeys(c.stage for c in result.cells))
    grid = np.full((len(personas), len(stages)), np.nan)
    fig, axes = new_axes(ax, (max(6.0, 1.6 * len(stages) + 2.0), 0.7 * len(personas) + 1.6))
    for c in result.cells:
        r, k = personas.index(c.persona), stages.index(c.stage)
        gaps = c.unanswered + (1 if c.content_count == 0 else 0)
        grid[r, k] = gaps
        axes.text(
            k,
            r,
            f"{c.content_count} content\n{c.unanswered} unanswered",
            ha="center",
            va="center",
            fontsize=8,
            color=INK,
        )
    top = float(np.nanmax(grid)) if personas else 1.0
    axes.imshow(np.ma.masked_invalid(grid), cmap=CMAP, vmin=0, vmax=max(top, 1.0), aspect="auto")
    axes.set_xticks(range(len(stages)), [wrap(stage_word(s), 14) for s in stages], fontsize=8)
    axes.set_yticks(range(len(personas)), [(names or {}).get(p, p) for p in personas], fontsize=9)
    axes.tick_params(length=0)
    axes.set_title("Open gaps per persona and stage (darker: more to do)")
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    return fig
