"""Is the workspace empty, and emptying it (for ``buyermap demo --force``)."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from buyermap.db.base import Base
from buyermap.db.models import (
    Account,
    Contact,
    Deal,
    ImportRun,
    Note,
    SurveyAnswer,
    User,
)

# The tables whose rows a user would miss; a new workspace holds only its default pipeline.
DATA_TABLES = (Account, Contact, Deal, Note, SurveyAnswer, User, ImportRun)


def workspace_has_data(session: Session) -> bool:
    """True when the workspace holds records (accounts, contacts, deals, notes, ...)."""
    return any(
        (session.scalar(select(func.count()).select_from(model)) or 0) > 0 for model in DATA_TABLES
    )


def wipe_workspace(session: Session) -> None:
    """Delete every row of every table (schema and migration state stay). No commit."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    session.flush()
