"""What an import did: the counts, the mapping used and the first rejections."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from buyermap.io.readers import RawTable

MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class Rejection:
    """One reason a row was not imported. ``row`` is the 1-based data row, ``line`` the file
    line (CSV) or sheet row (XLSX) where the row starts."""

    row: int
    line: int
    column: str | None
    reason: str


@dataclass
class ImportReport:
    entity: str
    file: str
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    quarantine_path: str | None = None
    committed: bool = False
    dry_run: bool = False
    partial: bool = False
    on_duplicate: str = "update"
    create_stages: bool = False
    blanks: list[str] | None = None  # the blank placeholders asked for; None: the defaults
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    preset: str | None = None
    system: str = "import"
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    errors: list[Rejection] = field(default_factory=list)
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    # superseded rows whose content differs from the later row that won (kept in quarantine)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    date_columns: dict[str, str] = field(default_factory=dict)  # field -> the file's column
    # unmapped column -> fields it may be meant for
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    import_run_id: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """False when rows were rejected and the file was therefore not imported."""
        return self.rejected == 0 or self.partial

    def check(self) -> None:
        total = self.imported + self.updated + self.skipped + self.rejected
        assert total == self.rows_read, f"counts {total} != rows read {self.rows_read}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = [asdict(e) for e in self.errors[:MAX_ERRORS]]
        data["superseded"] = self.superseded[:MAX_ERRORS]
        data["ok"] = self.ok
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


# The columns a quarantine file adds after the file's own: a re-import leaves them out.
QUARANTINE_COLUMNS = ("_row", "_line", "_column", "_reason")


def write_quarantine(path: Path, table: RawTable, errors: dict[int, list[tuple[str, str]]]) -> str:
    """Write :func:`quarantine_text` to ``path`` (UTF-8) and return the text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = quarantine_text(table, errors)
    path.write_text(text, encoding="utf-8", newline="")
    return text


def quarantine_text(table: RawTable, errors: dict[int, list[tuple[str, str]]]) -> str:
    """The rejected rows as read (ragged ones padded), with ``_row``, ``_line``, ``_column``
    (the file's column headers) and ``_reason``, as CSV text."""
    width = len(table.header)
    with io.StringIO(newline="") as fh:
        writer = csv.writer(fh)
        extra_cols = max([0, *(len(table.rows[i]) - width for i in errors)])
        writer.writerow(
            [
                *table.header,
                *[f"column_{width + k + 1}" for k in range(extra_cols)],
                "_row",
                "_line",
                "_column",
                "_reason",
            ]
        )
        for i in sorted(errors):
            row = table.rows[i]
            padded = (row + [""] * (width + extra_cols))[: width + extra_cols]
            cols = "; ".join(dict.fromkeys(c for c, _ in errors[i] if c))
            reasons = "; ".join(r for _, r in errors[i])
            writer.writerow([*padded, i + 1, table.lines[i], cols, reasons])
        return fh.getvalue()
