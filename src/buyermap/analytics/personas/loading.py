"""Tables for persona discovery: a file (CSV, TSV, XLSX, Parquet) or the workspace's contacts."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.base import hash_files
from buyermap.db.models import CommitteeMember, Contact, SurveyAnswer
from buyermap.errors import InputFileError
from buyermap.io.readers import CSV_SUFFIXES, XLSX_SUFFIXES, detect_encoding, read_table

PARQUET_SUFFIXES = (".parquet", ".pq")
NULLS = ["", "NA", "N/A", "n/a", "null", "NULL", "None", "-"]
CONTACT_ID = "contact_id"


def _from_raw(path: Path) -> pl.DataFrame:
    raw = read_table(path)
    width = len(raw.header)
    data: dict[str, list[str | None]] = {h: [] for h in raw.header}
    for row in raw.rows:
        cells = [*row[:width], *([""] * (width - len(row)))]
        for h, cell in zip(raw.header, cells, strict=True):
            data[h].append(cell.strip() or None)
    return pl.DataFrame(data, schema=dict.fromkeys(raw.header, pl.Utf8))


def read_input(path: Path) -> pl.DataFrame:
    """Read a table; errors name the file and what would be valid."""
    table = _read_any(path)
    if table.width == 0:
        raise InputFileError(
            f"input file {str(path)!r} is empty: it needs a header row with column names "
            "and one row per record"
        )
    return table


def _read_any(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise InputFileError(f"input file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in PARQUET_SUFFIXES:
            return pl.read_parquet(path)
        if suffix in XLSX_SUFFIXES:
            return _from_raw(path)
        if suffix in CSV_SUFFIXES:
            with path.open("rb") as fh:
                head = fh.read(1 << 16)
            if detect_encoding(head) not in ("utf-8", "utf-8-sig") or suffix == ".tsv":
                return _from_raw(path)
            try:
                return pl.read_csv(path, infer_schema_length=None, null_values=NULLS)
            except (pl.exceptions.PolarsError, UnicodeDecodeError):
                return _from_raw(path)
    except InputFileError:
        raise
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputFileError(f"cannot read {str(path)!r}: {exc}") from exc
    raise InputFileError(
        f"unknown file type {suffix!r} for {str(path)!r}; use .csv, .tsv, .xlsx or .parquet"
    )


def input_hash(path: Path) -> str:
    return hash_files([path])


def table_hash(table: pl.DataFrame) -> str:
    return hashlib.sha256(table.write_csv().encode()).hexdigest()


def _column(values: list[Any]) -> pl.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pl.Series(values, dtype=pl.Float64)
    return pl.Series([None if v is None else str(v) for v in values], dtype=pl.Utf8)


def contacts_table(session: Session) -> pl.DataFrame:
    """One row per contact: seniority, department, job title, scalar custom fields (e.g.
    ``webinars_attended``), the most frequent buying-committee role and survey answers
    pivoted to one column per ``survey: question``."""
    contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
    ids = [c.id for c in contacts]
    cols: dict[str, list[Any]] = {
        CONTACT_ID: ids,
        "seniority": [c.seniority for c in contacts],
        "department": [c.department for c in contacts],
        "job_title": [c.job_title for c in contacts],
    }
    custom: dict[str, dict[int, Any]] = defaultdict(dict)
    for c in contacts:
        for key, value in (c.custom or {}).items():
            if isinstance(value, str | int | float | bool):
                custom[str(key)][c.id] = value
    for key in sorted(custom):
        name = key if key not in cols else f"custom_{key}"
        cols[name] = [custom[key].get(i) for i in ids]
    roles: dict[int, Counter[str]] = defaultdict(Counter)
    for m in session.scalars(select(CommitteeMember)):
        roles[m.contact_id][m.role] += 1
    if roles:
        cols["committee_role"] = [
            roles[i].most_common(1)[0][0] if roles.get(i) else None for i in ids
        ]
    answers: dict[str, dict[int, Any]] = defaultdict(dict)
    for a in session.scalars(select(SurveyAnswer).where(SurveyAnswer.contact_id.is_not(None))):
        value = a.value_number if a.value_number is not None else a.value_text
        answers[f"{a.survey}: {a.question}"][int(a.contact_id or 0)] = value
    for key in sorted(answers):
        cols[key if key not in cols else f"survey {key}"] = [answers[key].get(i) for i in ids]
    series = [_column(v).alias(k) for k, v in cols.items() if k != CONTACT_ID]
    return pl.DataFrame([pl.Series(CONTACT_ID, ids, dtype=pl.Int64), *series])
