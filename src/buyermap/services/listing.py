"""Search, sort and pagination shared by every list (CLI, pages, REST API)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from buyermap.errors import InvalidValueError

T = TypeVar("T")

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list asks for. ``sort`` is a field name, ``-name`` for descending."""

    q: str | None = None
    sort: str | None = None
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.page_size - 1) // self.page_size, 1)


def run_list(
    session: Session,
    stmt: Select[T],
    *,
    query: ListQuery,
    sortable: Mapping[str, InstrumentedAttribute[Any] | ColumnElement[Any]],
    searchable: Sequence[InstrumentedAttribute[Any]],
    default_sort: str,
    tiebreak: InstrumentedAttribute[Any],
) -> Listed[T]:
    if query.page < 1:
        raise InvalidValueError(f"page {query.page} is not valid; pages start at 1")
    if not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidValueError(
            f"page size {query.page_size} is not valid; use 1 to {MAX_PAGE_SIZE}"
        )
    sort = query.sort or default_sort
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in sortable:
        raise InvalidValueError(
            f"cannot sort by {key!r}; sort by one of: {', '.join(sorted(sortable))}"
        )
    if query.q and query.q.strip():
        pattern = f"%{query.q.strip().lower()}%"
        stmt = stmt.where(or_(*(func.lower(col).like(pattern) for col in searchable)))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    column = sortable[key]
    order = column.desc() if descending else column.asc()
    tie = tiebreak.desc() if descending else tiebreak.asc()
    rows = session.scalars(
        stmt.order_by(order, tie).limit(query.page_size).offset((query.page - 1) * query.page_size)
    ).all()
    return Listed(items=list(rows), total=total, page=query.page, page_size=query.page_size)
