"""The forecast against the true expectation of a known model, and its use of time."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from buyermap.analytics.pipeline.backtest import realised
from buyermap.analytics.pipeline.forecast import ForecastQuery, run_forecast
from buyermap.analytics.pipeline.history import History, cutoff_of, normalise, read_history_file
from buyermap.analytics.pipeline.paths import snapshot
from buyermap.analytics.pipeline.synth import TrueModel, generate, true_open_expected
from buyermap.errors import InvalidValueError

MODEL = TrueModel()
AS_OF = (date(2023, 5, 1), date(2023, 11, 1), date(2024, 5, 1))


def _history(seed: int) -> History:
    raw = generate(MODEL, start=datetime(2022, 6, 1), end=datetime(2024, 9, 1), seed=seed)
    return normalise(raw, source=f"synth-{seed}", inputs_hash=str(seed))


def _truth(history: History, as_of: date, horizon: int) -> float:
    return true_open_expected(MODEL, snapshot(history, cutoff_of(as_of)), horizon)


def test_expected_bookings_are_close_to_the_true_expectation() -> None:
    ratios, weighted = [], []
    for seed in (11, 12, 13, 14):
        history = _history(seed)
        for as_of in AS_OF:
            query = ForecastQuery(as_of=as_of, simulations=200, bootstrap=0, new_deals=False)
            result = run_forecast(history, query)
            truth = _truth(history, as_of, 90)
            ratios.append(result.open_pipeline.expected / truth)
            weighted.append(result.weighted_pipeline / truth)
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.10), ratios
    assert all(0.7 < r < 1.35 for r in ratios), ratios
    # the weighted pipeline ignores the horizon and how long deals have waited
    assert np.mean(weighted) > 1.3


def test_p10_p90_covers_what_happened_most_of_the_time() -> None:
    hits = []
    for seed in (21, 22, 23):
        history = _history(seed)
        for as_of in (date(2023, 6, 1), date(2023, 10, 1), date(2024, 2, 1), date(2024, 5, 1)):
            result = run_forecast(
                history, ForecastQuery(as_of=as_of, simulations=1000, bootstrap=5)
            )
            actual = realised(history, cutoff_of(as_of), 90).open_pipeline
            hits.append(result.open_pipeline.p10 <= actual <= result.open_pipeline.p90)
    assert np.mean(hits) >= 0.5, hits


def test_rows_after_the_as_of_date_change_nothing(small_csv: Path, tmp_path: Path) -> None:
    as_of = date(2024, 1, 15)
    full = read_history_file(small_csv)
    cut = tmp_path / "cut.csv"
    pl.read_csv(small_csv, infer_schema=False).filter(
        pl.col("changed_at").str.slice(0, 10) <= as_of.isoformat()
    ).write_csv(cut)
    query = ForecastQuery(as_of=as_of, simulations=500, bootstrap=3)
    a = run_forecast(full, query).to_dict()
    b = run_forecast(read_history_file(cut), query).to_dict()
    a.pop("provenance")
    b.pop("provenance")
    assert a == b


def test_stale_deals_are_listed_at_risk(small_csv: Path) -> None:
    result = run_forecast(
        read_history_file(small_csv), ForecastQuery(as_of=date(2024, 1, 15), simulations=200)
    )
    assert result.at_risk
    assert all(d.stale or d.p_win < 0.5 * d.p_win_fresh for d in result.at_risk)
    risky = result.at_risk[0]
    assert risky.p_win < risky.p_win_fresh


def test_it_refuses_with_too_little_history(small_csv: Path) -> None:
    with pytest.raises(InvalidValueError, match="too little history before 2023-01-05"):
        run_forecast(read_history_file(small_csv), ForecastQuery(as_of=date(2023, 1, 5)))


def test_segments_with_few_deals_are_modelled_together(small_csv: Path) -> None:
    history = read_history_file(small_csv)
    result = run_forecast(
        history,
        ForecastQuery(as_of=date(2024, 1, 15), simulations=200, segment="deal_id", bootstrap=0),
    )
    assert result.evidence["segments"] == ["(other)"]
    assert {d.segment for d in result.deals} == {"(other)"}


def test_an_as_of_date_before_the_history_is_refused(small_csv: Path) -> None:
    with pytest.raises(InvalidValueError, match="0 closed deals"):
        run_forecast(read_history_file(small_csv), ForecastQuery(as_of=date(2020, 1, 1)))
