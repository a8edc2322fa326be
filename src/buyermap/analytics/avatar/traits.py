"""Traits in words from the fitted weights, and the rules the learned avatar proposes.

A category trait is one level against the rest of its column: ``effect`` is the level's
weight minus the training-weighted mean weight of the other levels (log-odds; ``ratio``
its exponent, the odds ratio). A number trait is the range where its effect is high (or
low): from the bin with the highest (lowest) weight, neighbouring bins are added while
their weight stays beyond the midpoint between that bin and the column's mean; the
effect is the range's mean weight against the rest. Traits are ranked by effect, the
favourable first.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from buyermap.analytics.avatar.columns import NUMBER
from buyermap.analytics.avatar.terms import Term, number_words, range_words

MIN_TRAIT_EFFECT = 0.05
RULE_EFFECT = 0.25


@dataclass(frozen=True, slots=True)
class Trait:
    feature: str
    column: str
    value: str
    effect: float  # log-odds against the rest of the column
    ratio: float  # odds ratio, exp(effect)
    share: float  # share of the training rows with this trait
    levels: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["levels"] = list(self.levels)
        return out


def _against_rest(coef: np.ndarray, counts: np.ndarray, inside: np.ndarray) -> float:
    cin, cout = counts[inside].sum(), counts[~inside].sum()
    if cin == 0 or cout == 0:
        return 0.0
    return float(
        np.dot(coef[inside], counts[inside]) / cin - np.dot(coef[~inside], counts[~inside]) / cout
    )


def _category_traits(term: Term, min_count: int) -> list[Trait]:
    coef = np.asarray(term.coef)
    counts = np.asarray(term.counts, dtype=np.float64)
    total = counts.sum()
    out: list[Trait] = []
    for code, level in enumerate(term.levels):
        if counts[code] < min_count:
            continue
        inside = np.zeros(coef.size, dtype=bool)
        inside[code] = True
        effect = _against_rest(coef, counts, inside)
        out.append(
            Trait(
                feature=term.label,
                column=term.column,
                value=term.level_words(code),
                effect=effect,
                ratio=math.exp(effect),
                share=float(counts[code] / total),
                levels=(level,),
            )
        )
    return out


def _run(coef: np.ndarray, counts: np.ndarray, start: int, sign: float) -> tuple[int, int]:
    mean = float(np.dot(coef, counts) / max(counts.sum(), 1.0))
    threshold = (coef[start] + mean) / 2
    lo = hi = start
    while lo > 0 and sign * (coef[lo - 1] - threshold) >= 0:
        lo -= 1
    while hi < coef.size - 1 and sign * (coef[hi + 1] - threshold) >= 0:
        hi += 1
    return lo, hi


def _number_traits(term: Term, min_count: int) -> list[Trait]:
    bins = len(term.edges) + 1
    coef = np.asarray(term.coef)
    counts = np.asarray(term.counts, dtype=np.float64)
    total = counts.sum()
    out: list[Trait] = []
    c_bins, n_bins = coef[:bins], counts[:bins]
    if n_bins.sum() == 0 or bins < 2:
        return out
    seen: set[tuple[int, int]] = set()
    for sign in (1.0, -1.0):
        masked = np.where(n_bins >= min_count, sign * c_bins, -np.inf)
        start = int(np.argmax(masked))
        lo, hi = _run(c_bins, n_bins, start, sign)
        if (lo, hi) in seen or (lo == 0 and hi == bins - 1):
            continue
        seen.add((lo, hi))
        inside = np.zeros(coef.size, dtype=bool)
        inside[lo : hi + 1] = True
        effect = _against_rest(coef, counts, inside)
        low, _ = term.bounds(lo)
        _, high = term.bounds(hi)
        value = range_words(term.label, low, high)
        out.append(
            Trait(
                feature=term.label,
                column=term.column,
                value=value,
                effect=effect,
                ratio=math.exp(effect),
                share=float(counts[inside].sum() / total),
                low=low,
                high=high,
            )
        )
    return out


def traits(terms: list[Term], *, min_count: int) -> list[Trait]:
    """Every single-column term's traits with a non-negligible effect, ranked by effect."""
    out: list[Trait] = []
    for term in terms:
        if term.kind == "pair":
            continue
        found = (
            _number_traits(term, min_count)
            if term.kind == NUMBER
            else _category_traits(term, min_count)
        )
        out.extend(t for t in found if abs(t.effect) >= MIN_TRAIT_EFFECT)
    return sorted(out, key=lambda t: -t.effect)


def proposed_rules(found: list[Trait], *, limit: int = 8) -> list[dict[str, Any]]:
    """Rules in words the user can accept into a rules avatar: a criterion per strong trait
    (``industry in [Software]``, ``employees between 200 and 2,000``) with a weight (its
    effect in log-odds; negative: counts against)."""
    rules: list[dict[str, Any]] = []
    strong = [t for t in found if abs(t.effect) >= RULE_EFFECT]
    strong.sort(key=lambda t: -abs(t.effect))
    for t in strong[:limit]:
        rule: dict[str, Any]
        if t.levels:
            rule = {"field": t.column, "operator": "in", "values": list(t.levels)}
            words = f"{t.feature} is {t.levels[0]}"
        elif t.low is not None and t.high is not None:
            rule = {"field": t.column, "operator": "between", "values": [t.low, t.high]}
            words = f"{t.feature} between {number_words(t.low)} and {number_words(t.high)}"
        elif t.low is not None:
            rule = {"field": t.column, "operator": "at_least", "values": [t.low]}
            words = f"{t.feature} at least {number_words(t.low)}"
        else:
            rule = {"field": t.column, "operator": "under", "values": [t.high]}
            words = f"{t.feature} under {number_words(t.high or 0)}"
        verb = "counts for" if t.effect > 0 else "counts against"
        rules.append(
            rule
            | {
                "weight": round(t.effect, 3),
                "text": f"{words}: {verb} the fit (odds x{t.ratio:.2f})",
            }
        )
    return rules
