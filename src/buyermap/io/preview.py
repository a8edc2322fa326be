"""The mapping preview of a file: the import's dry run, a few rows as read, and the fields
each column may be sent to (in words), for the web's upload page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from buyermap.domain.enums import EntityKind
from buyermap.io.importer import ImportOptions, import_file
from buyermap.io.mapping import custom_defs, valid_targets
from buyermap.io.readers import read_table
from buyermap.io.report import QUARANTINE_COLUMNS, ImportReport

WORDS = {
    "external_id": "Id in the CRM",
    "annual_revenue": "Annual revenue",
    "founded_year": "Year founded",
    "job_title": "Job title",
    "account_external_id": "Company's id in the CRM",
    "account_domain": "Company domain",
    "account_name": "Company name",
    "deal_external_id": "Deal's id in the CRM",
    "closed_at": "Close date",
    "opened_at": "Opening date",
    "expected_close": "Expected close date",
    "changed_at": "Date of the move",
    "lost_reason": "Lost reason",
}


def field_words(target: str, labels: dict[str, str] | None = None) -> str:
    """``annual_revenue`` -> ``Annual revenue``; ``custom.tier`` -> ``Tier (custom field)``."""
    if target.startswith("custom."):
        key = target.removeprefix("custom.")
        return f"{(labels or {}).get(key, key.replace('_', ' '))} (custom field)"
    return WORDS.get(target) or target.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Preview:
    report: ImportReport
    header: list[str]
    samples: list[list[str]]
    targets: list[tuple[str, str]]  # (field, its name in words), the choices per column
    left_out: list[str]  # quarantine columns that are not imported


def preview_file(
    session: Session,
    *,
    entity: EntityKind,
    path: Path,
    options: ImportOptions,
    sample: int = 5,
) -> Preview:
    """The dry run of importing ``path`` with ``options`` (nothing is written)."""
    report = import_file(session, entity=entity, path=path, options=replace(options, dry_run=True))
    table = read_table(path, encoding=report.encoding or options.encoding)
    customs = custom_defs(session, entity)
    labels = {k: d.label for k, d in customs.items()}
    targets = [(t, field_words(t, labels)) for t in valid_targets(entity, customs)]
    left_out = [h for h in table.header if h in QUARANTINE_COLUMNS]
    return Preview(
        report=report,
        header=table.header,
        samples=list(table.rows[:sample]),
        targets=targets,
        left_out=left_out if len(left_out) == len(QUARANTINE_COLUMNS) else [],
    )
