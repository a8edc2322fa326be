"""Stage history: read a file or the workspace into one normalised frame.

Both sources end in :func:`normalise`, so the file reader and the workspace loader
(:mod:`buyermap.analytics.pipeline.workspace`) produce the same frame: one row per stage change with

``deal_id`` (str), ``stage`` (canonical stage name), ``kind`` (open / won / lost),
``changed_at`` (naive UTC datetime), ``amount`` (float, carried forward within a deal),
``row`` (1-based position in the input), ``opened_at`` and ``is_snapshot`` (below) and any
other columns (``segment``, ``owner``, ``source``, ``persona``, ``lost_reason``, ...) as
strings.

Two columns say how far the times can be trusted (both optional in the input):

* ``opened_at`` (deal-level, naive UTC datetime or null): when the deal was opened; null =
  unknown. Without the column a deal was opened at its first change (the rule for files:
  the first row of a deal is its creation); with it, an empty value means unknown. The
  first non-empty value of a deal counts for all its rows.
* ``is_snapshot`` (bool): the change only records the stage the deal was in when a file
  was imported; its ``changed_at`` is the import time, not when the deal moved there.
  Without the column (or empty) a change is a real move.

Rows are sorted by deal, time and input order (ties keep the order they were given in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from buyermap.analytics.base import hash_files
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import stage_kind_from_name
from buyermap.errors import InputFileError, InvalidValueError

REQUIRED = ("deal_id", "stage", "changed_at", "amount")
DATING = ("opened_at", "is_snapshot")  # optional: how far the times can be trusted
FIXED = ("deal_id", "stage", "kind", "changed_at", "amount", "row", *DATING)
FLAG_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
BREAKDOWNS = ("segment", "owner", "source", "persona")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
TZ_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z")


def stage_key(name: str) -> str:
    return " ".join(name.split()).lower()


@dataclass(frozen=True, slots=True)
class StageSetup:
    """Open stages in pipeline order, and the names of the won and lost stages."""

    open_stages: tuple[str, ...]
    won: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class History:
    """A normalised stage history and where it came from."""

    frame: pl.DataFrame
    stages: StageSetup
    source: str
    inputs_hash: str
    order_given: bool = False  # False: the stage order was inferred from the data

    @property
    def extra_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.frame.columns if c not in FIXED)

    def until(self, cutoff: datetime) -> History:
        """Only the changes strictly before ``cutoff`` (what was known then).

        An inferred stage order is inferred again from those changes alone, so that
        nothing after the cut leaks into a forecast.
        """
        frame = self.frame.filter(pl.col("changed_at") < cutoff)
        stages = self.stages
        if not self.order_given:
            order = tuple(_infer_order(frame))
            stages = StageSetup(open_stages=order, won=stages.won, lost=stages.lost)
        return History(frame, stages, self.source, self.inputs_hash, self.order_given)

    @property
    def end(self) -> datetime:
        """The latest change that is not in the future: the default as-of date.

        A change dated after today (a typo such as 2100, or year 9999) cannot move the
        default as-of date; analyses at that date leave it out (:attr:`future_changes`).
        When every change is in the future the latest one is the end.
        """
        times = self.frame["changed_at"]
        last = times.filter(times <= _now()).max()
        if not isinstance(last, datetime):
            last = times.max()
        if not isinstance(last, datetime):
            raise InvalidValueError(f"{self.source}: the history has no stage changes")
        return min(last, LATEST_AS_OF_CUT - timedelta(days=1))

    @property
    def future_changes(self) -> int:
        """How many changes are dated after the default as-of date (left out by default)."""
        return int((self.frame["changed_at"] >= cutoff_of(self.end.date())).sum())


LATEST_AS_OF = date(2200, 12, 31)
LATEST_AS_OF_CUT = datetime(2201, 1, 1)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def cutoff_of(as_of: date) -> datetime:
    """Changes on the as-of date count: the cut is the midnight that ends it."""
    if as_of > LATEST_AS_OF:
        raise InvalidValueError(
            f"as-of date {as_of.isoformat()} is too late: at most {LATEST_AS_OF.isoformat()}",
            details={"field": "as_of", "value": as_of.isoformat()},
        )
    return datetime(as_of.year, as_of.month, as_of.day) + timedelta(days=1)


# --- reading files ------------------------------------------------------------------


def _read_csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")


def _read_tsv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, separator="\t", encoding="utf8-lossy")


def _read_parquet(path: Path) -> pl.DataFrame:
    return pl.read_parquet(path)


def _read_json(path: Path) -> pl.DataFrame:
    return pl.read_json(path)


READERS: dict[str, Callable[[Path], pl.DataFrame]] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_tsv,
    ".parquet": _read_parquet,
    ".json": _read_json,
}


def read_history_file(
    path: Path,
    *,
    stages: Sequence[str] = (),
    won_stages: Sequence[str] = (),
    lost_stages: Sequence[str] = (),
) -> History:
    """Read a stage-history file (CSV, TSV, Parquet or JSON records)."""
    if not path.is_file():
        raise InputFileError(f"history file {str(path)!r} does not exist")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        valid = ", ".join(sorted(READERS))
        raise InputFileError(f"{path.name}: unknown file type {path.suffix!r}; use one of {valid}")
    try:
        raw = reader(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InputFileError(f"{path.name}: cannot be read ({exc})") from exc
    return normalise(
        raw,
        source=path.name,
        inputs_hash=hash_files([path]),
        stages=stages,
        won_stages=won_stages,
        lost_stages=lost_stages,
    )


# --- normalising ------------------------------------------------------------------------


def _bad_row(source: str, frame: pl.DataFrame, mask: pl.Series, column: str, valid: str) -> None:
    bad = frame.filter(mask)
    if bad.height:
        first = bad.row(0, named=True)
        raise InvalidValueError(
            f"{source}: row {first['row']}, column {column!r}: bad value "
            f"{first[column]!r} ({bad.height} such rows); {valid}",
            details={"file": source, "row": first["row"], "column": column},
        )


def _parse_times(
    frame: pl.DataFrame, source: str, column: str = "changed_at", *, empty_ok: bool = False
) -> pl.DataFrame:
    """``column`` as naive UTC datetimes; with ``empty_ok`` an empty value is null (unknown)."""
    dtype = frame.schema[column]
    if dtype == pl.Date:
        return frame.with_columns(pl.col(column).cast(pl.Datetime("us")))
    if isinstance(dtype, pl.Datetime):
        col = pl.col(column)
        if dtype.time_zone is not None:
            col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return frame.with_columns(col.cast(pl.Datetime("us")))
    text = pl.col(column).cast(pl.String).str.strip_chars().str.replace(r"Z$", "")
    naive = [text.str.strptime(pl.Datetime("us"), f, strict=False) for f in DATE_FORMATS]
    aware = [
        text.str.strptime(pl.Datetime("us", "UTC"), f, strict=False)
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        for f in TZ_FORMATS
    ]
    parsed = frame.with_columns(pl.coalesce([*naive, *aware]).alias("_t"))
    bad = parsed["_t"].is_null()
    if empty_ok:
        given = parsed[column].cast(pl.String).str.strip_chars().fill_null("")
        bad = bad & (given != "")
    _bad_row(
        source,
        parsed,
        bad,
        column,
        "use dates like 2025-03-01 or 2025-03-01T14:30:00"
        + (", or leave it empty (unknown)" if empty_ok else ""),
    )
    return parsed.with_columns(pl.col("_t").alias(column)).drop("_t")


def _parse_dating(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """The deal-level ``opened_at`` and the row-level ``is_snapshot`` (module docstring)."""
    if "opened_at" in frame.columns:
        frame = _parse_times(frame, source, "opened_at", empty_ok=True)
        opened = pl.col("opened_at").drop_nulls().first().over("deal_id")
    else:
        opened = pl.col("changed_at").first().over("deal_id")  # rows are sorted by time
    frame = frame.with_columns(opened.alias("opened_at"))
    if "is_snapshot" not in frame.columns:
        return frame.with_columns(pl.lit(False).alias("is_snapshot"))
    if frame.schema["is_snapshot"] == pl.Boolean:
        return frame.with_columns(pl.col("is_snapshot").fill_null(False))
    text = pl.col("is_snapshot").cast(pl.String).str.strip_chars().str.to_lowercase()
    flag = text.replace_strict(FLAG_VALUES, default=None, return_dtype=pl.Boolean)
    frame = frame.with_columns(flag.alias("_f"), text.fill_null("").alias("_x"))
    _bad_row(
        source,
        frame,
        frame["_f"].is_null() & (frame["_x"] != ""),
        "is_snapshot",
        "use true or false (1/0, yes/no), or leave it empty (false)",
    )
    return frame.with_columns(pl.col("_f").fill_null(False).alias("is_snapshot")).drop("_f", "_x")


def _parse_amounts(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    if frame.schema["amount"].is_numeric():
        frame = frame.with_columns(pl.col("amount").cast(pl.Float64).alias("_a"))
    else:
        text = (
            pl.col("amount")
            .cast(pl.String)
            .str.strip_chars()
            .str.replace_all(r"[,_ $€£]", "")
            .replace("", None)
        )
        frame = frame.with_columns(text.cast(pl.Float64, strict=False).alias("_a"))
        _bad_row(
            source,
            frame,
            frame["_a"].is_null() & frame["amount"].cast(pl.String).str.strip_chars().ne(""),
            "amount",
            "use a number such as 12500 or 12500.50, or leave it empty",
        )
    _bad_row(source, frame, frame["_a"] < 0, "amount", "amounts cannot be negative")
    # forward only: an amount given later must not leak back to an earlier date
    filled = pl.col("_a").forward_fill().over("deal_id").fill_null(0)
    return frame.with_columns(filled.alias("amount")).drop("_a")


def _infer_order(frame: pl.DataFrame) -> list[str]:
    """Order of open stages: median rank of first entry within deals, then first appearance."""
    firsts = (
        frame.filter(pl.col("kind") == "open")
        .group_by("deal_id", "stage")
        .agg(pl.col("changed_at").min(), pl.col("row").min())
        .with_columns(pl.struct("changed_at", "row").rank("ordinal").over("deal_id").alias("_rank"))
        .group_by("stage")
        .agg(pl.col("_rank").median().alias("m"), pl.col("changed_at").min().alias("first"))
        .sort("m", "first")
    )
    return [str(s) for s in firsts["stage"]]


def _resolve_stages(
    names: list[str],
    source: str,
    stages: Sequence[str],
    won_stages: Sequence[str],
    lost_stages: Sequence[str],
) -> tuple[dict[str, str], dict[str, str]]:
    """Canonical spelling by stage key, and the kind of every stage name as written."""
    canonical: dict[str, str] = {}
    for name in [*names, *stages, *won_stages, *lost_stages]:
        canonical.setdefault(stage_key(name), name.strip())
    won = {stage_key(s) for s in won_stages}
    lost = {stage_key(s) for s in lost_stages}
    given = {stage_key(s) for s in stages}

    def kind(key: str) -> str:
        if key in won:
            return StageKind.WON.value
        if key in lost:
            return StageKind.LOST.value
        # "Closed Won" listed in --stages is still the won stage
        return stage_kind_from_name(canonical[key]).value

    kinds = {name: kind(stage_key(name)) for name in names}
    if stages:
        unknown = sorted(
            {n for n in names if kinds[n] == "open" and stage_key(n) not in given}, key=str
        )
        if unknown:
            raise InvalidValueError(
                f"{source}: stage {unknown[0]!r} is not in the stage order given; "
                f"valid stages: {', '.join(stages)} (won: {', '.join(won_stages) or 'by name'}, "
                f"lost: {', '.join(lost_stages) or 'by name'})"
            )
    if "won" not in kinds.values():
        raise InvalidValueError(
            f"{source}: no won stage among the stages seen ({', '.join(sorted(set(names)))}); "
            "name it 'Closed Won' or 'Won', or name the won stage (won_stages)",
            details={"parameter": "won_stages"},
        )
    return canonical, kinds


def normalise(
    raw: pl.DataFrame,
    *,
    source: str,
    inputs_hash: str,
    stages: Sequence[str] = (),
    won_stages: Sequence[str] = (),
    lost_stages: Sequence[str] = (),
) -> History:
    """Validate and normalise a raw stage history (see the module docstring)."""
    renamed = {c: "_".join(c.strip().lower().split()) for c in raw.columns}
    frame = raw.rename(renamed)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InvalidValueError(
            f"{source}: missing column {missing[0]!r}; a history needs the columns "
            f"{', '.join(REQUIRED)} (found: {', '.join(frame.columns) or 'none'})",
            details={"file": source, "column": missing[0]},
        )
    if frame.height == 0:
        raise InvalidValueError(f"{source}: the history has no rows")
    frame = frame.with_row_index("_order").with_columns(
        (pl.col("_order") + 1).cast(pl.Int64).alias("row")
    )
    for col in ("deal_id", "stage"):
        frame = frame.with_columns(pl.col(col).cast(pl.String).str.strip_chars())
        _bad_row(
            source,
            frame,
            frame[col].is_null() | (frame[col] == ""),
            col,
            "every row needs a value",
        )
    frame = _parse_times(frame, source).sort("deal_id", "changed_at", "_order")
    frame = _parse_amounts(frame, source)
    frame = _parse_dating(frame, source)
    names = [str(s) for s in frame["stage"].unique(maintain_order=True)]
    by_key, kinds = _resolve_stages(names, source, stages, won_stages, lost_stages)
    canonical = {n: by_key[stage_key(n)] for n in names}
    frame = frame.with_columns(
        pl.col("stage").replace_strict(canonical, return_dtype=pl.String).alias("stage"),
        pl.col("stage").replace_strict(kinds, return_dtype=pl.String).alias("kind"),
    )
    others = [c for c in frame.columns if c not in (*FIXED, "_order")]
    frame = frame.with_columns(
        [pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in others]
    )
    if stages:
        terminal = {stage_key(n) for n in names if kinds[n] != "open"}
        terminal |= {stage_key(n) for n in (*won_stages, *lost_stages)}
        keys = [k for k in dict.fromkeys(stage_key(s) for s in stages) if k not in terminal]
        order = [by_key[k] for k in keys]
    else:
        order = _infer_order(frame)
    won = sorted({canonical[n] for n in names if kinds[n] == "won"})
    lost = sorted({canonical[n] for n in names if kinds[n] == "lost"})
    setup = StageSetup(open_stages=tuple(order), won=tuple(won), lost=tuple(lost))
    columns = [*FIXED, *others]
    return History(frame.select(columns), setup, source, inputs_hash, bool(stages))
