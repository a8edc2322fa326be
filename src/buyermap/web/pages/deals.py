"""``/deals`` and ``/deals/{id}`` (with the stage timeline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from buyermap.db.models import Deal
from buyermap.db.types import utcnow
from buyermap.domain.enums import DealStatus, StageKind
from buyermap.domain.pipeline import StageVisit
from buyermap.errors import BuyermapError
from buyermap.seams.cache import ResultCache
from buyermap.seams.pipeline import StatsRequest, pipeline_stats
from buyermap.seams.stale import StaleFlag, stale_flag
from buyermap.services import deals as svc
from buyermap.services.filters import filter_params
from buyermap.web.analyses import CacheDep
from buyermap.web.deps import SessionDep, request_user
from buyermap.web.pages.board import move_context
from buyermap.web.pages.committee import committee_context
from buyermap.web.pages.list_tools import filter_context, listed_with, render_list
from buyermap.web.pages.listing import PageQueryDep, list_context
from buyermap.web.pages.notes import notes_context
from buyermap.web.pages.relationship_map import relmap_context
from buyermap.web.templating import render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One stay in a stage, placed on the deal's time axis (offset and width in percent)."""

    stage: str
    kind: str
    start: datetime
    end: datetime | None
    days: float
    amount: float | None
    left_pct: float
    width_pct: float
    start_known: bool = True  # False: a snapshot stay (in the stage at least since start)
    end_known: bool = True


def timeline_rows(deal: Deal, visits: list[StageVisit], now: datetime) -> list[TimelineRow]:
    """Lay visits on an axis from the first entry to the close (closed deals) or now."""
    if not visits:
        return []
    kinds = {s.name: s.kind for s in deal.pipeline.stages}
    axis_start = visits[0].start
    axis_end = deal.closed_at if deal.closed_at is not None else now
    span = max((axis_end - axis_start).total_seconds(), 1.0)
    rows = []
    for v in visits:
        kind = kinds.get(v.stage, StageKind.OPEN.value)
        stop = min(v.end if v.end is not None else axis_end, axis_end)
        left = max((v.start - axis_start).total_seconds(), 0.0) / span * 100
        width = max((stop - v.start).total_seconds(), 0.0) / span * 100
        rows.append(
            TimelineRow(
                stage=v.stage,
                kind=kind,
                start=v.start,
                end=v.end,
                days=round(v.days(now), 1),
                amount=v.amount,
                left_pct=round(min(left, 100.0), 3),
                width_pct=round(min(width, 100.0 - min(left, 100.0)), 3),
                start_known=v.start_known,
                end_known=v.end_known,
            )
        )
    return rows


def stale(
    session: Session, cache: ResultCache, deal: Deal, rows: list[TimelineRow]
) -> StaleFlag | None:
    """The deal's stale flag when it is open and has waited in its stage longer than the
    pipeline statistics say deals usually do (None when the statistics refuse)."""
    if deal.status != DealStatus.OPEN.value or not rows or deal.stage is None:
        return None
    last = rows[-1]
    try:
        stats = pipeline_stats(session, StatsRequest(), cache=cache).document
    except BuyermapError:
        return None
    return stale_flag(stats, stage=last.stage, entered=last.start, entered_known=last.start_known)


@router.get("/deals", summary="Deals")
def deals_page(request: Request, session: SessionDep, query: PageQueryDep) -> Response:
    """Deals with search, sortable columns and pages; HTMX gets the ``results`` block."""
    filters, listed, errors = listed_with(
        request, "deals", lambda f: svc.list_deals(session, query=query, filters=f, clamp=True)
    )
    context = list_context(
        request, query, listed, default_sort="-opened_at", filters=filter_params(filters)
    )
    context.update(filter_context(session, "deals", filters, errors, request))
    return render_list(request, "deals.html", context)


@router.get("/deals/{deal_id}", summary="Deal")
def deal_page(request: Request, session: SessionDep, cache: CacheDep, deal_id: int) -> Response:
    """One deal: fields, a stale flag, the stage timeline (table and bars), the buying
    committee with each member's persona, and notes."""
    deal = svc.get_deal(session, deal_id=deal_id)
    now = utcnow()
    rows = timeline_rows(deal, svc.deal_timeline(session, deal_id=deal_id), now)
    return render(
        request,
        "deal_detail.html",
        {
            "deal": deal,
            "timeline": rows,
            **committee_context(
                session, deal_id=deal_id, stale_days=request.app.state.settings.committee_stale_days
            ),
            "stale": stale(session, cache, deal, rows),
            **notes_context(session, link="deal_id", owner_id=deal_id),
            "now": now,
            **move_context(session, deal, request_user(request)),
            **(
                relmap_context(session, account_id=deal.account_id, deal_id=deal_id)
                if deal.account_id is not None
                else {}
            ),
        },
    )
