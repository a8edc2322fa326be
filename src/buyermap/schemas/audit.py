"""The audit log as the API and the CLI show it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from buyermap.schemas.common import UtcOut


class AuditEntryOut(BaseModel):
    """One logged change."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcOut = Field(description="When (UTC).")
    actor: str = Field(description="Who: the user's name or email, or 'local user'.")
    action: str = Field(description="create, update or delete.")
    entity: str = Field(description="The kind of record (its table), e.g. accounts.")
    entity_id: int | None = Field(description="The record's id.")
    field: str | None = Field(description="The changed field (updates only).")
    data_class: str | None = Field(
        description="The field's personal-data class; its values are not logged when set."
    )
    before: str | None = Field(description="The value before (not for personal fields).")
    after: str | None = Field(description="The value after (not for personal fields).")


class AuditPage(BaseModel):
    """Newest first; pass ``next_before`` as ``before`` for the next, older page."""

    entries: list[AuditEntryOut]
    next_before: int | None = Field(description="The id to page on from; null at the end.")
