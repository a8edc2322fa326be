"""Data-quality guards of imports: shifted rows, superseded rows that differ, the id systems a
workspace already holds, and which date columns a file's dates came from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import ExternalRef
from buyermap.domain.enums import EntityKind
from buyermap.io.context import Ctx
from buyermap.io.fields import ENTITY_WORD
from buyermap.io.readers import RawTable
from buyermap.io.report import ImportReport
from buyermap.io.validate import Errors, Validated

# Fields whose values are dates: the report says which column fed each.
DATE_FIELDS = frozenset(
    {"opened_at", "closed_at", "expected_close", "changed_at", "position_start", "created_at"}
)
# Fields that hold names or titles: an email address there means the row is shifted.
_NAME_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "full_name",
    "company_name",
    "account_name",
    "job_title",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def reject_shifted(validated: Validated, mapping: Mapping[str, str]) -> None:
    """Reject rows with an email address in a name or title column: the cells have moved
    (a missing or extra delimiter, a pasted range), so every value of the row is suspect.
    (A title in the email column is already refused as not an email address.)"""
    for column, target in mapping.items():
        if target not in _NAME_FIELDS:
            continue
        values = validated.columns.get(target) or []
        for i, value in enumerate(values):
            if value and _EMAIL.match(value):
                validated.errors.setdefault(i, []).append(
                    (
                        column,
                        f"{value!r} in {column!r} is an email address, not a name: the row's "
                        "cells look shifted (a missing or extra delimiter); check it against "
                        "the header",
                    )
                )


def workspace_systems(session: Session, entity: EntityKind) -> set[str]:
    """The id systems (``hubspot``, ``salesforce``, ``import``...) of the records of this kind
    that the workspace already holds (stage history: of its deals)."""
    word = "deal" if entity == EntityKind.STAGE_HISTORY else ENTITY_WORD[entity]
    stmt = select(ExternalRef.system).where(ExternalRef.entity == word).distinct()
    return set(session.scalars(stmt))


def _cells(table: RawTable, i: int) -> list[str]:
    width = len(table.header)
    return [c.strip() for c in (table.rows[i] + [""] * width)[:width]]


def report_superseded(ctx: Ctx, table: RawTable, report: ImportReport) -> Errors:
    """Account for every row a later row of the file superseded (same id, email or name).

    An exact repeat is skipped as a duplicate. A row that differs from the one that won is
    skipped too (the later row is the newer state), but reported with both row numbers and
    the columns that differ, and returned for the quarantine file, so nothing in it is lost
    without a trace."""
    out: Errors = {}
    for loser, winner in sorted(ctx.superseded.items()):
        if loser in ctx.v.errors:
            continue
        a, b = _cells(table, loser), _cells(table, winner)
        differs = [h for h, x, y in zip(table.header, a, b, strict=True) if x != y]
        where = f"row {winner + 1} (line {table.lines[winner]})"
        if not differs:
            ctx.skipped[loser] = f"duplicate of {where}"
            continue
        shown = ", ".join(differs[:5]) + (
            f" and {len(differs) - 5} more" if len(differs) > 5 else ""
        )
        reason = f"superseded by {where}, which has the same key but differs in {shown}"
        ctx.skipped[loser] = reason
        entry: dict[str, Any] = {
            "row": loser + 1,
            "line": table.lines[loser],
            "by_row": winner + 1,
            "by_line": table.lines[winner],
            "differs": differs,
        }
        report.superseded.append(entry)
        out[loser] = [("; ".join(differs[:5]), reason)]
    return out
