"""Charts without overlaps: each chart, drawn from a history with long Polish and Hungarian
stage names and lost reasons over thirty months, has no two texts whose boxes overlap, no
legend over the bars, and no text cut off at the edge of the figure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np
import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from buyermap.analytics.pipeline.history import History, normalise
from buyermap.analytics.pipeline.stats import StatsQuery, StatsResult, run_stats
from buyermap.charts import pipeline as pc
from buyermap.charts.render import styled

STAGES = (
    "Kwalifikacja potrzeb klienta",
    "Előzetes ajánlat és tárgyalás",
    "Propozycja handlowa złożona",
    "Szerződéskötés előtti jóváhagyás",
)
REASONS = (
    "Brak budżetu w bieżącym roku obrotowym",
    "A döntéshozó elhagyta a vállalatot",
    "Wybrano tańszego konkurenta z regionu",
    "Túl hosszú bevezetési idő és integráció",
    "Zmiana priorytetów zarządu spółki",
)
AS_OF = date(2026, 6, 30)


@cache
def history() -> History:
    """500 deals over thirty months, each advancing a stage or lost for a long reason."""
    rng = np.random.default_rng(11)
    rows: list[dict[str, object]] = []
    start = datetime(2024, 1, 1)
    for d in range(500):
        t = start + timedelta(days=float(rng.uniform(0, 900)))
        amount = float(rng.integers(10, 200)) * 1000
        for stage in STAGES:
            rows.append({"deal_id": f"d{d}", "stage": stage, "changed_at": t, "amount": amount,
                         "lost_reason": None})  # fmt: skip
            t += timedelta(days=float(rng.exponential(20)))
            u = rng.random()
            if u < 0.3:
                reason = REASONS[int(rng.integers(0, len(REASONS)))]
                rows.append({"deal_id": f"d{d}", "stage": "Przegrana",
                             "changed_at": t, "amount": amount, "lost_reason": reason})  # fmt: skip
                break
        else:
            rows.append({"deal_id": f"d{d}", "stage": "Wygrana", "changed_at": t,
                         "amount": amount, "lost_reason": None})  # fmt: skip
    frame = pl.DataFrame(rows).sort("deal_id", "changed_at")
    return normalise(frame, source="test", inputs_hash="x", stages=list(STAGES))


@cache
def stats() -> StatsResult:
    return run_stats(history(), StatsQuery(as_of=AS_OF))


CHARTS: dict[str, Callable[[StatsResult], Figure]] = {
    "funnel": pc.stage_funnel,
    "time_in_stage": pc.time_in_stage,
    "losses": pc.losses,
    "cohorts": pc.cohorts,
}


def _not_drawn(fig: Figure) -> set[int]:
    """Tick labels of ticks outside the axis's view (matplotlib keeps but never draws them)."""
    out: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-9
            ticks = axis.get_major_ticks()
            for tick, loc in zip(ticks, axis.get_majorticklocs(), strict=False):
                if loc < lo - span or loc > hi + span:
                    out |= {id(tick.label1), id(tick.label2)}
    return out


def _texts(fig: Figure) -> list[Text]:
    hidden = _not_drawn(fig)
    return [
        t
        for t in fig.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
        if id(t) not in hidden
    ]


def _drawn(fig: Figure) -> tuple[Figure, list[tuple[str, Bbox]]]:
    with styled():
        renderer = _render(fig)
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    return fig, boxes


def _render(fig: Figure) -> Any:
    """Draw the figure with Agg (as the PNG export does) and return the renderer."""
    canvas: Any = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _overlap(a: Bbox, b: Bbox, slack: float = 0.5) -> bool:
    width = float(min(a.x1, b.x1) - max(a.x0, b.x0))
    height = float(min(a.y1, b.y1) - max(a.y0, b.y0))
    return width > slack and height > slack


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_two_texts_of_a_chart_overlap(name: str) -> None:
    _, boxes = _drawn(CHARTS[name](stats()))
    assert len(boxes) > 5
    clashes = [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if _overlap(ba, bb)]
    assert clashes == []


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_text_of_a_chart_is_cut_off(name: str) -> None:
    fig, boxes = _drawn(CHARTS[name](stats()))
    frame = fig.bbox
    outside = [
        text
        for text, b in boxes
        if b.x0 < frame.x0 - 1 or b.y0 < frame.y0 - 1 or b.x1 > frame.x1 + 1 or b.y1 > frame.y1 + 1
    ]
    assert outside == []


@pytest.mark.parametrize("name", ["losses", "cohorts"])
def test_the_legend_does_not_cover_the_bars(name: str) -> None:
    fig = CHARTS[name](stats())
    with styled():
        renderer = _render(fig)
        legends = [legend for ax in fig.axes if (legend := ax.get_legend()) is not None]
        assert legends
        bars = [
            p.get_window_extent(renderer)
            for ax in fig.axes
            for p in ax.patches
            if isinstance(p, Rectangle) and p.get_width() > 0 and p.get_height() > 0
        ]
        covered = [
            b for legend in legends for b in bars if _overlap(legend.get_window_extent(renderer), b)
        ]
    assert bars
    assert covered == []


def test_the_history_has_the_long_labels() -> None:
    rows = stats().sections
    assert [s["stage"] for s in rows["stages"]] == list(STAGES)
    reasons = {r for row in rows["losses"] for r in row["reasons"]}
    assert reasons == set(REASONS)
    assert len(rows["cohorts"]) >= 24
