"""Charts of the pipeline by avatar tier (:mod:`buyermap.analytics.pipeline.groups`): the win
rate per tier with its 95% interval, and the expected bookings per tier with P10-P90.

Each function takes the rows and an optional axes, and returns the figure (never shows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from buyermap.analytics.pipeline.groups import GroupForecast, GroupOutcome
from buyermap.charts.render import (
    ACCENT,
    INK,
    MONEY,
    MUTED,
    WON,
    compact_money,
    new_axes,
    styled,
    wrap,
)


def _label(group: str) -> str:
    return f"tier {group}" if len(group) == 1 else wrap(group)


def win_rates(rows: Sequence[GroupOutcome], ax: Axes | None = None) -> Figure:
    """Win rate (won / closed) per tier, with the 95% interval and the deals behind it."""
    with styled():
        fig, ax = new_axes(ax, (6.4, 0.55 * max(len(rows), 1) + 1.3))
        y = np.arange(len(rows))[::-1]
        for yi, row in zip(y, rows, strict=True):
            closed = row.won + row.lost
            if row.win_rate is None or row.win_rate_interval is None:
                ax.text(0.01, yi, "no closed deals yet", va="center", fontsize=8.5, color=MUTED)
                continue
            low, high = row.win_rate_interval
            ax.plot([low, high], [yi, yi], color=WON, lw=8, alpha=0.3, solid_capstyle="butt")
            ax.plot([row.win_rate], [yi], "o", color=WON, ms=8)
            ax.annotate(
                f"{row.win_rate:.0%} ({low:.0%}–{high:.0%}) of {closed:,} closed",
                (high, yi),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=INK,
            )
        ax.set_yticks(y, [_label(r.group) for r in rows])
        ax.set_xlim(0, 1.6)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel("win rate (won / closed deals), 95% interval")
        ax.set_title("Win rate by avatar tier")
        ax.tick_params(axis="y", length=0, labelcolor=INK)
    return fig


def bookings(rows: Sequence[GroupForecast], horizon_days: int, ax: Axes | None = None) -> Figure:
    """Expected bookings of each tier's open deals within the horizon, with P10-P90."""
    with styled():
        fig, ax = new_axes(ax, (6.4, 0.55 * max(len(rows), 1) + 1.3))
        y = np.arange(len(rows))[::-1]
        top = max([r.p90 for r in rows] + [r.expected for r in rows] + [1.0])
        for yi, row in zip(y, rows, strict=True):
            ax.plot([row.p10, row.p90], [yi, yi], color=ACCENT, lw=8, alpha=0.3)
            ax.plot([row.expected], [yi], "o", color=ACCENT, ms=8)
            ax.annotate(
                f"{compact_money(row.expected)} ({compact_money(row.p10)}–"
                f"{compact_money(row.p90)}) from {row.open_deals:,} open deals",
                (row.p90, yi),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=INK,
            )
        ax.set_yticks(y, [_label(r.group) for r in rows])
        ax.set_xlim(0, top * 1.9)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.xaxis.set_major_formatter(MONEY)
        ax.set_xlabel(f"bookings within {horizon_days} days: expected, P10-P90")
        ax.set_title("Expected bookings by avatar tier")
        ax.tick_params(axis="y", length=0, labelcolor=INK)
    return fig
