"""Charts of the bookings forecast: the fan over the horizon, the interval summary and the
backtest. Each takes a result and an optional axes and returns the figure (never shows)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from buyermap.analytics.pipeline.backtest import BacktestResult
from buyermap.analytics.pipeline.fan import FanResult
from buyermap.analytics.pipeline.forecast import ForecastResult
from buyermap.charts.render import (
    ACCENT,
    ACCENT_SOFT,
    AMBER,
    INK,
    MONEY,
    MUTED,
    WON,
    compact_money,
    new_axes,
    styled,
)


def _days(days: list[date]) -> npt.NDArray[np.datetime64]:
    return np.array(days, dtype="datetime64[D]")


def fan(result: FanResult, ax: Axes | None = None) -> Figure:
    """Cumulative bookings by week: expected, P50 and the P10-P90 band, with new deals."""
    dates = _days([result.as_of] + [result.as_of + timedelta(days=d) for d in result.days])
    o, n = result.open_pipeline, result.with_new_deals

    def z(values: tuple[float, ...]) -> list[float]:
        return [0.0, *values]

    with styled():
        fig, ax = new_axes(ax, (9.5, 3.4))
        ax.fill_between(
            dates, z(n.p10), z(n.p90), color=WON, alpha=0.18, lw=0, label="with new deals P10-P90"
        )
        ax.plot(dates, z(n.expected), color=WON, lw=1.6, ls="--", label="with new deals expected")
        ax.fill_between(
            dates,
            z(o.p10),
            z(o.p90),
            color=ACCENT_SOFT,
            alpha=0.9,
            lw=0,
            label="open deals P10-P90",
        )
        ax.plot(dates, z(o.p50), color=ACCENT, lw=1.0, ls=":", label="open deals P50")
        ax.plot(dates, z(o.expected), color=ACCENT, lw=2.2, label="open deals expected")
        end = dates[-1]
        for value, color in ((o.expected[-1], ACCENT), (n.expected[-1], WON)):
            ax.annotate(
                compact_money(value),
                (end, value),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color=color,
                fontweight="bold",
            )
        ax.yaxis.set_major_formatter(MONEY)
        ax.xaxis.set_major_formatter(DateFormatter("%b %d"))  # type: ignore[no-untyped-call]
        ax.set_ylim(0, max(n.p90[-1], o.p90[-1]) * 1.08)
        pad = np.timedelta64(max(4, result.horizon_days // 9), "D")
        # matplotlib's date numbers are days since its epoch, 1970-01-01 by default
        ax.set_xlim(float(dates[0].astype(float)), float((end + pad).astype(float)))
        ax.grid(axis="y", color="#eef0f3", lw=0.8)
        ax.set_ylabel("cumulative bookings")
        ax.set_title(
            f"Bookings from {result.as_of.isoformat()} over {result.horizon_days} days", loc="left"
        )
        ax.legend(loc="upper left", fontsize=8, ncols=2)
    return fig


def interval(result: ForecastResult, ax: Axes | None = None) -> Figure:
    """Expected, P10-P90 for the open pipeline and with new deals, beside the weighted pipeline."""
    rows = [
        ("open pipeline", result.open_pipeline, ACCENT),
        ("with new deals", result.with_new_deals, WON),
    ]
    with styled():
        fig, ax = new_axes(ax, (5.0, 2.6))
        for y, (_label, iv, color) in zip((2, 1), rows, strict=True):
            ax.plot([iv.p10, iv.p90], [y, y], color=color, lw=8, alpha=0.3, solid_capstyle="butt")
            ax.plot([iv.expected], [y], "o", color=color, ms=8)
            ax.annotate(
                f"{compact_money(iv.p10)} – {compact_money(iv.p90)}  (expected "
                f"{compact_money(iv.expected)})",
                (iv.p90, y),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=INK,
            )
        ax.plot([result.weighted_pipeline], [0], "D", color=AMBER, ms=7)
        ax.annotate(
            f"{compact_money(result.weighted_pipeline)} (amount x stage win rate)",
            (result.weighted_pipeline, 0),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            color=INK,
        )
        ax.set_yticks([2, 1, 0], ["open pipeline", "with new deals", "weighted pipeline"])
        top = max(result.with_new_deals.p90, result.weighted_pipeline, 1.0)
        ax.set_xlim(0, top * 1.45)
        ax.set_ylim(-0.6, 2.6)
        ax.xaxis.set_major_formatter(MONEY)
        ax.tick_params(axis="y", length=0, labelcolor=INK)
        ax.set_title(f"P10-P90 over {result.query.horizon_days} days")
    return fig


def backtest(result: BacktestResult, ax: Axes | None = None) -> Figure:
    """Per origin: the forecast (expected, P10-P90), what was booked, the weighted pipeline."""
    o = result.origins
    dates = _days([x.as_of for x in o])
    with styled():
        fig, ax = new_axes(ax, (9.5, 3.4))
        lo = np.array([x.p10 for x in o])
        hi = np.array([x.p90 for x in o])
        ax.fill_between(dates, lo, hi, color=ACCENT_SOFT, alpha=0.9, lw=0, label="P10-P90")
        ax.plot(
            dates,
            [x.expected for x in o],
            color=ACCENT,
            lw=2,
            marker="o",
            ms=4,
            label="forecast (expected)",
        )
        ax.plot(
            dates,
            [x.weighted_pipeline for x in o],
            color=AMBER,
            lw=1.3,
            ls="--",
            marker="D",
            ms=3.5,
            label="weighted pipeline",
        )
        ax.plot(
            dates, [x.actual for x in o], color=INK, lw=0, marker="s", ms=6, label="actually booked"
        )
        ax.yaxis.set_major_formatter(MONEY)
        ax.xaxis.set_major_formatter(DateFormatter("%Y-%m"))  # type: ignore[no-untyped-call]
        ax.grid(axis="y", color="#eef0f3", lw=0.8)
        top = max([*hi, *(x.weighted_pipeline for x in o), *(x.actual for x in o), 1.0])
        ax.set_ylim(0, top * 1.25)
        s = result.summary()["model"]
        mape = "–" if s["mape"] is None else f"{s['mape']:.0%}"
        ax.set_title(
            f"Backtest, {result.query.horizon_days}-day horizon: error {mape}, "
            f"P10-P90 covered {s['coverage_p10_p90']:.0%} of {len(o)} origins"
        )
        ax.set_ylabel("bookings in the horizon")
        ax.tick_params(axis="x", labelcolor=MUTED)
        ax.legend(loc="upper left", fontsize=8, ncols=4)
    return fig


def overview(result: ForecastResult, fan_result: FanResult) -> Figure:
    """The fan over the horizon above the P10-P90 summary, on one page."""
    with styled():
        fig = Figure(figsize=(9.5, 6.5), layout="constrained")
        top, bottom = fig.subplots(2, 1, height_ratios=[3.0, 1.6])
        fan(fan_result, top)
        interval(result, bottom)
    return fig
