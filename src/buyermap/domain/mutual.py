"""Mutual fit, the buyer's side: how well *we* fit a buyer's supplier-selection criteria.

A buyer's procurement has its own avatar of a good supplier: criteria such as "regions
served includes Poland", "certifications includes ISO 27001", "support hours at least 12",
"payment terms at least 60", each with a weight and perhaps a must-have. Our seller profile
(the "sales persona") answers them: a key per criterion, one or more values.

Each criterion is **met**, **unmet** or **unknown** (our profile has no value for its key,
or the value cannot be compared: a number was asked and our value is not one).
``we_fit_them`` is the weighted share of their *known* criteria that we meet, 0-100; an
unmet must-have makes it 0 whatever the rest; with no known criterion it is None (nothing
to say, which is not the same as a bad fit). Unknown criteria are listed so the team knows
what to find out or add to the profile.

Comparisons ignore case, surrounding blanks and repeated inner blanks; several values are
separated by ``;``. Numbers are read as the importer reads them (``12 500``, ``1.234,5``,
``1,234.5``, ``60``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from buyermap.domain.criteria import (
    NUMERIC,
    SEPARATOR,
    Operator,
    check,
    fold,
    operator_of,
    parse_number,
    split_values,
)

__all__ = [
    "NUMERIC",
    "SEPARATOR",
    "Criterion",
    "MutualFit",
    "Operator",
    "Outcome",
    "Verdict",
    "check_criterion",
    "fold",
    "mutual_fit",
    "operator_of",
    "parse_number",
    "split_values",
]


class Outcome(StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One of the buyer's supplier-selection criteria. ``criterion`` is a profile key."""

    criterion: str
    operator: Operator
    value: str
    weight: float = 1.0
    must_have: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A criterion with its outcome, our values for its key and why, in words."""

    criterion: Criterion
    outcome: Outcome
    ours: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class MutualFit:
    we_fit_them: float | None
    met: tuple[Verdict, ...] = ()
    unmet: tuple[Verdict, ...] = ()
    unknown: tuple[Verdict, ...] = ()
    must_have_unmet: tuple[str, ...] = field(default=())


def check_criterion(operator: str, value: str, weight: float) -> list[tuple[str, str]]:
    """What is wrong with a supplier criterion as written: ``(field, message)`` pairs, none
    if fine (:func:`buyermap.domain.criteria.check` with the mutual operators)."""
    return list(check(operator, value, weight).problems)


def _judge(c: Criterion, ours: Sequence[str]) -> Verdict:
    have = tuple(ours)
    if not have:
        return Verdict(c, Outcome.UNKNOWN, have, f"our profile has no {c.criterion!r}")
    wanted = split_values(c.value)
    if c.operator in NUMERIC:
        limit = parse_number(c.value)
        mine = parse_number(have[0])
        if mine is None or limit is None:
            return Verdict(c, Outcome.UNKNOWN, have, f"our {c.criterion!r} is not a number")
        ok = mine >= limit if c.operator is Operator.AT_LEAST else mine <= limit
        word = "at least" if c.operator is Operator.AT_LEAST else "at most"
        return Verdict(
            c,
            Outcome.MET if ok else Outcome.UNMET,
            have,
            f"they ask {word} {c.value}; we offer {have[0]}",
        )
    mine_folded = {fold(v) for v in have}
    if c.operator is Operator.INCLUDES:
        missing = [w for w in wanted if fold(w) not in mine_folded]
        if missing:
            return Verdict(c, Outcome.UNMET, have, f"we do not offer {', '.join(missing)}")
        return Verdict(c, Outcome.MET, have, f"we offer {', '.join(wanted)}")
    same = mine_folded == {fold(w) for w in wanted}
    return Verdict(
        c,
        Outcome.MET if same else Outcome.UNMET,
        have,
        f"they ask for {'; '.join(wanted)}; we have {'; '.join(have)}",
    )


def mutual_fit(criteria: Sequence[Criterion], profile: Mapping[str, Sequence[str]]) -> MutualFit:
    """Judge each criterion against the profile (keys compared folded) and weigh the known."""
    by_key = {fold(k): list(v) for k, v in profile.items()}
    verdicts = [_judge(c, by_key.get(fold(c.criterion), [])) for c in criteria]
    met = tuple(v for v in verdicts if v.outcome is Outcome.MET)
    unmet = tuple(v for v in verdicts if v.outcome is Outcome.UNMET)
    unknown = tuple(v for v in verdicts if v.outcome is Outcome.UNKNOWN)
    blocking = tuple(v.criterion.criterion for v in unmet if v.criterion.must_have)
    known_weight = sum(v.criterion.weight for v in (*met, *unmet))
    if blocking:
        score: float | None = 0.0
    elif not met and not unmet:
        score = None
    elif known_weight == 0:
        score = 100.0 if not unmet else 0.0
    else:
        score = round(100.0 * sum(v.criterion.weight for v in met) / known_weight, 1)
    return MutualFit(score, met, unmet, unknown, blocking)
