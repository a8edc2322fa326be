"""Which columns segment, which describe, and how each is modelled.

Every column gets a kind with a reason a person can read:

* ``categorical`` -- unordered labels (multinomial);
* ``ordinal`` -- ordered levels: rating scales 1..5/1..7/1..10, Likert wording, size bands;
* ``count`` -- non-negative integers (negative binomial);
* ``continuous`` -- real numbers (Gaussian; log scale when positive and right-skewed);
* ``id`` / ``text`` / ``constant`` / ``date`` -- never segment by default.

Users override the kind with ``name:kind`` in ``--variables`` or ``--describe``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from buyermap.errors import PersonaInputError

MODELLED = ("categorical", "ordinal", "count", "continuous")
KINDS = (*MODELLED, "id", "text", "constant", "date")
MAX_LEVELS = 20  # rarer levels are lumped into OTHER
MIN_LEVEL_SHARE = 0.005
OTHER = "(other)"

_ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|guid|key|email|e-mail|phone|url)$|^id[_\s-]", re.I)
_BAND = re.compile(r"^\s*[<>]?\s*(\d[\d,.]*)\s*(k|m)?\s*(\+|-|–|to|$)", re.I)
_SCALES: tuple[tuple[str, ...], ...] = (
    ("strongly disagree", "disagree", "neutral", "agree", "strongly agree"),
    (
        "strongly disagree",
        "disagree",
        "neither agree nor disagree",
        "agree",
        "strongly agree",
    ),
    ("very unlikely", "unlikely", "neutral", "likely", "very likely"),
    ("very dissatisfied", "dissatisfied", "neutral", "satisfied", "very satisfied"),
    ("never", "rarely", "sometimes", "often", "always"),
    ("very low", "low", "medium", "high", "very high"),
    (
        "not at all important",
        "slightly important",
        "moderately important",
        "very important",
        "extremely important",
    ),
    ("low", "medium", "high"),
)


@dataclass(frozen=True)
class Variable:
    """One column as the model sees it."""

    name: str
    kind: str
    reason: str
    levels: tuple[str, ...] = ()
    log: bool = False
    role: str = "basis"  # basis | descriptor | ignored
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def modelled(self) -> bool:
        return self.kind in MODELLED

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "reason": self.reason,
            "levels": list(self.levels),
            "log": self.log,
            "role": self.role,
            "stats": dict(self.stats),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Variable:
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            reason=str(data["reason"]),
            levels=tuple(str(v) for v in data.get("levels", [])),
            log=bool(data.get("log", False)),
            role=str(data.get("role", "basis")),
            stats={str(k): float(v) for k, v in data.get("stats", {}).items()},
        )


def parse_spec(items: Sequence[str]) -> list[tuple[str, str | None]]:
    """``["a", "b:ordinal"]`` -> ``[("a", None), ("b", "ordinal")]``; unknown kinds fail."""
    out: list[tuple[str, str | None]] = []
    for raw in items:
        text = raw.strip()
        if not text:
            continue
        name, sep, kind = text.rpartition(":")
        if sep and kind.strip().lower() in KINDS:
            out.append((name.strip(), kind.strip().lower()))
        elif sep and kind.strip().lower() not in KINDS and name:
            raise PersonaInputError(
                f"unknown variable kind {kind!r} in {text!r}; valid kinds: {', '.join(MODELLED)}"
            )
        else:
            out.append((text, None))
    return out


def _as_text(series: pl.Series) -> pl.Series:
    s = series.cast(pl.Utf8, strict=False).str.strip_chars()
    return pl.select(pl.when(s == "").then(None).otherwise(s)).to_series().alias(series.name)


def _numeric(series: pl.Series) -> pl.Series | None:
    """The column as float64 when every non-missing value is a number, else None."""
    if series.dtype.is_numeric():
        return series.cast(pl.Float64)
    if series.dtype == pl.Boolean:
        return None
    text = _as_text(series)
    nums = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    if nums.null_count() != text.null_count():
        return None
    return nums


def _skew(values: np.ndarray) -> float:
    sd = float(values.std())
    if sd == 0 or values.size < 3:
        return 0.0
    return float(np.mean(((values - values.mean()) / sd) ** 3))


def _band_key(level: str) -> float | None:
    m = _BAND.match(level)
    if m is None:
        return None
    try:
        number = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    mult = {"k": 1e3, "m": 1e6}.get((m.group(2) or "").lower(), 1.0)
    bonus = -0.5 if level.strip().startswith("<") else 0.0
    return number * mult + bonus


def ordered_levels(levels: Sequence[str]) -> tuple[str, ...] | None:
    """The levels in their natural order when they form a known scale or numeric bands."""
    lowered = {lv.lower(): lv for lv in levels}
    for scale in _SCALES:
        if len(lowered) >= 3 and set(lowered) <= set(scale):
            return tuple(lowered[s] for s in scale if s in lowered)
    keys = [_band_key(lv) for lv in levels]
    if len(levels) >= 3 and all(k is not None for k in keys):
        pairs = sorted(zip(keys, levels, strict=True), key=lambda p: p[0] or 0.0)
        return tuple(lv for _, lv in pairs)
    return None


def _levels_by_frequency(text: pl.Series) -> tuple[tuple[str, ...], bool]:
    counts = text.drop_nulls().value_counts(sort=True)
    names = [str(v) for v in counts[counts.columns[0]].to_list()]
    freq = counts[counts.columns[1]].to_list()
    total = max(sum(freq), 1)
    keep = [n for n, f in zip(names, freq, strict=True) if f / total >= MIN_LEVEL_SHARE][
        :MAX_LEVELS
    ]
    lumped = len(keep) < len(names)
    if lumped:
        keep.append(OTHER)
    return tuple(keep), lumped


def infer_variable(series: pl.Series, *, kind: str | None = None) -> Variable:
    """Infer how one column is modelled (or apply the user's ``kind``), with a reason."""
    name = series.name
    n = series.len()
    if series.dtype in (pl.Date, pl.Datetime, pl.Time, pl.Duration) and kind is None:
        return Variable(name, "date", "dates are not segmented; derive e.g. a tenure first")
    numeric_dtype = series.dtype.is_numeric()
    text = series.cast(pl.Float64).fill_nan(None) if numeric_dtype else _as_text(series)
    nonnull = n - text.null_count()
    if nonnull == 0:
        return Variable(name, "constant", "every value is missing")
    distinct = text.drop_nulls().n_unique()
    if distinct <= 1 and kind is None:
        return Variable(name, "constant", "a single value: it cannot separate anyone")
    nums = _numeric(series)
    why = "given by the user" if kind else ""
    if kind in ("id", "text", "constant", "date"):
        return Variable(name, kind, why)
    unique_ratio = distinct / nonnull

    if nums is not None and kind in (None, "count", "continuous", "ordinal"):
        values = nums.drop_nulls().to_numpy()
        values = values[np.isfinite(values)]
        if values.size == 0 or (kind is None and np.unique(values).size <= 1):
            return Variable(name, "constant", "no usable number (all missing or infinite)")
        integer = bool(np.all(values == np.round(values)))
        lo, hi = float(values.min()), float(values.max())
        if kind is None and integer and unique_ratio > 0.95 and distinct > 50:
            sequential = (hi - lo + 1) <= 1.2 * distinct
            if _ID_NAME.search(name) or sequential:
                return Variable(name, "id", f"near-unique integers ({distinct} of {nonnull})")
        if kind == "ordinal" or (
            kind is None and integer and lo >= 0 and hi <= 10 and 3 <= distinct <= 11 and lo >= 1
        ):
            levels = tuple(_fmt(v) for v in sorted(set(values.tolist())))
            return Variable(
                name,
                "ordinal",
                why or f"integers {_fmt(lo)}..{_fmt(hi)} with {distinct} levels: a rating scale",
                levels=levels,
            )
        if kind is None and integer and distinct <= 2:
            levels = tuple(_fmt(v) for v in sorted(set(values.tolist())))
            return Variable(name, "categorical", "two values: a flag", levels=levels)
        if kind == "count" or (kind is None and integer and lo >= 0):
            if lo < 0 or not integer:
                raise PersonaInputError(
                    f"column {name!r} cannot be a count: it holds negative or fractional values"
                )
            return Variable(
                name,
                "count",
                why or f"non-negative integers 0..{_fmt(hi)}: a count",
                stats={"mean": float(values.mean())},
            )
        skew = _skew(values)
        log = lo > 0 and skew > 1.0
        reason = why or "real numbers"
        if log:
            reason += f"; positive and right-skewed (skew {skew:.1f}) so modelled on a log scale"
        return Variable(name, "continuous", reason, log=log, stats={"skew": skew})

    if kind in ("count", "continuous"):
        raise PersonaInputError(f"column {name!r} is not numeric, so it cannot be a {kind}")
    text = _as_text(series)
    if kind is None:
        mean_len = float(text.drop_nulls().str.len_chars().mean() or 0.0)  # type: ignore[arg-type]
        if _ID_NAME.search(name) and unique_ratio > 0.5:
            return Variable(name, "id", "named like an identifier")
        if mean_len > 40 or (unique_ratio > 0.9 and nonnull >= 20 and mean_len > 20):
            return Variable(name, "text", f"free text (mean length {mean_len:.0f} characters)")
        if unique_ratio > 0.9 and nonnull >= 20:
            return Variable(name, "id", f"near-unique values ({distinct} of {nonnull})")
    raw_levels = [str(v) for v in text.drop_nulls().unique().to_list()]
    order = ordered_levels(raw_levels)
    if order is not None and kind in (None, "ordinal"):
        return Variable(name, "ordinal", why or "ordered levels (a scale or bands)", levels=order)
    if kind == "ordinal":
        levels = tuple(sorted(raw_levels))
        return Variable(name, "ordinal", "given by the user; levels in sorted order", levels=levels)
    levels, lumped = _levels_by_frequency(text)
    reason = why or f"{distinct} labels"
    if lumped:
        reason += f"; rare labels lumped into {OTHER!r}"
    return Variable(name, "categorical", reason, levels=levels)


def _fmt(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and value == int(value) else repr(value)


@dataclass(frozen=True)
class Selection:
    """The variables of one discovery: bases (segment), descriptors (profile) and the rest."""

    bases: tuple[Variable, ...]
    descriptors: tuple[Variable, ...]
    ignored: tuple[Variable, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "bases": [v.to_dict() for v in self.bases],
            "descriptors": [v.to_dict() for v in self.descriptors],
            "ignored": [v.to_dict() for v in self.ignored],
        }


def choose_variables(
    table: pl.DataFrame,
    *,
    id_column: str | None,
    variables: Sequence[str] = (),
    exclude: Sequence[str] = (),
    describe: Sequence[str] = (),
    reserved: Sequence[str] = (),
) -> Selection:
    """Bases, descriptors and ignored columns, with user choices applied and checked."""
    columns = set(table.columns)
    asked = parse_spec(variables)
    described = parse_spec(describe)
    for name, _ in [*asked, *described, *((e, None) for e in exclude)]:
        if name not in columns:
            raise PersonaInputError(
                f"column {name!r} is not in the input; columns: {', '.join(table.columns)}"
            )
    if id_column is not None and id_column not in columns:
        raise PersonaInputError(
            f"id column {id_column!r} is not in the input; columns: {', '.join(table.columns)}"
        )
    skip = {c for c in (id_column, *reserved) if c}
    overrides = dict(asked) | dict(described)
    described_names = {n for n, _ in described}
    bases: list[Variable] = []
    descriptors: list[Variable] = []
    ignored: list[Variable] = []
    for col in table.columns:
        if col in skip:
            continue
        var = infer_variable(table[col], kind=overrides.get(col))
        if col in described_names:
            if var.modelled:
                descriptors.append(replace(var, role="descriptor"))
            else:
                ignored.append(replace(var, role="ignored"))
            continue
        if asked:
            chosen = col in dict(asked)
            if chosen and not var.modelled:
                raise PersonaInputError(
                    f"column {col!r} cannot segment: {var.kind} ({var.reason}); "
                    f"give a kind, e.g. {col}:categorical"
                )
        else:
            chosen = var.modelled and col not in exclude
        if chosen:
            bases.append(replace(var, role="basis"))
        else:
            note = "excluded by the user" if col in exclude else var.reason
            ignored.append(replace(var, role="ignored", reason=note))
    if not bases:
        raise PersonaInputError(
            "no column can segment: every column is an id, free text, constant or excluded; "
            "name the bases with --variables"
        )
    return Selection(tuple(bases), tuple(descriptors), tuple(ignored))
