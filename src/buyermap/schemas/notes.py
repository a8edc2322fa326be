"""Notes and interviews: dated free text linked to an account, a contact and/or a deal.

``NoteDraft`` is what a client writes (the body of ``POST /accounts/{id}/notes`` and its
siblings); ``NoteCreate`` adds the records it belongs to; ``NoteUpdate`` changes the
fields it names (the links stay); ``NotePublic`` is what is read back.

Limits follow the columns and keep one note from swamping the workspace: title <= 300,
source <= 120, body <= 100,000 characters, at most 50 tags of <= 60 characters; text must
be valid Unicode without NUL characters (PostgreSQL cannot store them) and a note's date
must fall in the years 1900-2100. A value past a limit is refused with 422 naming the
field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, field_validator

from buyermap.domain.enums import NoteKind
from buyermap.schemas.common import ORMModel, UtcOut, Version

TITLE_MAX = 300
SOURCE_MAX = 120
BODY_MAX = 100_000
TAGS_MAX = 50
TAG_MAX = 60
FIRST_YEAR = 1900
LAST_YEAR = 2100

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def storable_text(value: str) -> str:
    """Text both databases can store: no NUL character, no lone surrogate."""
    found = _UNSTORABLE.search(value)
    if found is not None:
        raise ValueError(
            f"contains the character U+{ord(found.group()):04X} at position {found.start()}, "
            "which cannot be stored; remove it"
        )
    return value


def plausible_utc(value: datetime) -> datetime:
    """A date-time in the years FIRST_YEAR-LAST_YEAR, as naive UTC."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year {value.year} is not plausible; use {FIRST_YEAR}-{LAST_YEAR}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


Text = Annotated[str, AfterValidator(storable_text)]
Title = Annotated[Text, Field(max_length=TITLE_MAX)]
Source = Annotated[Text, Field(max_length=SOURCE_MAX)]
Body = Annotated[Text, Field(min_length=1, max_length=BODY_MAX)]
Tag = Annotated[Text, Field(min_length=1, max_length=TAG_MAX)]
Tags = Annotated[list[Tag], Field(max_length=TAGS_MAX)]
NoteTime = Annotated[datetime, AfterValidator(plausible_utc)]


class NoteDraft(BaseModel):
    """A note as a client writes it."""

    body: Body
    kind: NoteKind = NoteKind.NOTE
    title: Title | None = None
    occurred_at: NoteTime | None = Field(default=None, description="When; now when omitted")
    source: Source | None = Field(default=None, description="Where it came from")
    tags: Tags = Field(default_factory=list)


class NoteCreate(NoteDraft):
    """A note with the records it belongs to (at least one of them)."""

    account_id: int | None = None
    contact_id: int | None = None
    deal_id: int | None = None


class NoteUpdate(BaseModel):
    """The fields to change; those left out keep their value (``body`` and ``kind`` cannot
    be emptied; ``title`` and ``source`` can, with null)."""

    body: Body | None = None
    kind: NoteKind | None = None
    title: Title | None = None
    occurred_at: NoteTime | None = None
    source: Source | None = None
    tags: Tags | None = None
    version: Version | None = None

    @field_validator("body", "kind", "occurred_at", "tags", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class NotePublic(ORMModel):
    id: int
    version: int = Field(description="Counts the saves; send it back to detect conflicts")
    kind: str
    title: str | None
    body: str
    occurred_at: UtcOut
    source: str | None
    account_id: int | None
    contact_id: int | None
    deal_id: int | None
    tags: list[str]
