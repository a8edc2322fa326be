"""``buyermap content import FILE``: the content library from a content-audit sheet.

Columns ``title,url,type,personas,stages,objections`` (several values separated by ``;``,
objections by key), optionally ``channel``, ``direction`` (inbound or outbound), ``views``
and ``leads``; any encoding and delimiter the importer reads, CSV or XLSX. An asset is
identified by its URL: importing the file again changes nothing, a changed row updates the
asset. A stage no template or journey has, a direction other than inbound/outbound, or a
count that is not a whole number rejects the row (quarantined with the reason); then
nothing is written unless ``partial`` is asked. Personas and objection keys no journey has
yet are kept and said in the notes (the asset counts once they exist).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from buyermap.domain.journeys import TEMPLATES
from buyermap.errors import InputFileError, InvalidValueError
from buyermap.io.fields import norm
from buyermap.io.readers import read_table
from buyermap.io.report import Rejection, write_quarantine
from buyermap.services import content as svc
from buyermap.services import journeys as journeys_svc

COLUMNS = (
    "title",
    "url",
    "type",
    "personas",
    "stages",
    "objections",
    "channel",
    "direction",
    "views",
    "leads",
)
ALIASES = {"persona": "personas", "stage": "stages", "objection": "objections", "link": "url"}


@dataclass
class ContentImportReport:
    file: str
    format: str
    encoding: str | None
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0
    rejected: int = 0
    committed: bool = False
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


def known_stages(session: Session) -> list[str]:
    out: list[str] = [s for stages in TEMPLATES.values() for s in stages]
    for j in journeys_svc.all_journeys(session):
        out.extend(s for s in j.stages if s not in out)
    return out


def import_content(
    session: Session,
    *,
    path: Path,
    encoding: str | None = None,
    partial: bool = False,
    dry_run: bool = False,
    quarantine: Path | None = None,
) -> ContentImportReport:
    """Read the file and add or update its assets (see the module). Does not commit."""
    table = read_table(path, encoding=encoding)
    report = ContentImportReport(
        file=str(path), format=table.format, encoding=table.encoding, rows_read=len(table.rows)
    )
    report.notes.extend(table.notes)
    at: dict[str, int] = {}
    for i, h in enumerate(table.header):
        name = ALIASES.get(norm(h), norm(h))
        if name in COLUMNS and name not in at:
            at[name] = i
    missing = [c for c in ("title", "url") if c not in at]
    if missing:
        raise InputFileError(
            f"{path.name!r} needs the columns title and url (and type, personas, stages, "
            f"objections); missing {', '.join(missing)}; its header: {', '.join(table.header)}"
        )
    stages = known_stages(session)
    personas = {p.key for p in journeys_svc.personas(session)}
    objections = {ln.key for j in journeys_svc.all_journeys(session) for ln in j.lines if ln.key}
    errors: dict[int, list[tuple[str, str]]] = {}
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    unknown_personas: set[str] = set()
    unknown_objections: set[str] = set()
    for i, row in enumerate(table.rows):
        raw = {name: (row[c] if c < len(row) else "") for name, c in at.items()}
        try:
            values = svc.clean_asset(raw)
        except InvalidValueError as exc:
            column = str((exc.details or {}).get("field", ""))
            errors[i] = [(table.header[at[column]] if column in at else column, exc.message)]
            continue
        if not values.get("title") or not values.get("url"):
            errors[i] = [
                ("title" if not values.get("title") else "url", "the title and the URL are needed")
            ]
            continue
        bad = [s for s in values.get("stages", []) if s not in stages]
        if bad:
            errors[i] = [
                (
                    table.header[at["stages"]],
                    f"unknown stage {bad[0]!r}; valid: {', '.join(stages)}",
                )
            ]
            continue
        unknown_personas.update(p for p in values.get("personas", []) if p not in personas)
        unknown_objections.update(o for o in values.get("objections", []) if o not in objections)
        if values["url"] in rows:
            report.notes.append(f"row {i + 1}: {values['url']!r} again; the later row wins")
        rows[values["url"]] = (i, values)
    report.rejected = len(errors)
    report.errors = [
        Rejection(row=i + 1, line=table.lines[i], column=c or None, reason=r)
        for i in sorted(errors)[:200]
        for c, r in errors[i]
    ]
    if unknown_personas:
        report.notes.append(
            "personas no journey has yet (kept): " + ", ".join(sorted(unknown_personas))
        )
    if unknown_objections:
        report.notes.append(
            "objection keys no journey has yet (kept): " + ", ".join(sorted(unknown_objections))
        )
    writes = not dry_run and (not errors or partial)
    for url, (_, values) in rows.items():
        asset = svc.by_url(session, url)
        if asset is None:
            report.added += 1
            if writes:
                svc.add_asset(session, data={**values, "source": "import"})
            continue
        changed = {k: v for k, v in values.items() if getattr(asset, k) != v}
        if not changed:
            report.unchanged += 1
            continue
        report.updated += 1
        if writes:
            svc.update_asset(session, asset_id=asset.id, changes=changed)
    report.changes = report.added + report.updated
    report.committed = writes
    if errors and not dry_run:
        qpath = quarantine or path.with_name(f"{path.stem}.quarantine.csv")
        write_quarantine(qpath, table, errors)
        report.quarantine_path = str(qpath)
    return report
