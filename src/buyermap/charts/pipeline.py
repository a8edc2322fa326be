"""Charts of :class:`buyermap.analytics.pipeline.stats.StatsResult`.

Each function takes the result and an optional axes, and returns the figure (never shows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from buyermap.analytics.pipeline.stats import StatsResult
from buyermap.charts.render import (
    ACCENT,
    ACCENT_SOFT,
    AMBER,
    INK,
    LOST,
    MUTED,
    OPEN,
    WON,
    new_axes,
    styled,
    wrap,
)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def stage_funnel(result: StatsResult, ax: Axes | None = None) -> Figure:
    """Deals that reached each stage (and won), with the conversion to the next stage."""
    stages: list[dict[str, Any]] = result.sections["stages"]
    won = result.sections["velocity"]["won"]
    labels = [wrap(s["stage"]) for s in stages] + ["Won"]
    reached = [int(s["reached"]) for s in stages] + [int(won)]
    with styled():
        fig, ax = new_axes(ax, (6.4, 0.5 * len(labels) + 1.2))
        y = np.arange(len(labels))[::-1]
        colors = [ACCENT] * len(stages) + [WON]
        top = max(max(reached), 1)
        ax.barh(y, reached, color=colors, height=0.62)
        for yi, n, row in zip(y, reached, [*stages, None], strict=True):
            text = f"{n:,}"
            if row is not None:
                text += f"  {_pct(row['conversion_to_next'])} on"
                if row["win_rate"] is not None:
                    text += f", {_pct(row['win_rate'])} won"
            ax.text(n + top * 0.015, yi, text, va="center", fontsize=8.5, color=INK)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, top * 2.2)
        ax.set_xlabel("deals that reached the stage")
        ax.set_title(f"Stage funnel (as of {result.as_of.isoformat()})")
        ax.tick_params(axis="y", length=0, labelsize=10, labelcolor=INK)
    return fig


def time_in_stage(result: StatsResult, ax: Axes | None = None) -> Figure:
    """Kaplan-Meier median and p90 days in each stage (open stays counted as censored)."""
    stages: list[dict[str, Any]] = result.sections["stages"]
    labels = [wrap(s["stage"]) for s in stages]
    med = [s["time_in_stage"]["median_days"] for s in stages]
    p90 = [s["time_in_stage"]["p90_days"] for s in stages]
    with styled():
        fig, ax = new_axes(ax, (6.4, 0.5 * len(labels) + 1.4))
        y = np.arange(len(labels))[::-1]
        p90v = np.array([np.nan if v is None else v for v in p90], dtype=float)
        medv = np.array([np.nan if v is None else v for v in med], dtype=float)
        ax.barh(y, np.nan_to_num(p90v), color=ACCENT_SOFT, height=0.62, label="p90")
        ax.barh(y, np.nan_to_num(medv), color=ACCENT, height=0.62, label="median")
        top = float(np.nanmax(np.append(p90v, 1.0)))
        for yi, m, p, s in zip(y, medv, p90v, stages, strict=True):
            km = s["time_in_stage"]
            text = f"{_days(m)} / {_days(p)}  (n {km['n']:,}, {km['censored']:,} open)"
            ax.text((0 if np.isnan(p) else p) + top * 0.01, yi, text, va="center", fontsize=8.5)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, top * 2.6)
        ax.set_xlabel(
            "days in stage (Kaplan-Meier)\nmedian (dark) and P90 (light): 9 in 10 left sooner"
        )
        ax.set_title("Time in stage")
        ax.tick_params(axis="y", length=0, labelsize=10, labelcolor=INK)
    return fig


def _days(x: float) -> str:
    return "–" if np.isnan(x) else f"{x:.0f} d"


def cohorts(result: StatsResult, ax: Axes | None = None) -> Figure:
    """Deals created per month, split into won, lost and still open, with the win rate."""
    rows: list[dict[str, Any]] = result.sections["cohorts"]
    months = [r["month"] for r in rows]
    won = np.array([r["won"] for r in rows], dtype=float)
    lost = np.array([r["lost"] for r in rows], dtype=float)
    still = np.array([r["open"] for r in rows], dtype=float)
    with styled():
        fig, ax = new_axes(ax, (5.2, 3.0))
        x = np.arange(len(months))
        ax.bar(x, won, color=WON, label="won", width=0.8)
        ax.bar(x, lost, bottom=won, color=LOST, alpha=0.75, label="lost", width=0.8)
        ax.bar(x, still, bottom=won + lost, color=OPEN, alpha=0.45, label="open", width=0.8)
        step = max(1, -(-len(months) // 8))
        ax.set_xticks(x[::step], list(months[::step]), rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("deals created")
        rate = [r["win_rate"] for r in rows]
        twin = ax.twinx()
        twin.plot(
            x,
            [np.nan if r is None else r for r in rate],
            color=AMBER,
            marker="o",
            ms=3,
            lw=1.4,
            label="win rate",
        )
        twin.set_ylim(0, 1)
        twin.yaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        twin.spines["right"].set_visible(True)
        twin.tick_params(colors=MUTED)
        handles = ax.get_legend_handles_labels()
        extra = twin.get_legend_handles_labels()
        ax.legend(
            handles[0] + extra[0],
            handles[1] + extra[1],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.02),
            ncols=4,
            fontsize=8.5,
        )
        ax.set_title("Cohorts by creation month", pad=24)
        ax.set_ylim(0, float(max((won + lost + still).max(initial=1.0), 1.0)) * 1.1)
    return fig


def losses(result: StatsResult, ax: Axes | None = None) -> Figure:
    """Deals lost after each stage, split by lost reason (largest reasons first)."""
    rows: list[dict[str, Any]] = result.sections["losses"]
    labels = [wrap(r["last_stage"]) for r in rows]
    totals: dict[str, int] = {}
    for r in rows:
        for reason, n in r["reasons"].items():
            totals[reason] = totals.get(reason, 0) + int(n)
    reasons = sorted(totals, key=lambda k: -totals[k])
    palette = ["#2f5bd3", "#c8453b", "#d98e04", "#1f9d63", "#7b4fc9", "#0f8b8d", "#9aa3b8"]
    with styled():
        fig, ax = new_axes(ax, (6.4, 0.5 * max(len(labels), 1) + 0.35 * len(reasons) + 1.8))
        y = np.arange(len(labels))[::-1]
        left = np.zeros(len(labels))
        for i, reason in enumerate(reasons):
            vals = np.array([r["reasons"].get(reason, 0) for r in rows], dtype=float)
            color = palette[i % len(palette)]
            ax.barh(y, vals, left=left, color=color, height=0.62, label=wrap(reason, 34))
            left += vals
        ax.set_yticks(y, labels)
        ax.set_xlabel("deals lost after the stage")
        ax.set_title("Where deals are lost, and why")
        ax.tick_params(axis="y", length=0, labelsize=10, labelcolor=INK)
        if reasons:  # below the plot, never over the bars
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, ncols=2)
    return fig


def overview(result: StatsResult) -> Figure:
    """The four pipeline charts on one page (funnel, time in stage, losses, cohorts)."""
    with styled():
        fig = Figure(figsize=(13.0, 8.0), layout="constrained")
        axes = fig.subplots(2, 2)
        stage_funnel(result, axes[0][0])
        time_in_stage(result, axes[0][1])
        losses(result, axes[1][0])
        cohorts(result, axes[1][1])
    return fig
