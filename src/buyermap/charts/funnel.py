"""Charts of :class:`buyermap.analytics.funnel.FunnelResult`: counts per step, and the
conversion by step per breakdown value. Each takes an optional axes, returns the figure."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from buyermap.analytics.funnel import FunnelResult
from buyermap.charts.render import ACCENT, ACCENT_SOFT, INK, new_axes, styled

PALETTE = ("#2f5bd3", "#1f9d63", "#c8453b", "#d98e04", "#7b4fc9", "#0f8b8d", "#9aa3b8", "#1d2330")
MAX_SERIES = 8


def counts(result: FunnelResult, ax: Axes | None = None) -> Figure:
    """Entities reaching each step, with the conversion from the start and from the previous."""
    n = len(result.steps)
    with styled():
        fig, ax = new_axes(ax, (9.0, 0.45 * n + 1.4))
        y = np.arange(n)[::-1]
        top = max(max(result.counts, default=0), 1)
        ax.barh(y, [top] * n, color=ACCENT_SOFT, alpha=0.35, height=0.66)
        ax.barh(y, result.counts, color=ACCENT, height=0.66)
        start, prev = result.conversion_from_start, result.conversion_from_previous
        for i, yi in enumerate(y):
            text = f"{result.counts[i]:,}"
            if i > 0 and start[i] is not None and prev[i] is not None:
                text += f"   {start[i]:.1%} of start, {prev[i]:.1%} of previous"
            ax.text(result.counts[i] + top * 0.01, yi, text, va="center", fontsize=9, color=INK)
        ax.set_yticks(y, result.steps)
        ax.set_xlim(0, top * 1.6)
        ax.set_xlabel("entities reaching the step")
        ax.tick_params(axis="y", length=0, labelcolor=INK)
        ax.set_title(f"Funnel ({result.mode}, window {result.window_seconds:,} s)")
    return fig


def breakdown(result: FunnelResult, ax: Axes | None = None) -> Figure:
    """Conversion from the start at each step, one line per breakdown value (largest first)."""
    values = sorted(result.by, key=lambda v: -result.by[v][0])[:MAX_SERIES]
    x = np.arange(len(result.steps))
    with styled():
        fig, ax = new_axes(ax, (9.0, 3.4))
        for i, value in enumerate(values):
            c = result.by[value]
            rate = [k / c[0] if c[0] else np.nan for k in c]
            ax.plot(x, rate, marker="o", ms=4, lw=1.8, color=PALETTE[i % len(PALETTE)],
                    label=f"{value} (n {c[0]:,})")  # fmt: skip
        ax.set_xticks(x, result.steps)
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        ax.grid(axis="y", color="#eef0f3", lw=0.8)
        ax.set_ylabel("conversion from the first step")
        ax.set_title(f"By {result.by_column}" if result.by_column else "By value")
        if values:
            ax.legend(loc="upper right", fontsize=8, ncols=2)
    return fig
