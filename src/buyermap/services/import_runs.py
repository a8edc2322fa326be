"""The imports a workspace has had: one :class:`ImportRun` per file, newest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import ImportRun
from buyermap.errors import NotFoundError


def list_import_runs(session: Session, *, limit: int = 50) -> list[ImportRun]:
    """The latest ``limit`` imports, newest first."""
    stmt = select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def get_import_run(session: Session, *, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFoundError(
            f"no import with id {run_id}; the imports of this workspace are listed at /import"
        )
    return run
