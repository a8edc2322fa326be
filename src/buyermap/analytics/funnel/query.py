"""A funnel query is data: steps, window, mode, exclusions, breakdown and column names."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from buyermap.analytics.funnel.errors import BadStepsError, BadWindowError

MAX_STEPS = 100

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_WINDOW = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$", re.IGNORECASE)


class FunnelMode(StrEnum):
    """How a chain of steps may be formed (see docs/funnels.md for worked examples)."""

    DEFAULT = "default"
    STRICT_ORDER = "strict_order"
    STRICT_INCREASE = "strict_increase"
    STRICT_DEDUPLICATION = "strict_deduplication"


class TrendPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"


def parse_window(text: str | int) -> int:
    """``30m``, ``12h``, ``14d``, ``2w`` or plain seconds (``3600``) -> seconds (> 0)."""
    if isinstance(text, int):
        seconds = text
    else:
        match = _WINDOW.match(text)
        if match is None:
            raise BadWindowError(
                f"cannot read the window {text!r}: use a whole number with an optional unit "
                "s, m, h, d or w (e.g. 30m, 12h, 14d, 2w, or 3600 for seconds)",
                details={"window": text},
            )
        seconds = int(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise BadWindowError(
            f"the window must be positive, got {text!r}", details={"window": str(text)}
        )
    return seconds


def parse_steps(text: str) -> tuple[str, ...]:
    """``a,b,c`` -> ``("a", "b", "c")``; blanks around names are dropped."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class FunnelQuery:
    """What to compute. ``window_seconds`` is inclusive: a step at exactly
    first-step time + window still counts."""

    steps: tuple[str, ...]
    window_seconds: int
    mode: FunnelMode = FunnelMode.DEFAULT
    exclude: tuple[str, ...] = ()
    by: str | None = None
    entity_column: str = "user_id"
    event_column: str = "event"
    time_column: str = "ts"
    trend: TrendPeriod = TrendPeriod.WEEK
    histogram_bins: int = 10

    def __post_init__(self) -> None:
        if not self.steps:
            raise BadStepsError("a funnel needs at least one step, e.g. --steps visit,signup")
        if len(self.steps) > MAX_STEPS:
            raise BadStepsError(f"at most {MAX_STEPS} steps, got {len(self.steps)}")
        seen: set[str] = set()
        for step in self.steps:
            if step in seen:
                raise BadStepsError(
                    f"the step {step!r} is listed twice in {list(self.steps)}; "
                    "each step must be a different event",
                    details={"step": step},
                )
            seen.add(step)
        clash = sorted(set(self.exclude) & seen)
        if clash:
            raise BadStepsError(
                f"{clash[0]!r} is both a step and an exclusion event; choose one",
                details={"event": clash[0]},
            )
        if self.window_seconds <= 0:
            raise BadWindowError(f"the window must be positive, got {self.window_seconds}")
        if self.histogram_bins < 1:
            raise BadStepsError("histogram_bins must be at least 1")

    @property
    def window_us(self) -> int:
        return self.window_seconds * 1_000_000

    def settings(self) -> dict[str, Any]:
        """A JSON-able description (hashed into the result's provenance)."""
        data = asdict(self)
        data["steps"] = list(self.steps)
        data["exclude"] = list(self.exclude)
        data["mode"] = self.mode.value
        data["trend"] = self.trend.value
        return data
