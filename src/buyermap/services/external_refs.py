"""The ids our records have in other systems (HubSpot, Salesforce, ...)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from buyermap.db.models import ExternalRef


def drop_external_refs(session: Session, *, entity: str, entity_id: int) -> None:
    """Forget a deleted record's ids in other systems, so that importing the CRM's file again
    creates the record anew instead of matching (and renaming) an unrelated one."""
    session.execute(
        delete(ExternalRef).where(ExternalRef.entity == entity, ExternalRef.entity_id == entity_id)
    )
