"""Turn columns of text into typed columns, column by column (polars), collecting rejections.

Every coercion returns the typed values and the rows whose non-empty text did not fit;
the reason names the bad value and what would be valid.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from buyermap.db.models import CustomFieldDef
from buyermap.domain.enums import Seniority
from buyermap.io.fields import FieldSpec

# row index (0-based) -> [(column, reason), ...]
Errors = dict[int, list[tuple[str, str]]]

_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
)
_AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
_DOMAIN_RE = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
_EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# yes/no in English, German, French, Spanish/Italian and our first markets' languages:
# Polish (tak/nie), Romanian (da/nu), Czech (ano/ne), Hungarian (igen/nem), Icelandic
# (já/nei), Finnish (kyllä/ei).
_TRUE = {"true", "yes", "y", "1", "t", "x", "ja", "oui", "si", "ano"}
_TRUE |= {"tak", "da", "igen", "já", "kyllä", "kylla"}
_FALSE = {"false", "no", "n", "0", "f", "nein", "non", "ne"}
_FALSE |= {"nie", "nu", "nem", "nei", "ei"}
_SENIORITY_ALIASES = {
    "c_level": Seniority.C_LEVEL,
    "clevel": Seniority.C_LEVEL,
    "c_suite": Seniority.C_LEVEL,
    "csuite": Seniority.C_LEVEL,
    "cxo": Seniority.C_LEVEL,
    "executive": Seniority.C_LEVEL,
    "chief": Seniority.C_LEVEL,
    "vice_president": Seniority.VP,
    "vicepresident": Seniority.VP,
    "head": Seniority.DIRECTOR,
    "senior": Seniority.SPECIALIST,
    "individual_contributor": Seniority.SPECIALIST,
    "ic": Seniority.SPECIALIST,
    "junior": Seniority.ENTRY,
    "intern": Seniority.ENTRY,
    "founder": Seniority.OWNER,
    "partner": Seniority.OWNER,
    "mgr": Seniority.MANAGER,
    "dir": Seniority.DIRECTOR,
}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "kč": "CZK"}
VALID_SENIORITY = ", ".join(s.value for s in Seniority)


@dataclass
class Coerced:
    values: pl.Series
    bad: pl.Series  # bool mask of rows whose text did not fit
    reason: Callable[[str], str]


@dataclass
class Validated:
    """Typed values per field (Python lists, None when blank) and the rejections."""

    columns: dict[str, list[Any]] = field(default_factory=dict)
    custom: dict[str, list[Any]] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)


# What people and tools leave in cells that mean "nothing here" (compared case-insensitively).
PLACEHOLDERS = ("null", "none", "n/a", "-", "--", "[not provided]", "#n/a", "nil", "(blank)")


def blank_to_null(s: pl.Series) -> pl.Series:
    stripped = s.str.strip_chars()
    return stripped.set(stripped == "", None) if stripped.len() else stripped


def blank_placeholders(frame: pl.DataFrame, placeholders: Sequence[str]) -> pl.DataFrame:
    """Cells holding only a placeholder (``null``, ``N/A``, ``[not provided]``...) become
    empty, in every column (mapped or kept in ``extra``)."""
    if not placeholders or frame.width == 0:
        return frame
    values = sorted({p.strip().lower() for p in placeholders if p.strip()})
    return frame.with_columns(
        pl.when(pl.col(c).str.strip_chars().str.to_lowercase().is_in(values))
        .then(pl.lit(""))
        .otherwise(pl.col(c))
        .alias(c)
        for c in frame.columns
    )


def _nonfit(raw: pl.Series, typed: pl.Series) -> pl.Series:
    return raw.is_not_null() & typed.is_null()


def clean_number_text(s: pl.Series) -> pl.Series:
    """``$1,234.50`` / ``1.234,50 €`` / ``EUR 1 234`` -> ``1234.50`` (text)."""
    t = s.str.replace_all(r"(?i)^[a-z]{3}\s*|\s*[a-z]{3}$", "").str.replace_all(
        r"[\s\u00a0'_$€£¥₹]", ""
    )
    eu_full = t.str.contains(r"^[+-]?\d{1,3}(\.\d{3})+,\d*$")
    us_thousands = t.str.contains(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
    dec_comma = t.str.contains(r"^[+-]?\d*,\d+$")
    eu_thousands = t.str.contains(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
    frame = pl.DataFrame(
        {"t": t, "a": eu_full, "b": us_thousands, "c": dec_comma, "d": eu_thousands}
    )
    col = pl.col("t")
    out = frame.select(
        pl.when(pl.col("a"))
        .then(col.str.replace_all(r"\.", "").str.replace(",", "."))
        .when(pl.col("b"))
        .then(col.str.replace_all(",", ""))
        .when(pl.col("c"))
        .then(col.str.replace(",", "."))
        .when(pl.col("d"))
        .then(col.str.replace_all(r"\.", ""))
        .otherwise(col)
    )
    return out.to_series()


def coerce_number(raw: pl.Series, spec: FieldSpec) -> Coerced:
    num = clean_number_text(raw).cast(pl.Float64, strict=False)
    num = num.set(~num.is_finite().fill_null(False), None)
    bad = _nonfit(raw, num)
    out_of_range = _range_mask(num, spec)
    num = num.set(out_of_range, None)
    return Coerced(num, bad | out_of_range, lambda v: f"{v!r} is not a number{_range_text(spec)}")


def coerce_int(raw: pl.Series, spec: FieldSpec) -> Coerced:
    num = clean_number_text(raw).cast(pl.Float64, strict=False)
    whole = num.is_finite().fill_null(False) & (num == num.floor()).fill_null(False)
    num = num.set(~whole, None)
    out_of_range = _range_mask(num, spec) | (num.abs() > 9e15).fill_null(False)
    num = num.set(out_of_range, None)
    ints = num.cast(pl.Int64)
    bad = _nonfit(raw, ints)
    return Coerced(ints, bad, lambda v: f"{v!r} is not a whole number{_range_text(spec)}")


def _range_mask(num: pl.Series, spec: FieldSpec) -> pl.Series:
    mask = pl.Series([False] * num.len(), dtype=pl.Boolean)
    if spec.minimum is not None:
        mask = mask | (num < spec.minimum).fill_null(False)
    if spec.maximum is not None:
        mask = mask | (num > spec.maximum).fill_null(False)
    return mask


def _range_text(spec: FieldSpec) -> str:
    lo, hi = spec.minimum, spec.maximum
    if lo is not None and hi is not None and hi < 1e6:
        return f" from {lo:g} to {hi:g}; expected e.g. {max(lo, 1):g}"
    if lo is not None:
        return f" of at least {lo:g}; expected e.g. 1250 or 1,250.50"
    return "; expected e.g. 1250 or 1,250.50"


def parse_datetimes(raw: pl.Series) -> pl.Series:
    """ISO, US (HubSpot/Salesforce ``1/15/2024 3:45 PM``), European dotted dates; -> naive UTC."""
    t = (
        raw.str.replace(r"(\d)T(\d)", "${1} ${2}")
        .str.replace(r"\s*(Z|UTC|GMT)$", "+00:00")
        .str.replace(r"^(\d{1,2})/(\d{1,2})/(\d{2})(\s|$)", "${1}/${2}/20${3}${4}")
    )
    parts: list[pl.Series] = []
    for fmt in _AWARE_FORMATS:
        parsed = t.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False)
        parts.append(parsed.dt.replace_time_zone(None))
    for fmt in _NAIVE_FORMATS:
        parts.append(t.str.strptime(pl.Datetime("us"), fmt, strict=False))
    out = (
        pl.DataFrame({f"p{i}": p for i, p in enumerate(parts)})
        .select(pl.coalesce(pl.all()))
        .to_series()
    )
    sane = (out.dt.year() >= 1900) & (out.dt.year() <= 2200)
    return out.set(~sane.fill_null(False), None)


_DATE_HELP = "expected a date like 2024-01-31, 01/31/2024, 31.01.2024 or 2024-01-31T09:30:00Z"


def coerce_datetime(raw: pl.Series, spec: FieldSpec) -> Coerced:
    out = parse_datetimes(raw)
    return Coerced(out, _nonfit(raw, out), lambda v: f"{v!r} is not a date/time; {_DATE_HELP}")


def coerce_date(raw: pl.Series, spec: FieldSpec) -> Coerced:
    out = parse_datetimes(raw).dt.date()
    return Coerced(out, _nonfit(raw, out), lambda v: f"{v!r} is not a date; {_DATE_HELP}")


def coerce_email(raw: pl.Series, spec: FieldSpec) -> Coerced:
    low = raw.str.to_lowercase().str.replace(r"^mailto:", "")
    ok = low.str.contains(_EMAIL_RE) & (low.str.len_chars() <= 320)
    out = low.set(~ok.fill_null(False), None)
    return Coerced(
        out,
        _nonfit(raw, out),
        lambda v: f"{v!r} is not an email address; expected name@example.com",
    )


def coerce_domain(raw: pl.Series, spec: FieldSpec) -> Coerced:
    low = (
        raw.str.to_lowercase()
        .str.replace(r"^[a-z]+://", "")
        .str.replace(r"^[^@/]*@", "")
        .str.replace(r"[/?#].*$", "")
        .str.replace(r":\d*$", "")
        .str.replace(r"^www\.", "")
        .str.strip_chars(".")
    )
    ok = low.str.contains(_DOMAIN_RE) & (low.str.len_chars() <= 253)
    out = low.set(~ok.fill_null(False), None)
    return Coerced(
        out, _nonfit(raw, out), lambda v: f"{v!r} is not a domain; expected something like acme.com"
    )


def coerce_text(raw: pl.Series, spec: FieldSpec) -> Coerced:
    if spec.max_len is None:
        return Coerced(raw, pl.Series([False] * raw.len()), str)
    too_long = (raw.str.len_chars() > spec.max_len).fill_null(False)
    out = raw.set(too_long, None)
    return Coerced(
        out, too_long, lambda v: f"{v[:40]!r}... is {len(v)} characters; at most {spec.max_len} fit"
    )


# An id that Excel turned into a number in scientific notation: its digits are lost.
_SCIENTIFIC_RE = r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"


def coerce_key(raw: pl.Series, spec: FieldSpec) -> Coerced:
    """An id: text, refused when Excel has shortened it to scientific notation."""
    text = coerce_text(raw, spec)
    scientific = raw.str.contains(_SCIENTIFIC_RE).fill_null(False)
    if not scientific.any():
        return text

    def reason(v: str) -> str:
        if len(v) > (spec.max_len or 10**9):
            return text.reason(v)
        return (
            f"{v!r} is an id in scientific notation: Excel shortened a long number and its "
            "digits are lost, so it could be another record's id. Export the file from the CRM "
            "again and open it in Excel with the column typed as text (Data > From Text/CSV), "
            "or import the CRM's own CSV"
        )

    return Coerced(text.values.set(scientific, None), text.bad | scientific, reason)


_STATUS = {
    "open": "open",
    "opened": "open",
    "active": "open",
    "in progress": "open",
    "won": "won",
    "closed won": "won",
    "closedwon": "won",
    "win": "won",
    "lost": "lost",
    "closed lost": "lost",
    "closedlost": "lost",
    "loss": "lost",
}


def status_value(text: str) -> str | None:
    return _STATUS.get(" ".join(text.strip().lower().replace("_", " ").split()))


def coerce_status(raw: pl.Series, spec: FieldSpec) -> Coerced:
    out = _map_unique(raw, status_value)
    return Coerced(
        out, _nonfit(raw, out), lambda v: f"{v!r} is not a deal status; valid: open, won, lost"
    )


def boolean_value(text: str) -> bool | None:
    low = text.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


def coerce_boolean(raw: pl.Series, spec: FieldSpec) -> Coerced:
    out = _map_unique(raw, boolean_value, pl.Boolean())
    return Coerced(
        out, _nonfit(raw, out), lambda v: f"{v!r} is not yes/no; use true/false, yes/no or 1/0"
    )


def _map_unique(
    raw: pl.Series, fn: Callable[[str], Any], dtype: pl.DataType | None = None
) -> pl.Series:
    uniques = raw.drop_nulls().unique().to_list()
    table = {u: fn(u) for u in uniques}
    return raw.replace_strict(table, default=None, return_dtype=dtype or pl.String)


def seniority_value(text: str) -> str | None:
    key = "_".join(text.strip().lower().replace("-", " ").replace(".", "").split())
    if key in {s.value for s in Seniority}:
        return key
    alias = _SENIORITY_ALIASES.get(key)
    return alias.value if alias else None


def coerce_seniority(raw: pl.Series, spec: FieldSpec) -> Coerced:
    out = _map_unique(raw, seniority_value)
    return Coerced(
        out, _nonfit(raw, out), lambda v: f"{v!r} is not a seniority; valid: {VALID_SENIORITY}"
    )


def currency_value(text: str) -> str | None:
    t = text.strip()
    t = _CURRENCY_SYMBOLS.get(t.lower(), t).upper()
    return t if len(t) == 3 and t.isascii() and t.isalpha() else None


def coerce_currency(raw: pl.Series, spec: FieldSpec) -> Coerced:
    out = _map_unique(raw, currency_value)
    return Coerced(
        out, _nonfit(raw, out), lambda v: f"{v!r} is not a currency code; expected e.g. USD, EUR"
    )


COERCERS: dict[str, Callable[[pl.Series, FieldSpec], Coerced]] = {
    "text": coerce_text,
    "key": coerce_key,
    "status": coerce_status,
    "boolean": coerce_boolean,
    "user": coerce_text,
    "stage": coerce_text,
    "full_name": coerce_text,
    "int": coerce_int,
    "number": coerce_number,
    "datetime": coerce_datetime,
    "date": coerce_date,
    "email": coerce_email,
    "domain": coerce_domain,
    "seniority": coerce_seniority,
    "currency": coerce_currency,
}


def custom_value(d: CustomFieldDef, text: str) -> tuple[Any, str | None]:
    """One custom field value checked against its definition: (value, reason when invalid)."""
    t = text.strip()
    kind = d.type
    if kind == "text":
        return t, None
    if kind in ("integer", "number"):
        s = clean_number_text(pl.Series([t])).cast(pl.Float64, strict=False)[0]
        if s is None or not math.isfinite(s) or (kind == "integer" and s != int(s)):
            what = "a whole number" if kind == "integer" else "a number"
            return None, f"{t!r} is not {what} (custom field {d.key!r})"
        return (int(s) if kind == "integer" else float(s)), None
    if kind == "boolean":
        low = t.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, f"{t!r} is not yes/no (custom field {d.key!r}); use true/false, yes/no, 1/0"
    if kind == "date":
        parsed = parse_datetimes(pl.Series([t]))[0]
        if parsed is None:
            return None, f"{t!r} is not a date (custom field {d.key!r}); {_DATE_HELP}"
        return parsed.date().isoformat(), None
    choices = {c.lower(): c for c in d.choices}
    if kind == "choice":
        if t.lower() in choices:
            return choices[t.lower()], None
        return None, f"{t!r} is not a choice of {d.key!r}; valid: {', '.join(d.choices)}"
    if kind == "multi_choice":
        items = [p.strip() for p in t.replace("|", ";").replace(",", ";").split(";") if p.strip()]
        wrong = [p for p in items if p.lower() not in choices]
        if wrong:
            return None, f"{wrong[0]!r} is not a choice of {d.key!r}; valid: {', '.join(d.choices)}"
        return [choices[p.lower()] for p in items], None
    return t, None


def validate_frame(
    frame: pl.DataFrame,
    *,
    mapping: Mapping[str, str],
    specs: Mapping[str, FieldSpec],
    customs: Mapping[str, CustomFieldDef],
) -> Validated:
    """Coerce each mapped column of ``frame`` (all text) and collect the rejections."""
    result = Validated()
    height = frame.height
    for column, target in mapping.items():
        raw = blank_to_null(frame[column])
        if target.startswith("custom."):
            key = target[7:]
            d = customs.get(key)
            if d is None:  # a custom key without a definition is kept as text
                result.custom[key] = raw.to_list()
                continue
            values: list[Any] = [None] * height
            uniques: dict[str, tuple[Any, str | None]] = {}
            for i, text in enumerate(raw.to_list()):
                if text is None:
                    continue
                if text not in uniques:
                    uniques[text] = custom_value(d, text)
                value, reason = uniques[text]
                if reason:
                    result.errors.setdefault(i, []).append((column, reason))
                values[i] = value
            result.custom[key] = values
            continue
        spec = specs[target]
        coerced = COERCERS[spec.kind](raw, spec)
        if coerced.bad.any():
            texts = raw.to_list()
            for i in coerced.bad.arg_true().to_list():
                result.errors.setdefault(i, []).append((column, coerced.reason(texts[i])))
        values = coerced.values.to_list()
        earlier = result.columns.get(target)
        if earlier is not None:  # a field fed by several columns: the first non-empty wins
            values = [a if a is not None else b for a, b in zip(earlier, values, strict=True)]
        result.columns[target] = values
    for spec in specs.values():
        if spec.required and spec.name in result.columns:
            for i, v in enumerate(result.columns[spec.name]):
                if v is None and i not in result.errors:
                    column = next(c for c, t in mapping.items() if t == spec.name)
                    result.errors.setdefault(i, []).append(
                        (column, f"{spec.name} is required but the cell is empty")
                    )
    return result
