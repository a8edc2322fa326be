"""Column kinds inferred from the values, plain text columns too.

A file's columns often arrive as text: numbers written ``12 500``, ``1.234,5`` or
``$1,200``, booleans as ``yes/no`` in the seller's language. A column is a **number** when
nearly every non-empty cell reads as one (``io.validate.clean_number_text``), a **boolean**
when every cell is a yes/no word, else a **category**. Columns that cannot separate anyone
(one value only, or a distinct value in every row: an identifier or free text) are ignored
with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from buyermap.io.validate import clean_number_text

NUMBER = "number"
CATEGORY = "category"
BOOLEAN = "boolean"

TRUE_WORDS = frozenset(
    [
        "true",
        "yes",
        "y",
        "t",
        "1",
        "x",
        "ja",
        "oui",
        "si",
        "sí",
        "ano",
        "áno",
        "tak",
        "igen",
        "kyllä",
        "kylla",
        "já",
        "ja",
        "da",
    ]
)
FALSE_WORDS = frozenset(
    ["false", "no", "n", "f", "0", "nein", "non", "ne", "nie", "nem", "ei", "nei", "nu"]
)
NUMBER_SHARE = 0.98  # share of non-empty cells that must read as numbers
INFER_ROWS = 100_000
ID_LEVELS = 50  # a text column with a distinct value per row beyond this is an identifier


@dataclass(frozen=True, slots=True)
class ColumnKind:
    name: str
    kind: str  # number | category | boolean | ignored
    reason: str


def numbers(series: pl.Series) -> np.ndarray:
    """The column as float64 with NaN for empty or unreadable cells."""
    if series.dtype == pl.Boolean:
        return series.cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64)
    if series.dtype.is_numeric():
        out = series.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)
    else:
        text = series.cast(pl.Utf8).str.strip_chars()
        out = clean_number_text(text).cast(pl.Float64, strict=False).to_numpy()
        out = np.asarray(out, dtype=np.float64).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def texts(series: pl.Series, kind: str) -> pl.Series:
    """The column as text levels (booleans as ``yes``/``no``); empty cells null."""
    if kind == BOOLEAN:
        return booleans(series)
    if series.dtype == pl.Boolean:
        return series.replace_strict({True: "yes", False: "no"}, return_dtype=pl.Utf8)
    text = series.cast(pl.Utf8).str.strip_chars()
    return text.set(text == "", None) if text.len() else text


def booleans(series: pl.Series) -> pl.Series:
    """A yes/no column in any of the known languages as ``yes``/``no`` (else null)."""
    if series.dtype == pl.Boolean:
        return series.replace_strict({True: "yes", False: "no"}, return_dtype=pl.Utf8)
    low = series.cast(pl.Utf8).str.strip_chars().str.to_lowercase()
    frame = pl.DataFrame({"v": low})
    return frame.select(
        pl.when(pl.col("v").is_in(list(TRUE_WORDS)))
        .then(pl.lit("yes"))
        .when(pl.col("v").is_in(list(FALSE_WORDS)))
        .then(pl.lit("no"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
        .alias(series.name)
    ).to_series()


def infer(series: pl.Series) -> ColumnKind:
    """The kind of a column, with the reason in words."""
    name = series.name
    present = series.drop_nulls()
    if present.dtype == pl.Utf8:
        present = present.str.strip_chars()
        present = present.filter(present != "")
    n = present.len()
    if n == 0:
        return ColumnKind(name, "ignored", "every cell is empty")
    distinct = present.n_unique()
    if distinct == 1:
        return ColumnKind(name, "ignored", f"one value only ({present[0]!r}): separates no one")
    if present.dtype == pl.Boolean:
        return ColumnKind(name, BOOLEAN, "yes/no values")
    if present.dtype.is_numeric():
        if distinct <= 2:
            return ColumnKind(name, CATEGORY, f"{distinct} distinct numbers: read as levels")
        return ColumnKind(name, NUMBER, "numbers")
    text = present.cast(pl.Utf8)
    if n > INFER_ROWS:  # the kind is read from an even sample of the cells
        text = text.gather_every(n // INFER_ROWS)
    low = text.str.to_lowercase()
    words = TRUE_WORDS | FALSE_WORDS
    if bool(low.is_in(list(words)).all()):
        return ColumnKind(name, BOOLEAN, "yes/no words")
    parsed = np.isfinite(numbers(text))
    share = float(parsed.mean())
    if share >= NUMBER_SHARE and distinct > 2:
        return ColumnKind(name, NUMBER, f"numbers written as text ({share:.0%} of cells read)")
    if distinct == n and n > ID_LEVELS:
        return ColumnKind(
            name, "ignored", f"a distinct value in every row ({n:,}): an identifier or free text"
        )
    return ColumnKind(name, CATEGORY, f"{distinct:,} distinct values")
