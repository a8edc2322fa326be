"""The embedded default engine: DuckDB reads and encodes; compiled kernels group and walk.

DuckDB reads only the needed columns, turns each event into a small step code (the
predicate keeps step and exclusion events only, except in ``strict_order`` where every
event matters) and hands the columns over as Arrow (one batch per thread, so turning them
into numpy arrays is one copy at most), unsorted: the core groups the events by entity with
a radix sort, which is cheaper than a SQL ORDER BY.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from buyermap.analytics.funnel.core import (
    EXCLUDED,
    MISSING,
    OTHER,
    EngineOutput,
    Events,
    compute,
)
from buyermap.analytics.funnel.errors import EventFileError
from buyermap.analytics.funnel.loading import EventSource, literal, quote
from buyermap.analytics.funnel.query import FunnelMode, FunnelQuery

_ONE_BATCH = 1 << 40  # Arrow batches as large as DuckDB makes them (one per thread)


def time_expression(source: EventSource, column: str) -> str:
    """Microseconds since the epoch, whatever the column's type."""
    col = quote(column)
    if source.time_kind(column) == "numeric":
        return f"CAST(round({col} * 1000000) AS BIGINT)"
    if source.columns[column].upper().startswith("TIMESTAMP WITH TIME ZONE"):
        return f"epoch_us({col})"  # an instant: no time zone conversion
    return f"epoch_us(CAST({col} AS TIMESTAMP))"  # timestamps, dates, and ISO 8601 text


def code_expression(query: FunnelQuery) -> str:
    event = quote(query.event_column)
    whens = [f"WHEN {literal(s)} THEN {i}" for i, s in enumerate(query.steps)]
    whens += [f"WHEN {literal(x)} THEN {EXCLUDED}" for x in query.exclude]
    return f"CAST(CASE {event} {' '.join(whens)} ELSE {OTHER} END AS TINYINT)"


def _connect(threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    return con


def run(source: EventSource, query: FunnelQuery, *, threads: int | None = None) -> EngineOutput:
    con = _connect(threads)
    try:
        return _run(con, source, query)
    except duckdb.ConversionException as exc:
        raise EventFileError(
            f"{source.path}: cannot read the events: {exc}. Check that --time-column "
            f"{query.time_column!r} holds timestamps (e.g. 2025-01-31 12:00:00) or epoch seconds",
            details={"path": str(source.path), "column": query.time_column},
        ) from None
    finally:
        con.close()


def _run(con: duckdb.DuckDBPyConnection, source: EventSource, query: FunnelQuery) -> EngineOutput:
    src = source.duckdb_from()
    event = quote(query.event_column)
    # Filtering on the code computed anyway is cheaper than a separate `event IN (...)`.
    where = "TRUE" if query.mode is FunnelMode.STRICT_ORDER else f"code <> {OTHER}"
    ent_col = quote(query.entity_column)
    labels: list[str] = []
    by_expr = ""
    if query.by is not None:
        # The breakdown travels as a small code (an ENUM of the values seen on first steps),
        # never as text; labels are sorted, so the smallest code is the smallest value.
        by_col = quote(query.by)
        values = con.sql(
            f"SELECT DISTINCT CAST({by_col} AS VARCHAR) AS v FROM {src} "
            f"WHERE {event} = {literal(query.steps[0])} AND v IS NOT NULL ORDER BY v"
        ).fetchall()
        labels = [str(v[0]) for v in values]
        if labels:
            con.execute(
                "CREATE TYPE by_values AS ENUM (" + ", ".join(literal(v) for v in labels) + ")"
            )
            as_enum = "CAST(CAST(by_raw AS VARCHAR) AS by_values)"
            # -1: missing, or not a first step (never read); no NULLs, so no masked array
            by_expr = (
                f", CAST(CASE WHEN code = 0 THEN coalesce(enum_code({as_enum}), -1) ELSE -1 END "
                "AS INTEGER) AS by"
            )
        else:
            by_expr = ", CAST(-1 AS INTEGER) AS by"
    if source.is_integer(query.entity_column):
        ent_expr, join = f"CAST({ent_col} AS BIGINT)", ""
    else:
        ent_expr = "ids.id"
        join = (
            f"LEFT JOIN (SELECT e, row_number() OVER () AS id FROM (SELECT DISTINCT {ent_col} "
            f"AS e FROM {src} WHERE {ent_col} IS NOT NULL)) ids ON ids.e = {ent_col}"
        )
    columns = con.sql(
        f"""
        SELECT ent, t, code {by_expr} FROM (
            SELECT {ent_expr} AS ent, {time_expression(source, query.time_column)} AS t,
                   {code_expression(query)} AS code
                   {", " + quote(query.by) + " AS by_raw" if query.by is not None else ""}
            FROM {src} {join}
        ) WHERE {where}
        """
    ).to_arrow_table(batch_size=_ONE_BATCH)
    ent, ent_ok = _unmask(columns.column("ent"))
    ts, ts_ok = _unmask(columns.column("t"))
    by_codes = _unmask(columns.column("by"))[0].astype(np.int32) if query.by is not None else None
    return to_output(
        ent,
        ts,
        _unmask(columns.column("code"))[0],
        by_codes,
        labels,
        query,
        usable=None if ent_ok is None and ts_ok is None else _and(ent_ok, ts_ok, ent.size),
    )


def _unmask(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None]:
    """A plain array and its validity (None when nothing is missing)."""
    chunks = column.chunks
    if column.null_count == 0:
        values = [c.to_numpy(zero_copy_only=False) for c in chunks]
        if len(values) == 1:
            return values[0], None
        return np.concatenate(values) if values else np.zeros(
            0, column.type.to_pandas_dtype()
        ), None
    valid = np.concatenate([c.is_valid().to_numpy(zero_copy_only=False) for c in chunks])
    values = [c.fill_null(0).to_numpy(zero_copy_only=False) for c in chunks]
    return np.concatenate(values), valid


def _and(a: np.ndarray | None, b: np.ndarray | None, n: int) -> np.ndarray:
    out = np.ones(n, dtype=np.bool_)
    for flags in (a, b):
        if flags is not None:
            out &= flags
    return out


def to_output(
    ent: np.ndarray,
    ts: np.ndarray,
    code: np.ndarray,
    by: np.ndarray | None,
    labels: list[str],
    query: FunnelQuery,
    *,
    usable: np.ndarray | None = None,
) -> EngineOutput:
    """Columns (in any order) -> outcomes. ``by`` holds codes into ``labels``
    (-1 for a missing value); rows not ``usable`` (no entity or no time) are dropped."""
    dropped = 0
    if usable is not None and not usable.all():
        dropped = int(usable.size - np.count_nonzero(usable))
        ent, ts, code = ent[usable], ts[usable], code[usable]
        by = by[usable] if by is not None else None
    code = code.astype(np.int8, copy=False)
    if by is not None:
        by, labels = _with_missing(by, code, labels)
    events = Events(
        entity=ent.astype(np.int64, copy=False),
        ts=ts.astype(np.int64, copy=False),
        code=code,
        by=by,
    )
    k = len(query.steps)
    # codes as unsigned bytes: the steps are 0..k-1, other and excluded codes count as 254+
    step_counts = np.bincount(code.view(np.uint8), minlength=256)
    return EngineOutput(
        outcomes=compute(events, k, query.window_us, query.mode),
        n_events=len(events),
        step_events=[int(x) for x in step_counts[:k]],
        by_labels=labels,
        dropped_rows=dropped,
    )


def _with_missing(
    by: np.ndarray, code: np.ndarray, labels: list[str]
) -> tuple[np.ndarray, list[str]]:
    """A missing value on a first step becomes the label ``(missing)`` (sorted in)."""
    missing = by < 0
    if not np.any(missing & (code == 0)):
        return by.astype(np.int32, copy=False), labels
    shown = sorted([*labels, MISSING])
    position = {label: i for i, label in enumerate(shown)}
    remap = np.array([position[v] for v in labels] or [0], dtype=np.int32)
    out = np.where(missing, position[MISSING], remap[np.maximum(by, 0)]).astype(np.int32)
    return out, shown
