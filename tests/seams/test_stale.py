"""A deal is stale when it has waited in its stage longer than the stage's P90 of time in
stage, as of the statistics' date; the flag says so in words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from buyermap.seams.pipeline import PipelineStats, StageStats, TimeInStage
from buyermap.seams.stale import stale_flag

AS_OF = date(2026, 10, 31)


def _stats(p90: float | None) -> PipelineStats:
    """Only what the flag reads: the as-of date and the stage's time in stage."""
    stay: dict[str, Any] = {"n": 40, "left": 30, "censored": 10, "median_days": 12.0}
    stage: dict[str, Any] = {
        "stage": "Propozycja handlowa",
        "time_in_stage": TimeInStage.model_construct(**stay, p90_days=p90),
    }
    doc: dict[str, Any] = {"as_of": AS_OF, "stages": [StageStats.model_construct(**stage)]}
    return PipelineStats.model_construct(**doc)


def test_a_deal_waiting_longer_than_the_stages_p90_is_flagged_in_words() -> None:
    flag = stale_flag(_stats(29.4), stage="Propozycja handlowa", entered=datetime(2026, 8, 28))
    assert flag is not None
    assert flag.days == 64
    assert flag.message == (
        "No movement for 64 days (as of 2026-10-31); "
        "9 in 10 deals leave Propozycja handlowa within 30 days."
    )


def test_a_deal_within_the_usual_time_is_not_flagged() -> None:
    assert (
        stale_flag(_stats(80.0), stage="Propozycja handlowa", entered=datetime(2026, 8, 28)) is None
    )


def test_a_stage_without_a_known_p90_flags_nothing() -> None:
    assert (
        stale_flag(_stats(None), stage="Propozycja handlowa", entered=datetime(2025, 1, 1)) is None
    )
    assert stale_flag(_stats(10.0), stage="Lead", entered=datetime(2025, 1, 1)) is None


def test_a_stay_that_began_at_an_import_says_at_least() -> None:
    flag = stale_flag(
        _stats(29.4),
        stage="Propozycja handlowa",
        entered=datetime(2026, 8, 28),
        entered_known=False,
    )
    assert flag is not None
    assert flag.message.startswith("No movement for at least 64 days")
