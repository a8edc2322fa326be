"""Reading event files (CSV or Parquet): format, columns, and their checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from buyermap.analytics.funnel.errors import EventFileError, MissingColumnError
from buyermap.analytics.funnel.query import FunnelQuery

PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")

_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_NUMERIC_TYPES = (*_INTEGER_TYPES, "UBIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


@dataclass(frozen=True, slots=True)
class EventSource:
    """A checked event file: its format and its columns with their DuckDB types."""

    path: Path
    format: str  # "parquet" or "csv"
    columns: dict[str, str]

    def duckdb_from(self) -> str:
        """A DuckDB table expression reading the file."""
        return _duckdb_from(self.path, self.format)

    def is_integer(self, column: str) -> bool:
        return self.columns[column].upper().startswith(_INTEGER_TYPES)

    def time_kind(self, column: str) -> str:
        """``numeric`` (epoch seconds), ``timestamp`` (incl. dates) or ``text``."""
        kind = self.columns[column].upper()
        if kind.startswith(_NUMERIC_TYPES):
            return "numeric"
        if kind.startswith(("TIMESTAMP", "DATE")):
            return "timestamp"
        return "text"


def file_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise EventFileError(
        f"{path}: unknown event file format; use a .parquet or .csv file",
        details={"path": str(path)},
    )


def quote(identifier: str) -> str:
    """A SQL identifier (column name), quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _duckdb_from(path: Path, fmt: str) -> str:
    if fmt == "parquet":
        return f"read_parquet({literal(str(path))})"
    return f"read_csv({literal(str(path))}, header = true)"


def open_source(path: Path, query: FunnelQuery) -> EventSource:
    """Checks that the file exists, can be read, and has every column the query names."""
    if not path.is_file():
        raise EventFileError(f"{path}: no such event file", details={"path": str(path)})
    fmt = file_format(path)
    con = duckdb.connect()
    try:
        rows = con.sql(f"DESCRIBE SELECT * FROM {_duckdb_from(path, fmt)}").fetchall()
    except duckdb.Error as exc:
        raise EventFileError(
            f"{path}: cannot read it as {fmt}: {exc}", details={"path": str(path)}
        ) from None
    finally:
        con.close()
    columns = {str(r[0]): str(r[1]) for r in rows}
    check_columns(query, list(columns), path)
    return EventSource(path=path, format=fmt, columns=columns)


def check_columns(query: FunnelQuery, columns: list[str], path: Path) -> None:
    needed = [
        ("--entity-column", query.entity_column),
        ("--event-column", query.event_column),
        ("--time-column", query.time_column),
    ]
    if query.by is not None:
        needed.append(("--by", query.by))
    for option, column in needed:
        if column not in columns:
            raise MissingColumnError(
                f"{path}: no column {column!r} (asked for by {option}); "
                f"the file's columns are: {', '.join(columns)}",
                details={"column": column, "columns": columns, "path": str(path)},
            )
