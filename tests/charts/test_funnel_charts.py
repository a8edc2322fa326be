"""Funnel charts: a bar per step, a line per breakdown value."""

from __future__ import annotations

from matplotlib.patches import Rectangle

from buyermap.analytics.base import Provenance
from buyermap.analytics.funnel import FunnelResult
from buyermap.charts import funnel as charts


def _result() -> FunnelResult:
    return FunnelResult(
        steps=["visit", "signup", "purchase"],
        counts=[100, 40, 10],
        window_seconds=86_400,
        mode="default",
        exclude=[],
        engine="python",
        n_events=300,
        timings=[],
        trend_period="week",
        trend=[],
        provenance=Provenance(analysis="funnel", inputs_hash="x", settings_hash="y"),
        by_column="channel",
        by={"ads": [60, 30, 8], "seo": [40, 10, 2]},
    )


def test_the_counts_chart_has_a_bar_per_step_over_a_backdrop() -> None:
    fig = charts.counts(_result())
    widths = [round(p.get_width()) for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert widths == [100, 100, 100, 100, 40, 10]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["visit", "signup", "purchase"]


def test_the_breakdown_chart_has_a_line_per_value() -> None:
    fig = charts.breakdown(_result())
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["ads (n 60)", "seo (n 40)"]
    assert list(lines[0].get_ydata()) == [1.0, 0.5, 8 / 60]  # type: ignore[arg-type]
