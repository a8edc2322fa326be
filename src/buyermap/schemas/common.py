"""Shared schema pieces: normalisers and the page envelope."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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


def to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


Domain = Annotated[str, AfterValidator(normalise_domain)]
Email = Annotated[str, AfterValidator(normalise_email)]
UtcDateTime = Annotated[datetime, AfterValidator(to_naive_utc)]
Name = Annotated[str, Field(min_length=1, max_length=300)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
