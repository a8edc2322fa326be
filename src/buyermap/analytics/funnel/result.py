"""The typed result of a funnel query; ``to_dict()`` is the JSON the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from buyermap.analytics.base import Provenance


@dataclass(frozen=True, slots=True)
class StepTiming:
    """Seconds from the first step to this step, over entities that reached it."""

    step: str
    n: int
    median_seconds: float | None
    p90_seconds: float | None
    histogram_edges_seconds: list[float]
    histogram_counts: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "n": self.n,
            "median_seconds": self.median_seconds,
            "p90_seconds": self.p90_seconds,
            "histogram": {
                "edges_seconds": self.histogram_edges_seconds,
                "counts": self.histogram_counts,
            },
        }


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Entities whose first step fell in one period, and how far they got."""

    period_start: str
    counts: list[int]

    @property
    def conversion(self) -> float | None:
        return self.counts[-1] / self.counts[0] if self.counts and self.counts[0] else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start,
            "entered": self.counts[0] if self.counts else 0,
            "counts": self.counts,
            "conversion": self.conversion,
        }


def _rates(counts: list[int], base: list[int]) -> list[float | None]:
    return [c / b if b else None for c, b in zip(counts, base, strict=True)]


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """Entities reaching at least each step, rates, timings, breakdown and trend."""

    steps: list[str]
    counts: list[int]
    window_seconds: int
    mode: str
    exclude: list[str]
    engine: str
    n_events: int
    timings: list[StepTiming]
    trend_period: str
    trend: list[TrendPoint]
    provenance: Provenance
    by_column: str | None = None
    by: dict[str, list[int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_entities(self) -> int:
        """The funnel's population: entities with at least one first-step event."""
        return self.counts[0] if self.counts else 0

    @property
    def conversion_from_start(self) -> list[float | None]:
        return _rates(self.counts, [self.counts[0]] * len(self.counts))

    @property
    def conversion_from_previous(self) -> list[float | None]:
        return _rates(self.counts, [self.counts[0], *self.counts[:-1]])

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "steps": self.steps,
            "counts": self.counts,
            "conversion_from_start": self.conversion_from_start,
            "conversion_from_previous": self.conversion_from_previous,
            "n_entities": self.n_entities,
            "n_events": self.n_events,
            "window_seconds": self.window_seconds,
            "mode": self.mode,
            "exclude": self.exclude,
            "engine": self.engine,
            "time_to_convert": [t.to_dict() for t in self.timings],
            "trend_period": self.trend_period,
            "trend": [p.to_dict() for p in self.trend],
            "warnings": self.warnings,
            "provenance": self.provenance.to_dict(),
        }
        if self.by_column is not None:
            data["by_column"] = self.by_column
            data["by"] = self.by
            data["by_conversion"] = {
                value: (counts[-1] / counts[0] if counts[0] else None)
                for value, counts in self.by.items()
            }
        return data
