"""An engine without DuckDB: pyarrow reads and encodes the file; the core groups and walks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from buyermap.analytics.funnel.core import EXCLUDED, OTHER, EngineOutput
from buyermap.analytics.funnel.duckdb_engine import to_output
from buyermap.analytics.funnel.loading import EventSource
from buyermap.analytics.funnel.query import FunnelMode, FunnelQuery


def _read(source: EventSource, columns: list[str]) -> pa.Table:
    if source.format == "parquet":
        return pq.read_table(source.path, columns=columns)
    return pacsv.read_csv(
        source.path,
        convert_options=pacsv.ConvertOptions(include_columns=columns, strings_can_be_null=True),
    )


def _micros(column: pa.ChunkedArray) -> pa.Array:
    arr = column.combine_chunks()
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return pc.cast(pc.round(pc.multiply(pc.cast(arr, pa.float64()), 1e6)), pa.int64())
    # text (ISO 8601), dates and timestamps alike
    return pc.cast(pc.cast(arr, pa.timestamp("us")), pa.int64())


def run(source: EventSource, query: FunnelQuery) -> EngineOutput:
    cols = list(dict.fromkeys([query.entity_column, query.event_column, query.time_column]))
    if query.by is not None and query.by not in cols:
        cols.append(query.by)
    table = _read(source, cols)
    events = pc.cast(table.column(query.event_column), pa.string()).combine_chunks()
    mapping = {s: i for i, s in enumerate(query.steps)} | dict.fromkeys(query.exclude, EXCLUDED)
    encoded = pc.dictionary_encode(events)
    lookup = np.array(
        [mapping.get(v, OTHER) for v in encoded.dictionary.to_pylist()] or [OTHER],
        dtype=np.int8,
    )
    idx = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    code = np.where(idx >= 0, lookup[np.maximum(idx, 0)], OTHER).astype(np.int8)
    entity_col = table.column(query.entity_column).combine_chunks()
    if pa.types.is_integer(entity_col.type):
        ent_valid = entity_col.is_valid().to_numpy(zero_copy_only=False)
        ent = entity_col.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        enc = pc.dictionary_encode(pc.cast(entity_col, pa.string())).indices
        ent_valid = enc.is_valid().to_numpy(zero_copy_only=False)
        ent = enc.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    micros = _micros(table.column(query.time_column))
    ts_valid = micros.is_valid().to_numpy(zero_copy_only=False)
    ts = micros.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    keep = code != OTHER if query.mode is not FunnelMode.STRICT_ORDER else np.ones_like(ts_valid)
    dropped = int(np.count_nonzero(keep & ~(ent_valid & ts_valid)))
    keep &= ent_valid & ts_valid
    rows = np.flatnonzero(keep)
    by = None
    labels: list[str] = []
    if query.by is not None:
        raw = pc.cast(table.column(query.by), pa.string()).combine_chunks().take(pa.array(rows))
        on_first = pa.array(code[rows] == 0)
        labels = sorted(set(pc.unique(raw.filter(on_first)).drop_null().to_pylist()))
        index = pc.index_in(
            pc.if_else(on_first, raw, pa.scalar(None, pa.string())), pa.array(labels, pa.string())
        )
        by = index.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    out = to_output(ent[rows], ts[rows], code[rows], by, labels, query)
    return replace(out, dropped_rows=dropped)
