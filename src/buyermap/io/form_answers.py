"""Form answers (Google Forms, Microsoft Forms, Typeform CSV exports): one row per
response, a timestamp column, optionally the respondent's email, then one column per
question (the header is the question's text).

:func:`parse_timestamp` reads Google's layouts (``2026/03/14 9:15:02 AM GMT+1``,
``14.03.2026 09:15:02``, ``3/14/2026 9:15:02``), ISO 8601, and Microsoft's
``Start time`` / Typeform's ``Submit Date (UTC)``. :func:`read_form` reads the file into
responses and bad rows (line and reason); rows without a time, or a persona, are kept aside,
never dropped silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import Contact, FormAnswer, FormQuestionMap
from buyermap.domain.journeys import clean_text
from buyermap.errors import InputFileError, InvalidValueError
from buyermap.io.readers import (
    RawTable,
    detect_encoding,
    read_csv_text,
    read_table,
)
from buyermap.io.report import write_quarantine
from buyermap.services import journeys as journeys_svc
from buyermap.services.touchpoints import persona_of_contacts

TIME_COLUMNS: tuple[str, ...] = (
    "timestamp",
    "zeitstempel",
    "start time",
    "completion time",
    "submit date (utc)",
)
TIME_COLUMNS += ("submitted at", "sygnatura czasowa", "časová značka", "időbélyeg", "aikaleima")
EMAIL_COLUMNS = ("email address", "email", "e-mail", "adres e-mail", "e-mailová adresa")
SKIP_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "network id",
    "last modified time",
    "start date (utc)",
    "#",
)
SKIP_COLUMNS += ("stage date (utc)", "score", "total points")
MAX_QUESTION = 500  # form_answers.question, form_question_maps.question
MAX_EMAIL = 320

_ZONE = re.compile(
    r"\s*(?:(?:GMT|UTC)\s*(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?"
    r"|(?P<bare>GMT|UTC|Z))\s*$",
    re.IGNORECASE,
)
_LAYOUTS = (
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y. %m. %d. %H:%M:%S",
)


def parse_timestamp(text: str) -> datetime:
    """A form's timestamp as an aware UTC datetime (no zone given: UTC).

    >>> parse_timestamp("2026/03/14 9:15:02 AM GMT+1").isoformat()
    '2026-03-14T08:15:02+00:00'
    """
    raw = " ".join(str(text).split())
    if not raw:
        raise InvalidValueError("the timestamp is empty; give e.g. 2026/03/14 9:15:02 AM GMT+1")
    tz: timezone = UTC
    zone = _ZONE.search(raw)
    body = raw
    if zone is not None:
        body = raw[: zone.start()].strip()
        if zone.group("sign"):
            minutes = int(zone.group("h")) * 60 + int(zone.group("m") or 0)
            if minutes > 14 * 60:
                raise InvalidValueError(f"timestamp {raw!r} has an offset beyond 14 hours")
            sign = -1 if zone.group("sign") == "-" else 1
            tz = timezone(timedelta(minutes=sign * minutes))
    iso = re.fullmatch(r"(.+T[\d:.]+)([+-]\d\d:\d\d)", body)
    if iso is not None:
        try:
            return datetime.fromisoformat(body).astimezone(UTC)
        except ValueError:
            pass
    for layout in _LAYOUTS:
        try:
            found = datetime.strptime(body, layout)
        except ValueError:
            continue
        return found.replace(tzinfo=tz).astimezone(UTC)
    raise InvalidValueError(
        f"timestamp {raw!r} is not a form's time; valid e.g. 2026/03/14 9:15:02 AM GMT+1, "
        "14.03.2026 09:15:02, 3/14/2026 9:15:02, 2026-03-14 09:15:02"
    )


@dataclass(frozen=True, slots=True)
class Response:
    line: int
    row: int  # 0-based data row of the table
    answered_at: datetime
    email: str
    persona: str
    answers: tuple[tuple[str, str], ...]  # (question, answer), empty answers left out


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str
    row: int  # 0-based data row of the table
    column: str | None = None


@dataclass
class FormTable:
    questions: list[str]
    raw: RawTable
    responses: list[Response] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    empty_answers: int = 0


def _find(headers: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in headers]
    return next((i for i, h in enumerate(low) if h in names), None)


def decode(data: bytes) -> str:
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    return text.removeprefix("\ufeff")


def read_form(
    raw: RawTable | str, *, persona_column: str | None = None, name: str = "the form"
) -> FormTable:
    """The responses of a form export (a table read by :func:`buyermap.io.readers.read_table`,
    or a CSV's text): the first row names the columns."""
    if isinstance(raw, str):
        raw = read_csv_text(raw, name=name)
    headers = [clean_text(h) for h in raw.header]
    if not headers:
        raise InputFileError(f"{name} is empty; export the form's responses as CSV or XLSX")
    t_col = _find(headers, TIME_COLUMNS)
    if t_col is None:
        raise InputFileError(
            f"{name} has no timestamp column (its columns: {', '.join(headers[:6])}); "
            "a Google Forms export starts with 'Timestamp'"
        )
    e_col = _find(headers, EMAIL_COLUMNS)
    p_col: int | None = None
    if persona_column is not None:
        p_col = next((i for i, h in enumerate(headers) if h == persona_column.strip()), None)
        if p_col is None:
            raise InputFileError(
                f"{name} has no column {persona_column!r}; its columns: {', '.join(headers)}"
            )
    used = {c for c in (t_col, e_col, p_col) if c is not None}
    q_cols = [
        i
        for i, h in enumerate(headers)
        # the other time columns (Microsoft's "Completion time") are no questions either
        if i not in used and h and h.strip().lower() not in (*SKIP_COLUMNS, *TIME_COLUMNS)
    ]
    long = [headers[i] for i in q_cols if len(headers[i]) > MAX_QUESTION]
    if long:
        raise InputFileError(
            f"{name}: the question {long[0][:60]!r}... has {len(long[0])} characters; at most "
            f"{MAX_QUESTION} are kept: shorten the column's header"
        )
    table = FormTable(questions=[headers[i] for i in q_cols], raw=raw)
    for index, (record, line) in enumerate(zip(raw.rows, raw.lines, strict=True)):
        if len(record) > len(headers) and any(v.strip() for v in record[len(headers) :]):
            table.bad.append(
                BadRow(line, f"{len(record)} values for {len(headers)} columns", index)
            )
            continue
        cells = [*record, *[""] * (len(headers) - len(record))]
        try:
            when = parse_timestamp(cells[t_col])
        except InvalidValueError as err:
            table.bad.append(BadRow(line, str(err), index, headers[t_col]))
            continue
        persona = clean_text(cells[p_col]) if p_col is not None else ""
        if p_col is not None and not persona:
            table.bad.append(
                BadRow(line, f"no persona in column {persona_column!r}", index, persona_column)
            )
            continue
        answers = []
        for i in q_cols:
            answer = clean_text(cells[i])
            if answer:
                answers.append((headers[i], answer))
            else:
                table.empty_answers += 1
        email = clean_text(cells[e_col]).lower() if e_col is not None else ""
        if len(email) > MAX_EMAIL:
            table.bad.append(
                BadRow(
                    line,
                    f"the email has {len(email)} characters; at most {MAX_EMAIL}",
                    index,
                    headers[e_col] if e_col is not None else None,
                )
            )
            continue
        table.responses.append(Response(line, index, when, email, persona, tuple(answers)))
    return table


def read_form_file(
    path: Path,
    *,
    persona_column: str | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> FormTable:
    """A form export file (CSV in any code page, or XLSX as Microsoft Forms writes it),
    named in messages by ``name`` (default the file's name)."""
    return read_form(
        read_table(path, encoding=encoding),
        persona_column=persona_column,
        name=name or path.name,
    )


def write_form_quarantine(path: Path, table: FormTable, bad: Sequence[BadRow]) -> None:
    """The rejected responses as read, with ``_row``, ``_line``, ``_column`` and ``_reason``
    (as every import's quarantine): fixed, the file imports again."""
    errors: dict[int, list[tuple[str, str]]] = {}
    for b in bad:
        errors.setdefault(b.row, []).append((b.column or "", b.reason))
    write_quarantine(path, table.raw, errors)


def read_rows(
    path: Path, *, required: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a small CSV/XLSX file with the columns ``required`` (and ``optional``):
    (line, {column: text}). Headers are matched without case."""
    raw = read_table(path)
    low = [h.strip().lower() for h in raw.header]
    missing = [c for c in required if c not in low]
    if missing:
        raise InputFileError(
            f"{path.name} needs columns {','.join(required)}"
            + (f"[,{','.join(optional)}]" if optional else "")
            + f"; it has {', '.join(raw.header) or 'none'}"
        )
    where = {c: low.index(c) for c in (*required, *optional) if c in low}
    out = []
    for record, line in zip(raw.rows, raw.lines, strict=True):
        cells = [*record, *[""] * (len(low) - len(record))]
        out.append((line, {c: clean_text(cells[i]) for c, i in where.items()}))
    return out


@dataclass
class AnswersReport:
    """What an import of form answers did."""

    file: str
    responses: int = 0
    answers: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    empty_answers: int = 0
    rejected: int = 0
    quarantine_path: str | None = None
    committed: bool = False
    personas: dict[str, int] = field(default_factory=dict)
    questions: list[dict[str, Any]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "responses": self.responses,
            "answers": self.answers,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "changes": self.imported + self.updated,
            "empty_answers": self.empty_answers,
            "rejected": self.rejected,
            "errors": [{"line": b.line, "column": b.column, "reason": b.reason} for b in self.bad],
            "quarantine_path": self.quarantine_path,
            "committed": self.committed,
            "personas": self.personas,
            "questions": self.questions,
        }


def import_form_answers(
    session: Session,
    *,
    path: Path,
    persona: str | None = None,
    persona_column: str | None = None,
    encoding: str | None = None,
    partial: bool = False,
    dry_run: bool = False,
    quarantine: Path | None = None,
    name: str | None = None,
) -> AnswersReport:
    """Keep the open answers of the form export at ``path`` (known by ``name``, default
    the file's name: a re-import of the same name updates its answers line by line). Each
    response counts for the persona of its persona column, else its respondent's (a contact
    matched by email), else ``persona``. Responses without a time or a persona go to the
    quarantine file; then nothing is written unless ``partial`` is asked (the good ones
    are)."""
    known = {p.key for p in journeys_svc.personas(session)}
    if persona is not None and persona not in known:
        raise InvalidValueError(
            f"no persona {persona!r}; valid: {', '.join(sorted(known)) or '(none yet)'}",
            details={"field": "persona"},
        )
    source_file = Path(name).name if name else path.name
    table = read_form_file(path, persona_column=persona_column, encoding=encoding, name=source_file)
    report = AnswersReport(file=source_file, empty_answers=table.empty_answers)
    bad = list(table.bad)
    emails = sorted({r.email for r in table.responses if r.email})
    contact_of: dict[str, int] = {}
    for cid, email in session.execute(
        select(Contact.id, func.lower(Contact.email))
        .where(func.lower(Contact.email).in_(emails))
        .order_by(Contact.id)
    ):
        contact_of.setdefault(email, cid)
    persona_of = persona_of_contacts(session) if contact_of else {}
    good: list[tuple[Response, int | None, str]] = []
    for r in table.responses:
        contact_id = contact_of.get(r.email)
        who = r.persona or (persona_of.get(contact_id) if contact_id else None) or persona
        if not who:
            known_as = (
                f"respondent {r.email!r} is no contact placed in a persona"
                if r.email
                else "the form asked no email"
            )
            bad.append(
                BadRow(
                    r.line,
                    f"no persona: {known_as}; give --persona KEY or --persona-column COLUMN",
                    r.row,
                )
            )
        elif who not in known:
            bad.append(
                BadRow(
                    r.line,
                    f"no persona {who!r}; valid: {', '.join(sorted(known)) or '(none yet)'}",
                    r.row,
                    persona_column,
                )
            )
        else:
            good.append((r, contact_id, who))
    bad.sort(key=lambda b: b.line)
    report.bad, report.rejected = bad, len(bad)
    writes = not dry_run and (not bad or partial)
    maps = {m.question: m for m in session.scalars(select(FormQuestionMap))}
    kept = {
        (a.line, a.question): a
        for a in session.scalars(select(FormAnswer).where(FormAnswer.source_file == source_file))
    }
    per_persona: Counter[str] = Counter()
    per_question: Counter[str] = Counter()
    for r, contact_id, who in good:
        report.responses += 1
        for question, text in r.answers:
            report.answers += 1
            per_persona[who] += 1
            per_question[question] += 1
            mapped = maps.get(question)
            values: dict[str, Any] = {
                "respondent": r.email or f"line {r.line}",
                "contact_id": contact_id,
                "persona_key": who,
                "answer": text,
                # kept as naive UTC, as the column gives it back
                "answered_at": r.answered_at.astimezone(UTC).replace(tzinfo=None),
                "stage": mapped.stage if mapped else "",
                "objection": mapped.objection if mapped else "",
            }
            old = kept.get((r.line, question))
            if old is None:
                report.imported += 1
                if writes:
                    session.add(
                        FormAnswer(
                            source_file=source_file, line=r.line, question=question, **values
                        )
                    )
            elif any(getattr(old, k) != v for k, v in values.items()):
                report.updated += 1
                if writes:
                    for k, v in values.items():
                        setattr(old, k, v)
            else:
                report.unchanged += 1
    report.personas = dict(sorted(per_persona.items()))
    report.questions = [
        {
            "question": q,
            "answers": per_question.get(q, 0),
            "stage": maps[q].stage if q in maps else None,
            "objection": (maps[q].objection or None) if q in maps else None,
        }
        for q in table.questions
    ]
    report.committed = writes
    if bad and not dry_run:
        qpath = quarantine or path.with_name(f"{path.stem}.quarantine.csv")
        write_form_quarantine(qpath, table, bad)
        report.quarantine_path = str(qpath)
    if writes:
        session.flush()
    return report
