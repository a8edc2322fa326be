"""Charts of a rules avatar's scores: how many accounts fall in each tier."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from buyermap.charts.render import ACCENT, ACCENT_SOFT, INK, LOST, MUTED, new_axes, styled

ORDER = ("A", "B", "C", "D", "disqualified")
COLOURS = {"A": ACCENT, "B": ACCENT, "C": ACCENT_SOFT, "D": ACCENT_SOFT, "disqualified": LOST}


def tiers(counts: Mapping[str, int], ax: Axes | None = None) -> Figure:
    """Accounts per tier (A to D, then disqualified), each bar with its count and share."""
    shown = [t for t in ORDER if t in counts or t != "disqualified"]
    values = [int(counts.get(t, 0)) for t in shown]
    total = max(sum(values), 1)
    with styled():
        fig, ax = new_axes(ax, (7.0, 0.42 * len(shown) + 1.2))
        y = np.arange(len(shown))[::-1]
        ax.barh(y, values, color=[COLOURS[t] for t in shown], height=0.62)
        top = max(max(values, default=0), 1)
        for yi, v in zip(y, values, strict=True):
            ax.text(
                v + top * 0.01, yi, f"{v:,} ({v / total:.0%})", va="center", fontsize=9, color=INK
            )
        ax.set_yticks(y, [t if t == "disqualified" else f"tier {t}" for t in shown])
        ax.set_xlim(0, top * 1.3)
        ax.set_xlabel("accounts", color=MUTED)
        ax.tick_params(axis="y", length=0, labelcolor=INK)
        ax.set_title("Accounts by tier")
    return fig
