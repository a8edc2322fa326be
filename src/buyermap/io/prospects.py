"""Prospect files: a CSV or XLSX of companies read as text (in the encoding the user chose,
or detected) to be scored by an avatar without importing it, and the scored table written
back as CSV (UTF-8 with a BOM, so Excel reads Polish or Czech names right) or XLSX (fit and
probability as numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from buyermap.errors import InputFileError
from buyermap.io.list_exports import Column, Kind, ListTable, to_csv, to_xlsx
from buyermap.io.readers import read_table

PREVIEW_ROWS = 5
SCORE_COLUMNS: dict[str, Kind] = {"fit": "number", "probability": "percent", "tier": "text"}


@dataclass(frozen=True, slots=True)
class ProspectFile:
    """The file as text columns (empty cells null), how it was read, and its first rows."""

    frame: pl.DataFrame
    name: str
    encoding: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def preview(self) -> list[list[str]]:
        return [
            ["" if v is None else str(v) for v in row]
            for row in self.frame.head(PREVIEW_ROWS).iter_rows()
        ]


def read_prospects(path: Path, *, name: str, encoding: str | None = None) -> ProspectFile:
    """Read a prospect file; a file without a header or rows is refused, naming it."""
    raw = read_table(path, encoding=encoding or None)
    header = [h.strip() for h in raw.header]
    if not any(header):
        raise InputFileError(
            f"{name!r} has no header row: the first row must name the columns "
            "(e.g. name, industry, employees, country)"
        )
    seen: dict[str, int] = {}
    unique: list[str] = []
    for i, h in enumerate(header):
        h = h or f"column {i + 1}"
        seen[h] = seen.get(h, 0) + 1
        unique.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    if not raw.rows:
        raise InputFileError(
            f"{name!r} has a header ({', '.join(unique[:8])}) but no rows of companies to score"
        )
    width = len(unique)
    data: dict[str, list[str | None]] = {h: [] for h in unique}
    for row in raw.rows:
        cells = [*row[:width], *([""] * (width - len(row)))]
        for h, cell in zip(unique, cells, strict=True):
            data[h].append(cell.strip() or None)
    frame = pl.DataFrame(data, schema=dict.fromkeys(unique, pl.Utf8))
    return ProspectFile(frame=frame, name=name, encoding=raw.encoding, notes=list(raw.notes))


def _table(frame: pl.DataFrame, title: str) -> ListTable:
    columns = [
        Column(c, SCORE_COLUMNS.get(c, "text"), 60 if c == "reasons" else 16) for c in frame.columns
    ]
    return ListTable(title=title, columns=columns, rows=[list(r) for r in frame.iter_rows()])


def scored_bytes(frame: pl.DataFrame, fmt: str, *, title: str = "Scored") -> bytes:
    """The scored rows as ``csv`` or ``xlsx`` bytes."""
    table = _table(frame, title)
    return to_csv(table) if fmt == "csv" else to_xlsx(table)
