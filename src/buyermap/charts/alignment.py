"""The journey-against-funnel heatmap: journey stages (rows) x funnel stages (columns),
each cell's colour and number its touchpoints; cells the mapping declares are framed, so
what falls outside the frames is off the mapping. Takes an
:class:`~buyermap.analytics.journeys.alignment.AlignmentResult`; returns the figure."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from buyermap.analytics.journeys.alignment import AlignmentResult
from buyermap.charts.render import INK, new_axes, wrap
from buyermap.domain.journeys import stage_word

CMAP = LinearSegmentedColormap.from_list("alignment", ["#f5f7fa", "#9ec5e8", "#1f5f99"])


def alignment_heatmap(result: AlignmentResult, *, ax: Axes | None = None) -> Figure:
    rows, columns = list(result.rows), list(result.columns)
    grid = np.array(result.counts, dtype=float).reshape(len(rows), len(columns))
    fig, axes = new_axes(ax, (max(6.0, 1.3 * len(columns) + 2.5), 0.6 * len(rows) + 1.8))
    top = float(grid.max()) if grid.size else 1.0
    axes.imshow(grid, cmap=CMAP, vmin=0, vmax=max(top, 1.0), aspect="auto")
    for r in range(len(rows)):
        for k in range(len(columns)):
            value = int(grid[r, k])
            axes.text(
                k,
                r,
                f"{value}",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if value > top * 0.6 else INK,
            )
            if result.mapped[r][k]:
                axes.add_patch(
                    Rectangle((k - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=INK, linewidth=1.6)
                )
    axes.set_xticks(range(len(columns)), [wrap(c, 12) for c in columns], fontsize=8)
    axes.set_yticks(range(len(rows)), [wrap(stage_word(r), 22) for r in rows], fontsize=9)
    axes.set_xlabel("Funnel stage of the contact's deal at the touch")
    axes.set_ylabel("Journey stage at the touch")
    axes.tick_params(length=0)
    share = result.off_mapping_share
    axes.set_title(
        "Touchpoints by journey and funnel stage (framed: the mapping)"
        + ("" if share is None else f"; {share:.0%} off the mapping")
    )
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    return fig
