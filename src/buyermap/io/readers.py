"""Read CSV and XLSX files into a header and rows of strings, losing nothing.

CSV: the encoding is detected (BOM, strict UTF-8, then :mod:`buyermap.io.encodings`, which
refuses when unsure) unless given; the delimiter is sniffed among ``,`` ``;`` TAB and ``|``;
quoted fields may hold newlines.
XLSX: the first sheet, read with python-calamine; every cell becomes text.

Blank lines (every cell empty) are not data rows. Each data row keeps its 1-based data
row number (``row``) and the file line (CSV) or sheet row (XLSX) where it starts (``line``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from buyermap.errors import InputFileError
from buyermap.io import encodings

DELIMITERS = (",", ";", "\t", "|")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# A cell holding only these is blank. ASCII only: a mis-guessed single-byte encoding may
# turn a letter into U+00A0 or U+0085, which must not make a row disappear.
BLANK = " \t\r\n\x0b\x0c"
# Control characters no text export contains; a file with many of them is binary.
_BINARY = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


@dataclass
class RawTable:
    """A file as text: its header, its data rows (ragged rows kept as they are) and lines."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    sha256: str = ""  # of the file's bytes, set by :func:`read_table`


def detect_encoding(data: bytes) -> str:
    """BOM first, then strict UTF-8 (``utf-8`` also for pure ASCII), then the code page whose
    reading looks most like names in some language (:mod:`buyermap.io.encodings`). Only
    ASCII-compatible encodings are guessed, so a wrong guess can change letters but never
    the delimiters, quotes, line breaks or blank lines, and so never the rows read.

    :class:`InputFileError` when two code pages read letters differently and the evidence
    for either is weak (the message shows the first such line read both ways), or when the
    file is UTF-8 but for a few bytes."""
    return _detect(data)[0]


def _detect(data: bytes) -> tuple[str, str | None]:
    """The encoding, and a note when it was a close call (for :attr:`RawTable.notes`)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if _decodes(data, "utf-8"):
        return "utf-8", None
    damaged = encodings.damaged_utf8(encodings.sample_lines(data))
    if damaged is not None:
        number, text = damaged
        raise InputFileError(
            f"looks like UTF-8 but line {number} holds bytes that are not: it reads "
            f"{_excerpt(text, text.replace(chr(0xFFFD), ''))}; no code page would read it "
            "right: fix or export the file again, or give the encoding with --encoding",
            details={"line": number},
        )
    reading = encodings.guess(data)
    if reading is None:  # unreachable: bytes that are not UTF-8 are not all ASCII
        return "utf-8", None
    if reading.unsure:
        raise InputFileError(
            f"cannot tell the encoding: {reading.encoding} reads line {reading.line} as "
            f"{_excerpt(reading.text, reading.runner_up_text)} and {reading.runner_up} as "
            f"{_excerpt(reading.runner_up_text, reading.text)}; give it with --encoding "
            f"{reading.encoding} (or --encoding {reading.runner_up})",
            details={"encodings": [reading.encoding, reading.runner_up], "line": reading.line},
        )
    note = None
    if reading.runner_up is not None and reading.margin < 2 * encodings.MIN_MARGIN:
        note = (
            f"encoding {reading.encoding} guessed on little evidence: line {reading.line} "
            f"reads {_excerpt(reading.text, reading.runner_up_text)} (in {reading.runner_up}: "
            f"{_excerpt(reading.runner_up_text, reading.text)}); if names look wrong, import "
            f"again with --encoding {reading.runner_up}"
        )
    return reading.encoding, note


def _excerpt(text: str, other: str, width: int = 60) -> str:
    """``text`` quoted, cut to ``width`` characters around where it first differs from
    ``other``."""
    if len(text) > width:
        first = next((i for i, (a, b) in enumerate(zip(text, other, strict=False)) if a != b), 0)
        start = max(0, min(first - width // 3, len(text) - width))
        text = (
            ("..." if start else "")
            + text[start : start + width]
            + ("..." if start + width < len(text) else "")
        )
    return f'"{text}"'


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; TAB | that splits the first lines most consistently."""
    sample_lines: list[str] = []
    for line in io.StringIO(text[: 1 << 16]):
        if line.strip():
            sample_lines.append(line)
        if len(sample_lines) >= 50:
            break
    sample = "".join(sample_lines)
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        body = rows[1:-1] if len(rows) > 2 else rows[1:]  # the last line may be cut off
        same = sum(1 for r in body if len(r) == width) / len(body) if body else 1.0
        score = (same, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _has_text(record: list[str]) -> bool:
    """Whether a record has a non-blank cell (a blank line is not a data row). The first cell
    decides almost always, so the generator runs only for rows that start blank."""
    if not record:
        return False
    return bool(record[0].strip(BLANK)) or any(cell.strip(BLANK) for cell in record)


def read_csv_text(text: str, *, delimiter: str | None = None, name: str = "the CSV") -> RawTable:
    delim = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            end = reader.line_num
            # _has_text, inlined: this loop runs once per line of the file
            if record and (record[0].strip(BLANK) or _has_text(record)):
                if header is None:
                    header = record
                else:
                    rows.append(record)
                    lines.append(start)
            start = end + 1
    except csv.Error as exc:
        raise InputFileError(
            f"cannot parse {name} near line {reader.line_num}: {exc}; check its quotes, or "
            "export it again as CSV (UTF-8) or XLSX"
        ) from exc
    table = RawTable(
        header=clean_header(header or []), rows=rows, lines=lines, format="csv", delimiter=delim
    )
    skip_title_rows(table)
    _note_empty(table)
    return table


def _filled(record: list[str]) -> int:
    return sum(1 for cell in record if cell.strip(BLANK))


def _looks_like_header(record: list[str]) -> bool:
    """Distinct, non-numeric labels in every filled cell."""
    cells = [c.strip() for c in record if c.strip(BLANK)]
    numeric = sum(1 for c in cells if c.replace(".", "").replace(",", "").isdigit())
    return numeric == 0 and len({c.lower() for c in cells}) == len(cells)


def skip_title_rows(table: RawTable) -> RawTable:
    """Hand-kept sheets often start with a title ("Prospects Q3 2024", "Exported by ... on
    ...") above the real header. When the first row fills one or two cells, the rows below
    fill four or more, and one of the next ten rows looks like a header, that row is the
    header; the rows above it are named in a note, not imported (nothing is lost silently)."""
    named = sum(1 for k, h in enumerate(table.header, start=1) if h != f"column_{k}")
    if not table.rows or named > 2:  # (blank header cells were named column_N)
        return table
    head = table.rows[:10]
    width = max((_filled(r) for r in table.rows[:30]), default=0)
    if width < 4:
        return table
    at = next(
        (k for k, r in enumerate(head) if _filled(r) >= 0.8 * width and _looks_like_header(r)),
        None,
    )
    if at is None:
        return table
    titles = [[h for k, h in enumerate(table.header, 1) if h != f"column_{k}"], *table.rows[:at]]
    shown = " | ".join(" ".join(c.strip() for c in r if c.strip(BLANK)) for r in titles)
    table.notes.append(
        f"the first {len(titles)} row(s) above the header were taken as a title, not data: "
        f"{shown[:200]!r}; the header is on line {table.lines[at]}"
    )
    table.header = clean_header(table.rows[at])
    table.rows, table.lines = table.rows[at + 1 :], table.lines[at + 1 :]
    return table


EMPTY_NOTE = "the file is empty (no header row): nothing to import"
HEADER_ONLY_NOTE = "the file has a header row but no data rows: nothing to import"


def _note_empty(table: RawTable) -> None:
    if not table.header:
        table.notes.append(EMPTY_NOTE)
    elif not table.rows:
        table.notes.append(HEADER_ONLY_NOTE)


def clean_header(header: list[str]) -> list[str]:
    """Strip names, name blank ones ``column_N`` and make repeated names unique (``x (2)``)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, raw in enumerate(header, start=1):
        name = raw.strip().lstrip("\ufeff").strip() or f"column_{i}"
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        out.append(name if count == 1 else f"{name} ({count})")
    return out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise InputFileError(f"cannot read {path.name!r} as a spreadsheet: {exc}") from exc
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    for number, raw in enumerate(data, start=1):
        record = [_cell_text(v) for v in raw]
        if not _has_text(record):
            continue
        if header is None:
            header = record
            continue
        rows.append(record)
        lines.append(number)
    header = header or []
    while (
        header
        and not header[-1].strip()
        and all(len(r) < len(header) or not r[len(header) - 1].strip() for r in rows)
    ):
        header.pop()
    table = RawTable(header=clean_header(header), rows=rows, lines=lines, format="xlsx")
    skip_title_rows(table)
    _note_empty(table)
    return table


def _refuse_binary(path: Path, text: str) -> None:
    """A NUL, or control characters in more than 1% of the first 64 KiB, mean not a CSV."""
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputFileError(
            f"{path.name!r} holds a NUL byte (line {line}, character {nul + 1}): it is not a "
            "text (CSV) file. Export it as CSV (UTF-8) or XLSX; a UTF-16 file without a BOM "
            "needs --encoding utf-16"
        )
    head = text[: 1 << 16]
    controls = sum(1 for ch in head if ord(ch) in _BINARY)
    if head and controls > max(len(head) // 100, 8):
        raise InputFileError(
            f"{path.name!r} looks binary ({controls} control characters in its first "
            f"{len(head):,} characters): it is not a text (CSV) file. Export it as CSV or XLSX"
        )


def read_table(path: Path, *, encoding: str | None = None) -> RawTable:
    """Read a CSV or XLSX file; :class:`InputFileError` when it cannot be read at all."""
    if not path.is_file():
        raise InputFileError(f"no file at {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        table = read_xlsx(path)
        table.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        return table
    if suffix not in CSV_SUFFIXES:
        raise InputFileError(
            f"unknown file type {suffix or '(none)'!r} of {path.name!r}; "
            "use .csv (or .tsv/.txt) or .xlsx"
        )
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise InputFileError(f"{path.name!r} is a zip/XLSX file; rename it to .xlsx")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputFileError(
                f"unknown encoding {encoding!r}; use e.g. utf-8, cp1250, cp1252, latin-1"
            ) from exc
        enc, note = encoding, None
    else:
        try:
            enc, note = _detect(data)
        except InputFileError as exc:
            raise InputFileError(f"{path.name!r}: {exc.message}", details=exc.details) from exc
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path.name!r} is not valid {enc} (byte {exc.start}); "
            "give the right one with --encoding, e.g. cp1250 or utf-8"
        ) from exc
    _refuse_binary(path, text)
    table = read_csv_text(text.lstrip("\ufeff"), name=repr(path.name))
    table.encoding = enc
    if note:
        table.notes.append(note)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table
