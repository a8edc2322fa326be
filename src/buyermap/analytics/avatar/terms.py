"""Terms of the additive model: each maps a row to one level, and each level has a weight.

* a **number** term cuts the raw values at edges learned from them: for skewed positive
  quantities spanning more than a factor 20 (employees, revenue) a 1-2-5 grid of round
  numbers (1, 2, 5, 10, 20, 50, ...), for the rest quantiles rounded to two significant
  digits; adjacent bins holding too few rows are merged. Empty cells are a level of their
  own. A row's level is the bin its value falls in (``low <= x < high``);
* a **category** term keeps the levels that hold at least ``min_level_count`` rows and
  ``min_level_share`` of them; rarer values are pooled into "other", empty cells are
  "unknown", and a value never seen in training is scored as "other";
* a **pair** term crosses two terms (an interaction): its weights are deviations from
  the sum of the two main effects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from buyermap.analytics.avatar.columns import CATEGORY, NUMBER, numbers, texts

LOG_GRID_RATIO = 20.0
OTHER = "other"
UNKNOWN = "unknown"


def nice(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (187.3 -> 190, 1954 -> 2000)."""
    if value == 0 or not math.isfinite(value):
        return value
    places = digits - 1 - math.floor(math.log10(abs(value)))
    return round(value, places)


def number_words(value: float) -> str:
    """A number as people write it: 2,000; 1.5M; 0.25."""
    if abs(value) >= 10_000_000:
        return f"{value / 1_000_000:,.0f}M"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M".replace(".0M", "M")
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}"


def number_range(low: float, high: float) -> str:
    """``200-2,000``; ``from -0.85 to -0.26`` when a bound is negative."""
    if low < 0 or high < 0:
        return f"from {number_words(low)} to {number_words(high)}"
    return f"{number_words(low)}-{number_words(high)}"


def range_words(label: str, low: float | None, high: float | None) -> str:
    """A range of a number column in words. A count noun reads after the numbers
    ("200-2,000 employees", "under 5 years on the market"), any other name before them
    ("age under 30", "balance 1,000 or more", "annual revenue 10M-100M")."""
    if low is None:
        text = f"under {number_words(high or 0)}"
    elif high is None:
        text = f"{number_words(low)} or more"
    else:
        text = number_range(low, high)
    first = label.split(" ")[0] if label else ""
    if first.endswith("s") and not first.endswith("ss"):
        if high is None and low is not None:
            return f"{number_words(low)} {label} or more"
        return f"{text} {label}"
    return f"{label} {text}"


def _log_grid(low: float, high: float) -> list[float]:
    out: list[float] = []
    for exp in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for step in (1, 2, 5):
            edge = step * 10.0**exp
            if low < edge <= high:
                out.append(nice(edge))
    return out


def _merge_small(edges: list[float], values: np.ndarray, minimum: int) -> list[float]:
    """Drop edges until every bin holds at least ``minimum`` values (small bins merge into
    their neighbour)."""
    edges = sorted(set(edges))
    while edges:
        counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
        small = int(np.argmin(counts))
        if counts[small] >= minimum:
            break
        # merge the smallest bin with its smaller neighbour: drop the edge between them
        if small == 0:
            drop = 0
        elif small == len(edges):
            drop = len(edges) - 1
        else:
            drop = small - 1 if counts[small - 1] <= counts[small + 1] else small
        edges.pop(drop)
    return edges


def learn_edges(values: np.ndarray, *, max_bins: int, minimum: int) -> tuple[list[float], str]:
    """Edges for a number column learned from its finite values, and how (for the docs)."""
    x = values[np.isfinite(values)]
    if x.size == 0:
        return [], "no values"
    distinct = np.unique(x)
    if distinct.size <= max_bins:
        return _merge_small([float(v) for v in distinct[1:]], x, minimum), "one bin per value"
    lo, hi = np.quantile(x, [0.01, 0.99])
    if lo > 0 and hi / lo >= LOG_GRID_RATIO:
        edges = _log_grid(float(x[x > 0].min()), float(x.max()))
        how = "round-number grid (1-2-5)"
    else:
        qs = np.quantile(x, np.linspace(0, 1, max_bins + 1)[1:-1])
        edges = [nice(float(q)) for q in qs]
        how = "quantiles"
    edges = [e for e in sorted(set(edges)) if x.min() < e <= x.max()]
    return _merge_small(edges, x, minimum), how


@dataclass
class Term:
    """One additive term; ``coef`` holds a weight per level (log-odds)."""

    kind: str  # number | category | boolean | pair
    column: str
    label: str
    edges: list[float] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    parts: tuple[int, int] | None = None  # pair: indices of the two terms crossed
    coef: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)  # training rows per level
    how: str = ""

    @property
    def n_levels(self) -> int:
        if self.kind == NUMBER:
            return len(self.edges) + 2
        if self.kind == "pair":
            return len(self.coef)
        return len(self.levels) + 2

    @property
    def missing_code(self) -> int:
        return self.n_levels - 1

    def codes(self, column: pl.Series) -> np.ndarray:
        """Each row's level (int32) for a single-column term."""
        if self.kind == NUMBER:
            x = numbers(column)
            out = np.searchsorted(np.asarray(self.edges, dtype=np.float64), x, side="right")
            out[np.isnan(x)] = self.missing_code
            return out.astype(np.int32)
        text = texts(column, self.kind)
        mapping = {level: i for i, level in enumerate(self.levels)}
        # replace_strict sends nulls to ``default`` too: an empty cell would score as
        # "other" (a value unseen in training) instead of "unknown", so nulls go first.
        coded = pl.select(
            pl.when(text.is_null())
            .then(pl.lit(self.missing_code, dtype=pl.Int32))
            .otherwise(
                text.replace_strict(mapping, default=len(self.levels), return_dtype=pl.Int32)
            )
        ).to_series()
        return coded.to_numpy().astype(np.int32)

    def level_words(self, code: int, terms: list[Term] | None = None) -> str:
        """A level in words: ``Software``, ``200-2,000 employees``, ``unknown``."""
        if self.kind == "pair":
            assert terms is not None
            assert self.parts is not None
            a, b = (terms[i] for i in self.parts)
            ca, cb = divmod(code, b.n_levels)
            return f"{a.level_words(ca)} and {b.level_words(cb)}"
        if code == self.missing_code:
            return f"{self.label} unknown"
        if self.kind == NUMBER:
            e = self.edges
            if not e:
                return f"any {self.label}"
            if code == 0:
                return range_words(self.label, None, e[0])
            if code == len(e):
                return range_words(self.label, e[-1], None)
            return range_words(self.label, e[code - 1], e[code])
        if code == len(self.levels):
            return f"{self.label}: {OTHER}"
        value = self.levels[code]
        if self.kind == CATEGORY:
            return value
        return f"{self.label}: {value}"

    def bounds(self, code: int) -> tuple[float | None, float | None]:
        """A number level's range ``[low, high)`` (None: open)."""
        e = self.edges
        low = None if code == 0 else e[code - 1]
        high = None if code >= len(e) else e[code]
        return low, high

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "column": self.column,
            "label": self.label,
            "edges": self.edges,
            "levels": self.levels,
            "parts": list(self.parts) if self.parts is not None else None,
            "coef": [round(c, 6) for c in self.coef],
            "counts": self.counts,
            "how": self.how,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Term:
        parts = doc.get("parts")
        return cls(
            kind=str(doc["kind"]),
            column=str(doc["column"]),
            label=str(doc["label"]),
            edges=[float(e) for e in doc.get("edges", [])],
            levels=[str(v) for v in doc.get("levels", [])],
            parts=(int(parts[0]), int(parts[1])) if parts else None,
            coef=[float(c) for c in doc.get("coef", [])],
            counts=[int(c) for c in doc.get("counts", [])],
            how=str(doc.get("how", "")),
        )


def learn_levels(text: pl.Series, *, min_count: int) -> list[str]:
    """The levels kept (most frequent first); the rest pool into "other"."""
    counts = text.drop_nulls().value_counts(sort=True)
    name = text.name
    kept = counts.filter(pl.col("count") >= min_count)
    return [str(v) for v in kept[name].to_list()]


def pair_codes(terms: list[Term], codes: np.ndarray, parts: tuple[int, int]) -> np.ndarray:
    a, b = parts
    out: np.ndarray = (codes[:, a].astype(np.int64) * terms[b].n_levels + codes[:, b]).astype(
        np.int32
    )
    return out
