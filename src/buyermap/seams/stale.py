"""Is an open deal stale? Read from what the pipeline analytics already computed: a deal
is stale when it has waited in its stage longer than 9 in 10 deals stayed there (the
stage's Kaplan-Meier P90 of time in stage, :class:`~buyermap.seams.pipeline.PipelineStats`),
as of the statistics' as-of date. The page says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from buyermap.seams.pipeline import PipelineStats


@dataclass(frozen=True, slots=True)
class StaleFlag:
    stage: str
    days: int  # days without a stage change, up to ``as_of``
    usual_days: int  # the stage's P90 of time in stage, rounded up to a whole day
    as_of: date
    at_least: bool  # the stay began at an import: "at least" so many days

    @property
    def message(self) -> str:
        waited = f"at least {self.days:,}" if self.at_least else f"{self.days:,}"
        usual = "1 day" if self.usual_days == 1 else f"{self.usual_days:,} days"
        return (
            f"No movement for {waited} days (as of {self.as_of.isoformat()}); "
            f"9 in 10 deals leave {self.stage} within {usual}."
        )


def stale_flag(
    stats: PipelineStats, *, stage: str, entered: datetime, entered_known: bool = True
) -> StaleFlag | None:
    """The flag of an open deal in ``stage`` since ``entered``, or None when it has not
    waited longer than the stage's P90 (or the stage has too few stays to know one)."""
    found = next((s for s in stats.stages if s.stage == stage), None)
    if found is None or found.time_in_stage.p90_days is None:
        return None
    p90 = float(found.time_in_stage.p90_days)
    waited = (stats.as_of - entered.date()).days
    if waited <= p90:
        return None
    usual = max(int(-(-p90 // 1)), 1)
    return StaleFlag(
        stage=stage, days=waited, usual_days=usual, as_of=stats.as_of, at_least=not entered_known
    )
