"""The embedded default engine: DuckDB reads and encodes; compiled kernels group and walk.

DuckDB reads the file once, only the needed columns, turns each event into a small step
code (the predicate keeps step and exclusion events only, except in ``strict_order`` where
every event matters) and hands the columns over as Arrow (one batch per thread, so turning
them into numpy arrays is one copy at most), unsorted: the core groups the events by entity
with a radix sort, which is cheaper than a SQL ORDER BY. The breakdown comes back as text on
first-step events only (NULL elsewhere) and is encoded once, by Arrow's dictionary
encoding; plain string columns, dictionary columns and CSV take the same single pass.
"""

from __future__ import annotations

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

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


def events_sql(source: EventSource, query: FunnelQuery) -> str:
    """One scan of the file: each event's entity, time (us), step code and, on first steps
    only, its breakdown value as text (NULL elsewhere).

    Only step and exclusion events are kept (every event in ``strict_order``). Text (or any
    non-integer) entity ids become dense integers with a join against the distinct ids *of
    those events* (a materialised CTE), so the file is still read once: a CSV is parsed
    once, whatever the types of its columns.
    """
    src = source.duckdb_from()
    # Filtering on the code computed anyway is cheaper than a separate `event IN (...)`.
    where = "TRUE" if query.mode is FunnelMode.STRICT_ORDER else f"code <> {OTHER}"
    ent_col = quote(query.entity_column)
    integer_ids = source.is_integer(query.entity_column)
    ent_raw = f"CAST({ent_col} AS BIGINT)" if integer_ids else ent_col
    by_raw, by_out = "", ""
    if query.by is not None:
        by_raw = f", {quote(query.by)} AS by_raw"
        by_out = ", CASE WHEN code = 0 THEN CAST(by_raw AS VARCHAR) END AS by"
    events = f"""
        SELECT ent, t, code {by_out} FROM (
            SELECT {ent_raw} AS ent, {time_expression(source, query.time_column)} AS t,
                   {code_expression(query)} AS code {by_raw}
            FROM {src}
        ) WHERE {where}"""
    if integer_ids:
        return events
    return f"""
        WITH ev AS MATERIALIZED ({events}),
        ids AS (
            SELECT e, row_number() OVER () AS id
            FROM (SELECT DISTINCT ent AS e FROM ev WHERE ent IS NOT NULL)
        )
        SELECT ids.id AS ent, ev.t, ev.code {", ev.by" if query.by is not None else ""}
        FROM ev LEFT JOIN ids ON ids.e = ev.ent"""


def _run(con: duckdb.DuckDBPyConnection, source: EventSource, query: FunnelQuery) -> EngineOutput:
    columns = con.sql(events_sql(source, query)).to_arrow_table(batch_size=_ONE_BATCH)
    ent, ent_ok = _unmask(columns.column("ent"))
    ts, ts_ok = _unmask(columns.column("t"))
    by_codes, labels = encode_text(columns.column("by")) if query.by is not None else (None, [])
    return to_output(
        ent,
        ts,
        _unmask(columns.column("code"))[0],
        by_codes,
        labels,
        query,
        usable=None if ent_ok is None and ts_ok is None else _and(ent_ok, ts_ok, ent.size),
    )


def encode_text(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int32], list[str]]:
    """Text values (NULL where missing) -> codes into their sorted distinct values (-1 for
    NULL), so that the smallest code is the smallest value. One hash pass (Arrow's
    dictionary encoding, one dictionary for all chunks, NULL encoded as an entry of its own
    so that the indices have no NULLs) and one Arrow ``take``; no Python string per row."""
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    if encoded.num_chunks == 0:
        return np.zeros(0, np.int32), []
    entries = encoded.chunk(0).dictionary.to_pylist()
    present = [i for i, v in enumerate(entries) if v is not None]
    order = sorted(present, key=lambda i: str(entries[i]))
    lookup = np.full(max(len(entries), 1), -1, dtype=np.int32)  # -1: the NULL entry
    lookup[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int32)
    ranks = pa.array(lookup)
    parts = [as_numpy(pc.take(ranks, c.indices)) for c in encoded.chunks]
    codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return codes, [str(entries[i]) for i in order]


def as_numpy(arr: pa.Array) -> np.ndarray:
    """An integer or boolean Arrow array as numpy, read from its buffers (zero-copy for
    integers; the slots of NULLs hold whatever the buffer has: see :func:`validity`). Not
    ``to_numpy`` or ``fill_null``, whose first call imports pandas (0.5 s in a new process)."""
    if pa.types.is_boolean(arr.type):
        return _bits(arr.buffers()[1], arr.offset, len(arr))
    if not pa.types.is_integer(arr.type):
        values: np.ndarray = arr.to_numpy(zero_copy_only=False)
        return values
    signed = "u" if pa.types.is_unsigned_integer(arr.type) else ""
    dtype = np.dtype(f"{signed}int{arr.type.bit_width}")
    return np.frombuffer(
        arr.buffers()[1], dtype=dtype, count=len(arr), offset=arr.offset * dtype.itemsize
    )


def _bits(buffer: pa.Buffer, offset: int, n: int) -> npt.NDArray[np.bool_]:
    packed = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(packed, count=offset + n, bitorder="little")[offset:].astype(np.bool_)


def validity(arr: pa.Array) -> npt.NDArray[np.bool_]:
    if arr.null_count == 0:
        return np.ones(len(arr), np.bool_)
    return _bits(arr.buffers()[0], arr.offset, len(arr))


def _unmask(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None]:
    """A plain array (0 where missing) and its validity (None when nothing is missing)."""
    chunks = column.chunks
    if not chunks:
        return np.zeros(0, np.dtype(f"int{column.type.bit_width}")), None
    values = [as_numpy(c) for c in chunks]
    if column.null_count == 0:
        return (values[0] if len(values) == 1 else np.concatenate(values)), None
    valid = np.concatenate([validity(c) for c in chunks])
    return np.where(valid, np.concatenate(values), 0), valid


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
