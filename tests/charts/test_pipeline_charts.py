"""Chart functions return figures with the expected artists (known small results)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import numpy as np
import polars as pl
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from buyermap.analytics.pipeline.backtest import BacktestQuery, BacktestResult, run_backtest
from buyermap.analytics.pipeline.fan import FanResult, run_fan
from buyermap.analytics.pipeline.forecast import ForecastQuery, ForecastResult, run_forecast
from buyermap.analytics.pipeline.history import History, normalise
from buyermap.analytics.pipeline.stats import StatsQuery, StatsResult, run_stats
from buyermap.charts import forecast as fc
from buyermap.charts import pipeline as pc
from buyermap.charts.render import compact_money, new_axes, to_png, to_svg

STAGES = ("Lead", "Qualified", "Proposal")
AS_OF = date(2025, 12, 31)


@cache
def history() -> History:
    """400 deals over two years: each advances a stage or is lost, some stay open."""
    rng = np.random.default_rng(3)
    rows: list[dict[str, object]] = []
    start = datetime(2024, 1, 1)
    for d in range(400):
        t = start + timedelta(days=float(rng.uniform(0, 720)))
        amount = float(rng.integers(10, 100)) * 1000
        seg = "smb" if d % 2 else "ent"
        for stage in STAGES:
            rows.append({"deal_id": f"d{d}", "stage": stage, "changed_at": t, "amount": amount,
                         "segment": seg, "owner": f"o{d % 3}", "lost_reason": None})  # fmt: skip
            t += timedelta(days=float(rng.exponential(15)))
            u = rng.random()
            if u < 0.25:
                rows.append({"deal_id": f"d{d}", "stage": "Closed Lost", "changed_at": t,
                             "amount": amount, "segment": seg, "owner": f"o{d % 3}",
                             "lost_reason": "Price" if u < 0.1 else "Timing"})  # fmt: skip
                break
        else:
            rows.append({"deal_id": f"d{d}", "stage": "Closed Won", "changed_at": t,
                         "amount": amount, "segment": seg, "owner": f"o{d % 3}",
                         "lost_reason": None})  # fmt: skip
    frame = pl.DataFrame(rows).sort("deal_id", "changed_at")
    return normalise(frame, source="test", inputs_hash="x", stages=list(STAGES))


@cache
def stats() -> StatsResult:
    return run_stats(history(), StatsQuery(as_of=AS_OF))


@cache
def forecast() -> tuple[ForecastResult, FanResult]:
    q = ForecastQuery(as_of=AS_OF, horizon_days=60, simulations=300, bootstrap=2)
    return run_forecast(history(), q), run_fan(history(), q)


@cache
def backtest() -> BacktestResult:
    q = BacktestQuery(horizon_days=60, every_days=120, simulations=200, bootstrap=0)
    return run_backtest(history(), q)


def _bars(fig: Figure) -> list[Rectangle]:
    return [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)]


def test_the_funnel_has_a_bar_per_stage_and_won() -> None:
    fig = pc.stage_funnel(stats())
    heights = [round(b.get_width()) for b in _bars(fig)]
    reached = [s["reached"] for s in stats().sections["stages"]]
    assert heights == [*reached, stats().sections["velocity"]["won"]]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [*STAGES, "Won"]


def test_time_in_stage_draws_median_and_p90_per_stage() -> None:
    fig = pc.time_in_stage(stats())
    assert len(_bars(fig)) == 2 * len(STAGES)
    assert all(" d / " in t.get_text() for t in fig.axes[0].texts)
    assert "median" in fig.axes[0].get_xlabel()


def test_cohorts_stack_won_lost_open_and_plot_the_win_rate() -> None:
    fig = pc.cohorts(stats())
    months = len(stats().sections["cohorts"])
    assert len(fig.axes[0].patches) == 3 * months
    assert len(fig.axes[1].lines) == 1  # the win rate on the twin axis


def test_losses_stack_one_series_per_reason() -> None:
    legend = pc.losses(stats()).axes[0].get_legend()
    assert legend is not None
    assert {t.get_text() for t in legend.get_texts()} == {"Price", "Timing"}


def test_the_fan_has_two_bands_and_starts_at_zero() -> None:
    _, fan = forecast()
    fig = fc.fan(fan)
    ax = fig.axes[0]
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
    expected = ax.get_lines()[-1].get_ydata()
    assert expected[0] == 0  # type: ignore[index]
    assert expected[-1] == pytest.approx(fan.open_pipeline.expected[-1])  # type: ignore[index]


def test_the_fan_ends_at_the_forecast_expected_value() -> None:
    result, fan = forecast()
    assert fan.open_pipeline.expected[-1] == pytest.approx(result.open_pipeline.expected)
    assert fan.with_new_deals.expected[-1] == pytest.approx(result.with_new_deals.expected)
    assert list(fan.open_pipeline.expected) == sorted(fan.open_pipeline.expected)


def test_the_interval_chart_marks_expected_and_weighted_pipeline() -> None:
    result, _ = forecast()
    fig = fc.interval(result)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["open pipeline", "with new deals", "weighted pipeline"]


def test_the_backtest_chart_has_a_point_per_origin() -> None:
    bt = backtest()
    fig = fc.backtest(bt)
    ax = fig.axes[0]
    assert len(bt.origins) >= 2
    assert all(len(line.get_xdata()) == len(bt.origins) for line in ax.get_lines())  # type: ignore[arg-type]
    assert len(ax.collections) == 1  # the P10-P90 band


def test_charts_draw_on_given_axes_and_render_to_svg_and_png() -> None:
    fig, ax = new_axes(None, (4, 3))
    assert pc.stage_funnel(stats(), ax) is fig
    svg = to_svg(fig, title="Funnel")
    assert svg.startswith('<svg class="chart" role="img" aria-label="Funnel"')
    assert "Qualified" in svg  # text stays text
    assert to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    assert to_png(pc.overview(stats()))[:4] == b"\x89PNG"
    result, fan = forecast()
    assert len(fc.overview(result, fan).axes) == 2


def test_money_labels_are_compact() -> None:
    assert compact_money(4_500_000) == "4.5M"
    assert compact_money(1200) == "1.2k"
    assert compact_money(950) == "950"
