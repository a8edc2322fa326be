"""Shared schema pieces: normalisers and the page envelope."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

T = TypeVar("T")

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_domain(value: str) -> str:
    """``https://www.Acme.com/about`` -> ``acme.com``; raises ValueError when it is no domain."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if text.startswith("www."):
        text = text[4:]
    if not _DOMAIN.match(text):
        raise ValueError(f"{value!r} is not a domain; expected something like acme.com")
    return text


def normalise_email(value: str) -> str:
    text = value.strip().lower()
    if not _EMAIL.match(text):
        raise ValueError(f"{value!r} is not an email address; expected name@example.com")
    return text


EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
# Ids, counts and page numbers fit a 32-bit INTEGER column on PostgreSQL.
MAX_INT = 2_147_483_647
MAX_MONEY = 1e15


def _in_window(value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            f"{value.isoformat()} is outside the plausible window "
            f"{EARLIEST.isoformat()}..{LATEST.isoformat()}"
        )


def to_naive_utc(value: datetime) -> datetime:
    _in_window(value)
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def plausible_date(value: date) -> date:
    _in_window(value)
    return value


def valid_text(value: str) -> str:
    """Text that can be stored: valid Unicode (no lone surrogates), no NUL byte."""
    if "\x00" in value:
        raise ValueError("text may not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode (it holds a lone surrogate)") from None
    return value


_Valid = AfterValidator(valid_text)
# Text that fits its column (the number is the column's length).
Text60 = Annotated[str, Field(max_length=60), _Valid]
Text80 = Annotated[str, Field(max_length=80), _Valid]
Text120 = Annotated[str, Field(max_length=120), _Valid]
Text200 = Annotated[str, Field(max_length=200), _Valid]
Text255 = Annotated[str, Field(max_length=255), _Valid]
Text300 = Annotated[str, Field(max_length=300), _Valid]
MAX_BODY = 100_000
LongText = Annotated[str, Field(min_length=1, max_length=MAX_BODY), _Valid]
"""A note's body: free text up to 100,000 characters."""


def _drop_null(schema: dict[str, Any]) -> None:
    options = [o for o in schema.pop("anyOf", []) if o != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


def not_null(description: str | None = None) -> Any:
    """A partial update's field that may be left out but not set to null.

    The type stays ``X | None`` (left out: None), the spec says the field is not nullable,
    and a ``_not_null`` validator refuses an explicit null with the field named.
    """
    return Field(default=None, description=description, json_schema_extra=_drop_null)


def reject_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


def _as_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


Domain = Annotated[str, Field(max_length=255), AfterValidator(normalise_domain)]
Email = Annotated[str, Field(max_length=320), AfterValidator(normalise_email)]
UtcDateTime = Annotated[datetime, AfterValidator(to_naive_utc)]
"""An input date-time within 1900..2200; aware values are converted to naive UTC."""
PlausibleDate = Annotated[date, AfterValidator(plausible_date)]
UtcOut = Annotated[datetime, BeforeValidator(_as_utc)]
"""An output date-time: stored naive UTC, served with its offset (``Z``)."""
Name = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(valid_text)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
# The version of a record an edit started from (see buyermap.services.versions).
Version = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_INT,
        description="The record's version you started from; a stale one is refused (409). "
        "Leave it out to save whatever the record's version is now.",
    ),
]


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
