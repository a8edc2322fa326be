"""What wins: the win rate of closed deals by their buying committee, with Wilson intervals.

Three cuts of the same closed deals: committee coverage (single- vs multi-threaded), the
economic buyer (absent; present, and at which stage they joined when that is known), and
the attitude of the most influential member. Each group says its n; a group under
``MIN_GROUP`` deals is marked as too few to read, and fewer than ``MIN_CLOSED`` closed deals
in all is refused. Attitudes are usually recorded or revised after the fact, which
flatters the winners: the result says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from buyermap.domain.committee import ATTITUDE_LABELS
from buyermap.errors import InvalidValueError
from buyermap.services.committee import ClosedDeal

VERSION = "committee-wins/1"
MIN_CLOSED = 20  # closed deals below which nothing is said
MIN_GROUP = 10  # deals below which a group's rate is marked too few to read
Z95 = 1.959963984540054
CAVEAT = (
    "Attitudes are often recorded, or corrected, after a deal closed: people remember the "
    "winners' committees as friendlier than they were. Read the attitude rows as an upper "
    "bound on how much attitude matters, not as a forecast."
)


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (0, 1 when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, slots=True)
class WinGroup:
    cut: str  # coverage | economic_buyer | top_attitude
    group: str  # the group's key
    label: str  # in words
    n: int
    won: int
    win_rate: float | None
    low: float | None
    high: float | None
    enough: bool  # n >= MIN_GROUP

    @property
    def words(self) -> str:
        if self.win_rate is None or self.low is None or self.high is None:
            return f"{self.label}: no closed deals."
        rate = (
            f"won {self.won:,} of {self.n:,} ({self.win_rate:.0%}; "
            f"95% interval {self.low:.0%} to {self.high:.0%})"
        )
        tail = "" if self.enough else f" — too few deals to read (under {MIN_GROUP})"
        return f"{self.label}: {rate}{tail}."


@dataclass(frozen=True, slots=True)
class WinsResult:
    closed: int
    won: int
    groups: tuple[WinGroup, ...]
    findings: tuple[str, ...]
    caveat: str = CAVEAT
    version: str = VERSION


def _top(deal: ClosedDeal) -> str:
    rated = [m for m in deal.members if m.influence is not None]
    if not rated:
        return "none"
    return max(rated, key=lambda m: m.influence or 0).attitude


def _coverage(deal: ClosedDeal) -> str:
    return "multi" if len(deal.members) >= 2 else "single"


def _eb(deal: ClosedDeal) -> str:
    if not deal.eb_present:
        return "absent"
    return f"at:{deal.eb_stage}" if deal.eb_stage else "present"


CUTS: dict[str, Callable[[ClosedDeal], str]] = {
    "coverage": _coverage,
    "economic_buyer": _eb,
    "top_attitude": _top,
}


def _label(cut: str, group: str) -> str:
    if cut == "coverage":
        return (
            "Multi-threaded (2 or more people on the committee)"
            if group == "multi"
            else "Single-threaded (1 person or nobody on the committee)"
        )
    if cut == "economic_buyer":
        if group == "absent":
            return "No economic buyer on the committee"
        if group == "present":
            return "Economic buyer on the committee (when they joined: not known)"
        return f"Economic buyer joined at {group.removeprefix('at:')}"
    if group == "none":
        return "No member's influence rated"
    return f"Most influential member: {ATTITUDE_LABELS.get(group, group)}"


def what_wins(deals: Sequence[ClosedDeal], *, stage_order: dict[str, int]) -> WinsResult:
    """Win rates by coverage, economic buyer and top attitude (see the module)."""
    if len(deals) < MIN_CLOSED:
        raise InvalidValueError(
            f"only {len(deals)} closed deals: what wins needs at least {MIN_CLOSED} won or lost "
            "deals with their committees; import closed deals (buyermap import deals) and "
            "their committees (buyermap import committee)"
        )
    groups: list[WinGroup] = []
    for cut, key_of in CUTS.items():
        tally: dict[str, list[int]] = {}
        for d in deals:
            won_n = tally.setdefault(key_of(d), [0, 0])
            won_n[0] += int(d.won)
            won_n[1] += 1

        def order(group: str, cut: str = cut) -> tuple[int, str]:
            if cut == "economic_buyer" and group.startswith("at:"):
                return stage_order.get(group[3:], 99), group
            fixed = ["single", "multi", "absent", "present", *ATTITUDE_LABELS, "none"]
            return (fixed.index(group) if group in fixed else 100), group

        for group in sorted(tally, key=order):
            won, n = tally[group]
            low, high = wilson(won, n)
            groups.append(
                WinGroup(cut, group, _label(cut, group), n, won, won / n, low, high, n >= MIN_GROUP)
            )
    won_all = sum(d.won for d in deals)
    return WinsResult(
        closed=len(deals), won=won_all, groups=tuple(groups), findings=_findings(groups)
    )


def _findings(groups: Sequence[WinGroup]) -> tuple[str, ...]:
    """Plain sentences for each cut: the best and the worst readable group, and whether
    their intervals overlap (if they do, the difference may be chance)."""
    out = []
    for cut in CUTS:
        readable = [g for g in groups if g.cut == cut and g.enough and g.win_rate is not None]
        if len(readable) < 2:
            out.append(f"{cut.replace('_', ' ')}: too few deals in the groups to compare.")
            continue
        best = max(readable, key=lambda g: g.win_rate or 0.0)
        worst = min(readable, key=lambda g: g.win_rate or 0.0)
        assert best.low is not None
        assert worst.high is not None
        clear = best.low > worst.high
        out.append(
            f"{best.label} won {best.win_rate:.0%} (n={best.n:,}) against "
            f"{worst.win_rate:.0%} for {worst.label.lower()} (n={worst.n:,}); "
            + (
                "the intervals do not overlap."
                if clear
                else "the intervals overlap, so the gap may be chance."
            )
        )
    return tuple(out)
