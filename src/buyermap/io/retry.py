"""Rejected rows fixed in place: the rows of an import's quarantine as an editable table,
and the fixed rows as a file of their own, imported like the original file.

:func:`retry_table` reads a stored quarantine (``ImportRun.quarantine_csv``) into rows of
cells, each bad cell with its reason (from the report's rejections, else the quarantine's
``_column`` and ``_reason``); :func:`retry_text` writes the edited cells back as CSV under
the file's own header; :func:`retry_options` gives the options of the original import
(kind, preset, the same mapping, duplicates, partial, stages, blanks), so the fixed rows
go through the same importer with the same report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from buyermap.io.importer import ImportOptions
from buyermap.io.mapping import IGNORE
from buyermap.io.readers import RawTable
from buyermap.io.report import QUARANTINE_COLUMNS, quarantine_text

MAX_RETRY_ROWS = 200  # rows offered for fixing in place; the download has them all


@dataclass(slots=True)
class RetryRow:
    row: int  # the row's number in the file it was rejected from
    line: int
    cells: list[str]
    problems: dict[int, str] = field(default_factory=dict)  # column index -> why
    reason: str = ""  # why the row as a whole was rejected (no one cell)

    @property
    def rejected(self) -> bool:
        return bool(self.problems or self.reason)


@dataclass(frozen=True, slots=True)
class RetryTable:
    header: list[str]
    rows: list[RetryRow]
    total: int  # rows in the quarantine (more than ``rows`` when it was cut)


def _rejections(errors: Sequence[Mapping[str, Any]]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in errors:
        out.setdefault(int(e["row"]), []).append((str(e.get("column") or ""), str(e["reason"])))
    return out


def retry_table(
    quarantine: str, errors: Sequence[Mapping[str, Any]], *, limit: int = MAX_RETRY_ROWS
) -> RetryTable:
    """The quarantine's rows (up to ``limit``) as cells with the reason of each bad one."""
    rows = list(csv.reader(io.StringIO(quarantine)))
    if not rows:
        return RetryTable(header=[], rows=[], total=0)
    n = len(QUARANTINE_COLUMNS)
    header = rows[0][:-n]
    by_row = _rejections(errors)
    out: list[RetryRow] = []
    for raw in rows[1 : limit + 1]:
        cells, (row_no, line, columns, reasons) = raw[:-n], raw[-n:]
        row = RetryRow(row=int(row_no), line=int(line), cells=cells)
        known = by_row.get(row.row)
        if known is None:  # not among the report's first rejections: the quarantine's words
            known = [(c, reasons) for c in columns.split("; ") if c] or (
                [("", reasons)] if reasons else []
            )
        for column, reason in known:
            if column in header:
                i = header.index(column)
                row.problems[i] = f"{row.problems[i]}; {reason}" if i in row.problems else reason
            else:
                row.reason = f"{row.reason}; {reason}" if row.reason else reason
        out.append(row)
    return RetryTable(header=header, rows=out, total=len(rows) - 1)


def retry_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The fixed rows as CSV text under the file's header (a file of their own)."""
    with io.StringIO(newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
        return fh.getvalue()


def retry_options(report: Mapping[str, Any]) -> ImportOptions:
    """The options of the import ``report`` describes, for its fixed rows: the same preset,
    the same columns to the same fields (the unmapped ones kept as extra), duplicates,
    "import the valid rows", stage creation and blank placeholders."""
    columns = dict(report.get("mapping") or {})
    columns |= {c: IGNORE for c in report.get("unmapped_columns") or [] if c not in columns}
    blanks = report.get("blanks")
    return ImportOptions(
        encoding="utf-8",
        preset=report.get("preset"),
        columns=columns or None,
        on_duplicate=str(report.get("on_duplicate") or "update"),
        partial=bool(report.get("partial")),
        create_stages=bool(report.get("create_stages")),
        blanks=tuple(blanks) if blanks is not None else None,
    )


def every_row_quarantine(table: RawTable, errors: Sequence[Mapping[str, Any]]) -> str:
    """A quarantine of all of ``table``'s rows (the bad ones with their reasons): for fixed
    rows that were refused as a whole (some still bad, "import the valid rows" off), so
    none of them drops out of the table the user fixes them in."""
    by_row = _rejections(errors)
    return quarantine_text(table, {i: by_row.get(i + 1, []) for i in range(len(table.rows))})
