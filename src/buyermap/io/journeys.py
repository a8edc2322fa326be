"""Journey maps in and out of files: ``buyermap journeys import`` and ``journeys export``.

Import reads a long CSV (or XLSX) with the columns ``persona,stage,kind,key,text,ref``
(optionally ``evidence`` and ``evidence_count``), in any encoding the importer reads
(UTF-8 with or without BOM, cp1250, ...), or a workbook :func:`export_journeys` wrote. The
file holds the whole draft of every persona it names: importing it makes each of those
drafts hold exactly the file's lines, so importing an export again changes nothing. A
persona key no run has becomes a hand-made persona (said in the report).

Rows with an unknown stage for the template, an unknown kind, an objection without a key
(or with one used twice) or an answer whose ``ref`` names no objection of its persona are
rejected with a message naming the bad value and the valid ones, and written to a
quarantine file; then nothing is written unless ``partial`` is asked (the good rows are).

The workbook has one sheet per persona: row 1 names the persona and the template, row 2
holds the stage keys (the columns), row 3 their words, then rows grouped by kind (column A).
An objection's cell is ``[key] text``, an answer's ``[objection key] text``; a line's
evidence is the cell's comment (``count: N`` on its last line).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from buyermap.domain.journeys import (
    CUSTOM,
    DEFAULT_TEMPLATE,
    KIND_WORDS,
    KINDS,
    Line,
    LineKind,
    check_line,
    clean_text,
    diff_lines,
    stage_word,
)
from buyermap.errors import InputFileError
from buyermap.io.fields import norm
from buyermap.io.readers import RawTable, read_table
from buyermap.io.report import Rejection, write_quarantine
from buyermap.services import journeys as svc

COLUMNS = ("persona", "stage", "kind", "key", "text", "ref", "evidence", "evidence_count")
REQUIRED = ("persona", "stage", "kind", "text")
TAGGED = re.compile(r"^\[([^\[\]]*)\]\s?(.*)$", re.DOTALL)
COUNT = re.compile(r"^count: (\d+)$")
TITLE_ROWS = 3


@dataclass
class PersonaChanges:
    persona: str
    name: str
    template: str
    hand_made: bool
    created: bool  # made by this import (hand-made: no run has it)
    lines: int
    changes: int
    diff: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class JourneyImportReport:
    file: str
    format: str
    encoding: str | None
    rows_read: int = 0
    changes: int = 0
    rejected: int = 0
    committed: bool = False
    dry_run: bool = False
    partial: bool = False
    personas: list[PersonaChanges] = field(default_factory=list)
    personas_created: list[str] = field(default_factory=list)
    errors: list[Rejection] = field(default_factory=list)
    quarantine_path: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _cell(row: list[str], at: int | None) -> str:
    return row[at] if at is not None and at < len(row) else ""


def _long_table(path: Path, encoding: str | None) -> RawTable:
    if path.suffix.lower() == ".xlsx" and _is_export(path):
        return _read_export(path)
    return read_table(path, encoding=encoding)


def import_journeys(
    session: Session,
    *,
    path: Path,
    template: str | None = None,
    encoding: str | None = None,
    partial: bool = False,
    dry_run: bool = False,
    quarantine: Path | None = None,
) -> JourneyImportReport:
    """Read the file and set the drafts of the personas it names (see the module). Does not
    commit."""
    if template is not None:
        svc.stages_of(template, ["x"])  # refuses an unknown template by name
    table = _long_table(path, encoding)
    report = JourneyImportReport(
        file=str(path),
        format=table.format,
        encoding=table.encoding,
        rows_read=len(table.rows),
        partial=partial,
        dry_run=dry_run,
    )
    report.notes.extend(table.notes)
    at = {c: next((i for i, h in enumerate(table.header) if norm(h) == c), None) for c in COLUMNS}
    at["evidence_count"] = next(
        (i for i, h in enumerate(table.header) if norm(h) == "evidencecount"), None
    )
    missing = [c for c in REQUIRED if at[c] is None]
    if missing:
        raise InputFileError(
            f"{path.name!r} needs the columns {', '.join(REQUIRED)} (and key, ref); missing "
            f"{', '.join(missing)}; its header: {', '.join(table.header) or 'none'}"
        )
    errors: dict[int, list[tuple[str, str]]] = {}
    by_persona: dict[str, list[tuple[int, Line]]] = {}
    templates: dict[str, str | None] = {}
    for i, row in enumerate(table.rows):
        persona = clean_text(_cell(row, at["persona"]))
        kind = clean_text(_cell(row, at["kind"])).lower()
        raw_count = clean_text(_cell(row, at["evidence_count"]))
        count: int | None = None
        if raw_count:
            if raw_count.isascii() and raw_count.isdigit():
                count = int(raw_count)
            else:
                errors.setdefault(i, []).append(
                    ("evidence_count", f"evidence count {raw_count!r} is not a whole number >= 0")
                )
        if not persona:
            errors.setdefault(i, []).append(("persona", "the persona key is empty"))
            continue
        text = clean_text(_cell(row, at["text"]))
        if not text:
            errors.setdefault(i, []).append(("text", "the text is empty"))
        line = Line(
            stage=clean_text(_cell(row, at["stage"])),
            kind=kind,
            text=text,
            key=clean_text(_cell(row, at["key"])) if kind == LineKind.OBJECTION else "",
            ref=clean_text(_cell(row, at["ref"])) if kind == LineKind.ANSWER else "",
            evidence=clean_text(_cell(row, at["evidence"])),
            evidence_count=count,
        )
        by_persona.setdefault(persona, []).append((i, line))
        if isinstance(table, _Table):
            templates[persona] = table.notes_template.get(persona)
    plans: dict[str, tuple[str, list[str], list[Line]]] = {}
    for persona, rows in by_persona.items():
        journey = svc.get_journey(session, persona)
        tpl = template or templates.get(persona) or (journey.template if journey else None)
        tpl = tpl or DEFAULT_TEMPLATE
        if journey is not None:
            stages = list(journey.stages)
            if template is not None and template != journey.template:
                for i, _ in rows:
                    errors.setdefault(i, []).append(
                        (
                            "persona",
                            f"persona {persona!r}'s journey uses the template "
                            f"{journey.template!r}, not {template!r}; import with --template "
                            f"{journey.template} (or without --template)",
                        )
                    )
                continue
        elif tpl == CUSTOM:
            stages = list(dict.fromkeys(line.stage for _, line in rows if line.stage))
        else:
            stages = svc.stages_of(tpl, None)
        seen: set[str] = set()
        keys = {
            ln.key for i, ln in rows if ln.kind == LineKind.OBJECTION and ln.key and i not in errors
        }
        good: list[Line] = []
        for i, line in rows:
            problems = check_line(
                stage=line.stage,
                kind=line.kind,
                key=line.key,
                ref=line.ref,
                stages=stages,
                objection_keys=keys,
            )
            if line.kind == LineKind.OBJECTION and line.key:
                if line.key in seen:
                    problems.append(
                        ("key", f"objection key {line.key!r} is used twice for persona {persona!r}")
                    )
                seen.add(line.key)
            if problems:
                errors.setdefault(i, []).extend(problems)
            if i not in errors:
                good.append(line)
        # an answer to an objection rejected above goes with it
        kept = {ln.key for ln in good if ln.kind == LineKind.OBJECTION}
        for i, line in rows:
            if i not in errors and line.kind == LineKind.ANSWER and line.ref not in kept:
                errors.setdefault(i, []).append(
                    ("ref", f"answers objection {line.ref!r}, whose row was rejected")
                )
        plans[persona] = (tpl, stages, [ln for i, ln in rows if i not in errors])
    report.rejected = len(errors)
    report.errors = [
        Rejection(row=i + 1, line=table.lines[i], column=c or None, reason=r)
        for i in sorted(errors)[:200]
        for c, r in errors[i]
    ]
    writes = not dry_run and (not errors or partial)
    for persona, (tpl, stages, lines) in plans.items():
        found = svc.find_persona(session, persona)
        created = found is None
        journey = svc.get_journey(session, persona)
        before = svc.lines_of(journey) if journey is not None else []
        changes = diff_lines(before, lines)
        if writes:
            ref, created = svc.ensure_persona(session, key=persona)
            journey = svc.ensure_journey(
                session, persona=persona, template=tpl, stages=stages if tpl == CUSTOM else None
            )
            svc.replace_lines(session, journey=journey, lines=lines)
            name, origin = ref.name, ref.origin
        else:
            name = found.name if found else persona
            origin = found.origin if found else svc.HAND_MADE
        if created:
            report.personas_created.append(persona)
        report.personas.append(
            PersonaChanges(
                persona=persona,
                name=name,
                template=tpl,
                hand_made=origin == svc.HAND_MADE,
                created=created,
                lines=len(lines),
                changes=len(changes),
                diff=[c.to_dict() for c in changes],
            )
        )
        report.changes += len(changes)
    if report.personas_created:
        report.notes.append(
            "made by hand (no persona run has them, so not backed by data): "
            + ", ".join(report.personas_created)
        )
    report.committed = writes
    if errors and not dry_run:
        qpath = quarantine or path.with_name(f"{path.stem}.quarantine.csv")
        write_quarantine(qpath, table, errors)
        report.quarantine_path = str(qpath)
    return report


def _is_export(path: Path) -> bool:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise InputFileError(f"cannot read {path.name!r} as a workbook: {exc}") from exc
    try:
        first = book.worksheets[0]
        row: tuple[object, ...] = next(first.iter_rows(min_row=1, max_row=1, values_only=True), ())
        return len(row) > 0 and str(row[0] or "").strip().lower() == "persona"
    finally:
        book.close()


@dataclass
class _Table(RawTable):
    notes_template: dict[str, str] = field(default_factory=dict)


def _parse_comment(text: str) -> tuple[str, int | None]:
    parts = text.strip().split("\n")
    count: int | None = None
    if parts and (m := COUNT.match(parts[-1].strip())):
        count = int(m.group(1))
        parts = parts[:-1]
    return clean_text(" ".join(parts)), count


def _read_export(path: Path) -> RawTable:
    """A workbook :func:`export_journeys` wrote, as long rows (line = the sheet's row)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    table = _Table(header=list(COLUMNS), rows=[], lines=[], format="journeys-xlsx")
    for sheet in book.worksheets:
        head = [str(c.value or "") for c in sheet[1]]
        if len(head) < 2 or head[0].strip().lower() != "persona":
            table.notes.append(f"sheet {sheet.title!r} is not a journey sheet: left out")
            continue
        persona = clean_text(head[1])
        if len(head) >= 4 and head[2].strip().lower() == "template" and head[3].strip():
            table.notes_template[persona] = head[3].strip()
        stages = [clean_text(str(c.value or "")) for c in sheet[2]][1:]
        for r, row in enumerate(sheet.iter_rows(min_row=TITLE_ROWS + 1), start=TITLE_ROWS + 1):
            kind = _kind_of(str(row[0].value or ""))
            for c, cell in enumerate(row[1:]):
                if cell.value is None or str(cell.value).strip() == "":
                    continue
                stage = stages[c] if c < len(stages) else f"column {c + 2}"
                value = str(cell.value)
                key = ref = ""
                if kind in (LineKind.OBJECTION, LineKind.ANSWER):
                    m = TAGGED.match(value.strip())
                    if m:
                        tag, value = m.group(1).strip(), m.group(2)
                        key, ref = (tag, "") if kind == LineKind.OBJECTION else ("", tag)
                evidence, count = _parse_comment(cell.comment.text) if cell.comment else ("", None)
                table.rows.append(
                    [
                        persona,
                        stage,
                        kind,
                        key,
                        value,
                        ref,
                        evidence,
                        "" if count is None else str(count),
                    ]
                )
                table.lines.append(r)
    return table


def _kind_of(cell: str) -> str:
    text = clean_text(cell)
    for kind, word in KIND_WORDS.items():
        if text.lower() in (kind, word.lower()):
            return kind
    return text.lower()


def export_journeys(session: Session, *, path: Path, persona: str | None = None) -> int:
    """Write every persona's draft (or one persona's) as the workshop's workbook (see the
    module); returns the number of sheets."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    if path.suffix.lower() != ".xlsx":
        raise InputFileError(f"cannot export journeys to {path.name!r}; use a .xlsx file name")
    journeys = svc.all_journeys(session)
    if persona is not None:
        journeys = [svc.require_journey(session, persona)]
    book = Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    used: set[str] = set()
    for journey in journeys:
        title = _sheet_title(journey.persona_key, used)
        sheet = book.create_sheet(title)
        sheet.append(["persona", journey.persona_key, "template", journey.template])
        sheet.append(["kind", *journey.stages])
        sheet.append(["", *(stage_word(s) for s in journey.stages)])
        for cell in (*sheet[2], *sheet[3]):
            cell.font = Font(bold=True)
        lines = svc.ordered(journey)
        for kind in KINDS:
            cells = {
                s: [ln for ln in lines if ln.stage == s and ln.kind == kind] for s in journey.stages
            }
            depth = max((len(v) for v in cells.values()), default=0)
            for n in range(max(depth, 1)):
                row: list[Any] = [KIND_WORDS[kind]]
                notes: list[tuple[int, str]] = []
                for c, s in enumerate(journey.stages):
                    if n >= len(cells[s]):
                        row.append(None)
                        continue
                    ln = cells[s][n]
                    tag = ln.key if kind == LineKind.OBJECTION else ln.ref
                    row.append(f"[{tag}] {ln.text}" if kind in ("objection", "answer") else ln.text)
                    note = "\n".join(
                        p
                        for p in (
                            ln.evidence,
                            "" if ln.evidence_count is None else f"count: {ln.evidence_count}",
                        )
                        if p
                    )
                    if note:
                        notes.append((c + 2, note))
                sheet.append(row)
                for col, note in notes:
                    sheet.cell(row=sheet.max_row, column=col).comment = Comment(note, "buyermap")
        sheet.column_dimensions["A"].width = 30
        for c in range(len(journey.stages)):
            letter = sheet.cell(row=2, column=c + 2).column_letter
            sheet.column_dimensions[letter].width = 36
        for row_cells in sheet.iter_rows(min_row=TITLE_ROWS + 1):
            for cell in row_cells:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if not journeys:
        sheet = book.create_sheet("journeys")
        sheet.append(["persona", "", "template", ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(journeys)


def _sheet_title(key: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", key)[:28] or "persona"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[:25]}~{n}"
    used.add(title.lower())
    return title
