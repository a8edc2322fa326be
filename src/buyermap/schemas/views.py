"""Saved views of the list pages: SavedViewCreate / SavedViewUpdate / SavedViewPublic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from buyermap.schemas.common import UtcOut

ViewPage = Literal["accounts", "contacts", "deals"]
ViewName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
ViewParams = Annotated[
    dict[Annotated[str, StringConstraints(max_length=40)], Annotated[str, Field(max_length=200)]],
    Field(
        max_length=20,
        description=(
            "The list's query parameters as strings: its filters (e.g. stage, owner), "
            "q and sort; the same ones its page and REST list take."
        ),
        examples=[{"stage": "Proposal", "owner": "3", "sort": "-amount"}],
    ),
]


class SavedViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: ViewPage
    name: ViewName
    params: ViewParams = {}


class SavedViewUpdate(BaseModel):
    """Rename a view and/or replace its params; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: ViewName | None = None
    params: ViewParams | None = None


class SavedViewPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    page: str
    name: str
    params: dict[str, str]
    created_at: UtcOut
