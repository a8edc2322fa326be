"""Query parameters shared by every list endpoint: q, sort, page, page_size, and the
filters of the accounts, contacts and deals lists.

A page past the last one answers 200 with no items and the ``total``, so a client can tell
an emptied list (total 0) from a page too far (total > 0) and ask for the last page,
``ceil(total / page_size)``; the web pages show that last page instead, with a message."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import fields
from datetime import date
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator

from buyermap.domain.enums import DealStatus, Seniority
from buyermap.schemas.common import MAX_INT, Page, valid_text
from buyermap.services.filters import (
    SIZE_BANDS,
    AccountFilter,
    ContactFilter,
    DealFilter,
    parse_filter,
)
from buyermap.services.listing import MAX_PAGE_SIZE, Listed, ListQuery
from buyermap.web.deps import SettingsDep

MAX_PAGE = 1_000_000
PathId = Annotated[int, Path(ge=1, le=MAX_INT, description="The record's id.")]
"""An id in a path: 1 to 2^31-1 (larger ids exist nowhere; 422 instead of a database error)."""
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]


def list_query(
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text to search for (case-insensitive)."),
        AfterValidator(valid_text),
    ] = None,
    sort: Annotated[
        str | None,
        Query(max_length=80, description="Field to sort by; prefix with - for descending."),
        AfterValidator(valid_text),
    ] = None,
    page: PageNumber = 1,
    page_size: Annotated[
        int | None, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")
    ] = None,
) -> ListQuery:
    return ListQuery(q=q, sort=sort, page=page, page_size=page_size or settings.page_size)


ListQueryDep = Annotated[ListQuery, Depends(list_query)]


T = TypeVar("T")


def page_of(listed: Listed[Any], public: Callable[[Any], T]) -> Page[T]:
    """A service's page of records as the API's page of public schemas."""
    return Page[T](
        items=[public(item) for item in listed.items],
        total=listed.total,
        page=listed.page,
        page_size=listed.page_size,
    )


def _text_param(what: str) -> Any:
    return Annotated[str | None, Query(max_length=200, description=what)]


def _id_param(what: str) -> Any:
    return Annotated[int | None, Query(ge=1, le=MAX_INT, description=what)]


def _amount_param(what: str) -> Any:
    return Annotated[float | None, Query(ge=0, le=1e15, description=what)]


def _day_param(what: str) -> Any:
    return Annotated[date | None, Query(description=what)]


FILTER_PARAMS: dict[str, Any] = {
    # deals
    "pipeline": _text_param("Pipeline name."),
    "stage": _text_param("Stage name (in any pipeline, or in `pipeline` when given)."),
    "status": Annotated[DealStatus | None, Query(description="open, won or lost.")],
    "amount_min": _amount_param("Smallest amount (in the deal's currency)."),
    "amount_max": _amount_param("Largest amount (in the deal's currency)."),
    "opened_from": _day_param("Opened on or after (YYYY-MM-DD)."),
    "opened_to": _day_param("Opened on or before (YYYY-MM-DD)."),
    "closed_from": _day_param("Closed on or after (YYYY-MM-DD)."),
    "closed_to": _day_param("Closed on or before (YYYY-MM-DD)."),
    # accounts
    "industry": _text_param("Industry, exactly as stored."),
    "country": _text_param("Country, exactly as stored."),
    "size": Annotated[
        str | None,
        Query(max_length=20, description=f"Employees band: one of {', '.join(SIZE_BANDS)}."),
    ],
    "tier": Annotated[
        str | None,
        Query(
            max_length=20,
            description="Tier by the avatar that scored the accounts last: A, B, C, D, "
            "disqualified or unscored.",
        ),
    ],
    # contacts
    "account_id": _id_param("Contacts with a position at this account."),
    "company": _text_param("Text in the name of the company they work at now."),
    "seniority": Annotated[Seniority | None, Query(description="Seniority band.")],
    "department": _text_param("Department, exactly as stored."),
    # more than one list
    "owner": _id_param("Owner's user id (see GET /api/v1/status)."),
    "persona": Annotated[
        str | None,
        Query(
            max_length=80,
            description="Persona key in the active persona run (see GET /api/v1/personas).",
        ),
    ],
}
"""The query parameter of each filter field: its type, bounds and description."""

F = TypeVar("F", DealFilter, AccountFilter, ContactFilter)


def filter_dependency(kind: type[F]) -> Callable[..., F]:
    """The FastAPI dependency of a list's filter: one query parameter per field of the filter
    model (in its order, typed by ``FILTER_PARAMS``), read through the model's parser
    (ranges, valid choices)."""

    def dependency(**values: Any) -> F:
        found = parse_filter(
            kind,
            {
                k: None if v is None else str(v.value if isinstance(v, Enum) else v)
                for k, v in values.items()
            },
        )
        assert isinstance(found, kind)
        return found

    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                f.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=FILTER_PARAMS[f.name],
            )
            for f in fields(kind)
        ],
        return_annotation=kind,
    )
    dependency.__name__ = dependency.__qualname__ = f"{kind.__name__.lower()}_params"
    return dependency


DealFilterDep = Annotated[DealFilter, Depends(filter_dependency(DealFilter))]
AccountFilterDep = Annotated[AccountFilter, Depends(filter_dependency(AccountFilter))]
ContactFilterDep = Annotated[ContactFilter, Depends(filter_dependency(ContactFilter))]
