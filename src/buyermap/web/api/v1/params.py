"""Query parameters shared by every list endpoint: q, sort, page, page_size, and the
filters of the accounts, contacts and deals lists.

A page past the last one answers 200 with no items and the ``total``, so a client can tell
an emptied list (total 0) from a page too far (total > 0) and ask for the last page,
``ceil(total / page_size)``; the web pages show that last page instead, with a message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator

from buyermap.domain.enums import DealStatus, Seniority
from buyermap.schemas.common import MAX_INT, Page, valid_text
from buyermap.services.filters import (
    SIZE_BANDS,
    AccountFilter,
    AnyFilter,
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


def _filter_of(kind: type[AnyFilter], values: dict[str, Any]) -> AnyFilter:
    """Typed query parameters through the list's filter model (ranges, valid choices)."""
    return parse_filter(kind, {k: None if v is None else str(v) for k, v in values.items()})


def _text_param(what: str) -> Any:
    return Query(max_length=200, description=what)


OwnerParam = Annotated[
    int | None, Query(ge=1, le=MAX_INT, description="Owner's user id (see GET /api/v1/status).")
]
PersonaParam = Annotated[
    str | None,
    Query(
        max_length=80,
        description="Persona key in the active persona run (see GET /api/v1/personas).",
    ),
]


def deal_filter(
    pipeline: Annotated[str | None, _text_param("Pipeline name.")] = None,
    stage: Annotated[
        str | None, _text_param("Stage name (in any pipeline, or in `pipeline` when given).")
    ] = None,
    owner: OwnerParam = None,
    status: Annotated[DealStatus | None, Query(description="open, won or lost.")] = None,
    amount_min: Annotated[
        float | None, Query(ge=0, le=1e15, description="Smallest amount (in the deal's currency).")
    ] = None,
    amount_max: Annotated[
        float | None, Query(ge=0, le=1e15, description="Largest amount (in the deal's currency).")
    ] = None,
    opened_from: Annotated[
        date | None, Query(description="Opened on or after (YYYY-MM-DD).")
    ] = None,
    opened_to: Annotated[
        date | None, Query(description="Opened on or before (YYYY-MM-DD).")
    ] = None,
    closed_from: Annotated[
        date | None, Query(description="Closed on or after (YYYY-MM-DD).")
    ] = None,
    closed_to: Annotated[
        date | None, Query(description="Closed on or before (YYYY-MM-DD).")
    ] = None,
) -> DealFilter:
    found = _filter_of(
        DealFilter,
        {
            "pipeline": pipeline,
            "stage": stage,
            "owner": owner,
            "status": status.value if status else None,
            "amount_min": amount_min,
            "amount_max": amount_max,
            "opened_from": opened_from,
            "opened_to": opened_to,
            "closed_from": closed_from,
            "closed_to": closed_to,
        },
    )
    assert isinstance(found, DealFilter)
    return found


def account_filter(
    industry: Annotated[str | None, _text_param("Industry, exactly as stored.")] = None,
    country: Annotated[str | None, _text_param("Country, exactly as stored.")] = None,
    owner: OwnerParam = None,
    size: Annotated[
        str | None,
        Query(max_length=20, description=f"Employees band: one of {', '.join(SIZE_BANDS)}."),
    ] = None,
    persona: PersonaParam = None,
) -> AccountFilter:
    found = _filter_of(
        AccountFilter,
        {
            "industry": industry,
            "country": country,
            "owner": owner,
            "size": size,
            "persona": persona,
        },
    )
    assert isinstance(found, AccountFilter)
    return found


def contact_filter(
    account_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Contacts with a position at this account.")
    ] = None,
    company: Annotated[
        str | None, _text_param("Text in the name of the company they work at now.")
    ] = None,
    seniority: Annotated[Seniority | None, Query(description="Seniority band.")] = None,
    department: Annotated[str | None, _text_param("Department, exactly as stored.")] = None,
    persona: PersonaParam = None,
) -> ContactFilter:
    found = _filter_of(
        ContactFilter,
        {
            "account_id": account_id,
            "company": company,
            "seniority": seniority.value if seniority else None,
            "department": department,
            "persona": persona,
        },
    )
    assert isinstance(found, ContactFilter)
    return found


DealFilterDep = Annotated[DealFilter, Depends(deal_filter)]
AccountFilterDep = Annotated[AccountFilter, Depends(account_filter)]
ContactFilterDep = Annotated[ContactFilter, Depends(contact_filter)]
