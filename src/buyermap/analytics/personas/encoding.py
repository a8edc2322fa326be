"""A table as arrays the model reads: level codes, counts and (transformed) real numbers.

Missing cells stay missing: a level code equal to the sentinel (the total number of levels)
or a NaN. The likelihood skips them; nothing is imputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from buyermap.analytics.personas.variables import OTHER, Variable, _as_text, _numeric
from buyermap.errors import PersonaInputError

DISCRETE = ("categorical", "ordinal")


@dataclass
class Encoded:
    """Rows x variables, split by how each kind is modelled."""

    disc: tuple[Variable, ...]
    counts: tuple[Variable, ...]
    conts: tuple[Variable, ...]
    codes: np.ndarray  # n x m_disc, int32 global level index; ``n_levels`` = missing
    offsets: np.ndarray  # m_disc + 1 level offsets
    count_x: np.ndarray  # n x m_count, float64, NaN = missing
    cont_x: np.ndarray  # n x m_cont, float64 on the model's scale, NaN = missing
    cont_raw: np.ndarray  # n x m_cont, float64 as given
    unseen: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_levels(self) -> int:
        return int(self.offsets[-1])

    @property
    def ordinal(self) -> np.ndarray:
        return np.array([v.kind == "ordinal" for v in self.disc], dtype=bool)

    @property
    def variables(self) -> tuple[Variable, ...]:
        return (*self.disc, *self.counts, *self.conts)

    def take(self, idx: np.ndarray) -> Encoded:
        return Encoded(
            disc=self.disc,
            counts=self.counts,
            conts=self.conts,
            codes=self.codes[idx],
            offsets=self.offsets,
            count_x=self.count_x[idx],
            cont_x=self.cont_x[idx],
            cont_raw=self.cont_raw[idx],
        )

    def missing_share(self) -> dict[str, float]:
        out: dict[str, float] = {}
        n = max(self.n, 1)
        for j, v in enumerate(self.disc):
            out[v.name] = float(np.sum(self.codes[:, j] == self.n_levels)) / n
        for j, v in enumerate(self.counts):
            out[v.name] = float(np.isnan(self.count_x[:, j]).sum()) / n
        for j, v in enumerate(self.conts):
            out[v.name] = float(np.isnan(self.cont_x[:, j]).sum()) / n
        return out


def _level_codes(series: pl.Series, var: Variable) -> tuple[np.ndarray, int]:
    """Local level index per row (-1 missing) and how many values were not a known level."""
    levels = var.levels
    numeric_levels: list[float] | None = []
    for lv in levels:
        try:
            numeric_levels.append(float(lv))  # type: ignore[union-attr]
        except ValueError:
            numeric_levels = None
            break
    nums = _numeric(series) if numeric_levels else None
    if nums is not None and numeric_levels is not None:
        mapping_f = {value: i for i, value in enumerate(numeric_levels)}
        observed = nums.fill_nan(None)
        mapped = observed.replace_strict(mapping_f, default=None, return_dtype=pl.Int32)
    else:
        observed = _as_text(series)
        mapping_s = {value: i for i, value in enumerate(levels)}
        mapped = observed.replace_strict(mapping_s, default=None, return_dtype=pl.Int32)
    unseen_mask = mapped.is_null() & observed.is_not_null()
    unseen = int(unseen_mask.sum())
    if unseen and OTHER in levels:
        mapped = (
            pl.select(pl.when(unseen_mask).then(levels.index(OTHER)).otherwise(mapped))
            .to_series()
            .cast(pl.Int32)
        )
        unseen = 0
    return mapped.fill_null(-1).to_numpy().astype(np.int32), unseen


def encode(table: pl.DataFrame, variables: Sequence[Variable]) -> Encoded:
    """Encode the modelled ``variables`` of ``table`` (other kinds are an error)."""
    disc = tuple(v for v in variables if v.kind in DISCRETE)
    counts = tuple(v for v in variables if v.kind == "count")
    conts = tuple(v for v in variables if v.kind == "continuous")
    for v in variables:
        if v.kind not in (*DISCRETE, "count", "continuous"):
            raise PersonaInputError(f"column {v.name!r} is {v.kind} and cannot be modelled")
        if v.name not in table.columns:
            raise PersonaInputError(
                f"column {v.name!r} is missing from the input; it is needed by the model"
            )
    n = table.height
    offsets = np.zeros(len(disc) + 1, dtype=np.int64)
    for j, v in enumerate(disc):
        offsets[j + 1] = offsets[j] + len(v.levels)
    sentinel = int(offsets[-1])
    codes = np.full((n, len(disc)), sentinel, dtype=np.int32)
    unseen: dict[str, int] = {}
    for j, v in enumerate(disc):
        local, bad = _level_codes(table[v.name], v)
        if bad:
            unseen[v.name] = bad
        codes[:, j] = np.where(local >= 0, local + offsets[j], sentinel)
    count_x = np.full((n, len(counts)), np.nan)
    for j, v in enumerate(counts):
        nums = _numeric(table[v.name])
        if nums is None:
            raise PersonaInputError(f"column {v.name!r} should hold counts but is not numeric")
        arr = nums.fill_null(np.nan).to_numpy().astype(np.float64)
        infinite = np.isinf(arr)
        arr[infinite] = np.nan
        with np.errstate(invalid="ignore"):
            bad_mask = (arr < 0) | (arr != np.round(arr))
        bad_mask = (bad_mask & ~np.isnan(arr)) | infinite
        if int(bad_mask.sum()):
            unseen[v.name] = int(bad_mask.sum())
        arr = np.where(bad_mask, np.nan, arr)
        count_x[:, j] = arr
    cont_x = np.full((n, len(conts)), np.nan)
    cont_raw = np.full((n, len(conts)), np.nan)
    for j, v in enumerate(conts):
        nums = _numeric(table[v.name])
        if nums is None:
            raise PersonaInputError(f"column {v.name!r} should hold numbers but does not")
        arr = nums.fill_null(np.nan).to_numpy().astype(np.float64)
        arr[~np.isfinite(arr)] = np.nan
        cont_raw[:, j] = arr
        if v.log:
            with np.errstate(invalid="ignore", divide="ignore"):
                logged = np.where(arr > 0, np.log(np.where(arr > 0, arr, 1.0)), np.nan)
            nonpos = int(np.sum(~np.isnan(arr) & np.isnan(logged)))
            if nonpos:
                unseen[v.name] = nonpos
            cont_x[:, j] = logged
        else:
            cont_x[:, j] = arr
    return Encoded(disc, counts, conts, codes, offsets, count_x, cont_x, cont_raw, unseen)
