"""Deals and their stage history.

Stage history is first-class: every move is a :class:`StageChange` row, and a deal's
current stage, status and close date are derived from its latest change, so time in
stage, the stage reached and the last stage before a loss are queries, not guesses.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from buyermap.db.models import Account, Deal, Note, Pipeline, Stage, StageChange, User
from buyermap.db.types import utcnow
from buyermap.domain.enums import DealStatus, StageKind
from buyermap.domain.pipeline import Move, StageVisit, stage_timeline
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.entities import (
    DealCreate,
    DealUpdate,
    StageChangeCreate,
    StageChangeUpdate,
)
from buyermap.services.custom_fields import validate_custom
from buyermap.services.external_refs import drop_external_refs
from buyermap.services.filters import DealFilter, apply_deal_filter, deal_stage_owner_search
from buyermap.services.listing import Listed, ListQuery, ListSpec, all_rows, run_list
from buyermap.services.pipelines import (
    default_pipeline,
    find_stage,
    get_or_create_lost_reason,
    get_pipeline,
)
from buyermap.services.references import require_ref
from buyermap.services.versions import check_delete_version, check_version, take_version

DEAL_SORTS = {
    "name": Deal.name,
    "amount": Deal.amount,
    "opened_at": Deal.opened_at,
    "expected_close": Deal.expected_close,
    "status": Deal.status,
    "id": Deal.id,
}
# search also finds a stage name or an owner's name
DEAL_LIST = ListSpec(
    sortable=DEAL_SORTS,
    searchable=[Deal.name, Deal.source],
    default_sort="-opened_at",
    tiebreak=Deal.id,
    search=deal_stage_owner_search,
)


def get_deal(session: Session, *, deal_id: int) -> Deal:
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFoundError(f"no deal with id {deal_id}")
    return deal


def _check_account(session: Session, account_id: int | None) -> None:
    require_ref(session, Account, account_id, field="account_id")


def _check_stage_open(stage: Stage) -> None:
    if stage.closed_at is not None:
        open_names = ", ".join(s.name for s in stage.pipeline.stages if s.closed_at is None)
        raise ConflictError(
            f"stage {stage.name!r} of pipeline {stage.pipeline.name!r} is closed: no deal "
            f"moves into it; open stages: {open_names}"
        )


def create_deal(session: Session, *, data: DealCreate) -> Deal:
    """Create a deal in its first (or given) stage; the entry is its first stage change."""
    _check_account(session, data.account_id)
    require_ref(session, User, data.owner_id, field="owner_id")
    require_ref(session, Pipeline, data.pipeline_id, field="pipeline_id")
    pipeline = (
        get_pipeline(session, pipeline_id=data.pipeline_id)
        if data.pipeline_id is not None
        else default_pipeline(session)
    )
    if pipeline.closed_at is not None:
        raise ConflictError(
            f"pipeline {pipeline.name!r} is closed: no new deals enter it; "
            "reopen it or use another pipeline"
        )
    if data.stage:
        stage = find_stage(session, pipeline=pipeline, name=data.stage)
        _check_stage_open(stage)
    else:
        stage = next(s for s in pipeline.stages if s.closed_at is None)
    opened = data.opened_at or utcnow()
    deal = Deal(
        name=data.name,
        account_id=data.account_id,
        pipeline_id=pipeline.id,
        amount=data.amount,
        currency=data.currency,
        owner_id=data.owner_id,
        source=data.source,
        channel=data.channel,
        expected_close=data.expected_close,
        opened_at=opened,
        custom=validate_custom(session, entity="deal", values=data.custom),
        # the state its first stage change derives (see refresh_deal_state), set before the
        # first flush so a new deal is saved once and starts at version 1
        stage_id=stage.id,
        status=stage.kind,
        closed_at=opened if stage.kind != StageKind.OPEN else None,
    )
    session.add(deal)
    session.flush()
    session.add(
        StageChange(deal_id=deal.id, to_stage_id=stage.id, changed_at=opened, amount=data.amount)
    )
    session.flush()
    return deal


def update_deal(session: Session, *, deal_id: int, data: DealUpdate) -> Deal:
    deal = get_deal(session, deal_id=deal_id)
    changes = data.model_dump(exclude_unset=True)
    check_version(deal, expected=take_version(changes), changes=changes, what="deal")
    if "account_id" in changes:
        _check_account(session, changes["account_id"])
    if "owner_id" in changes:
        require_ref(session, User, changes["owner_id"], field="owner_id")
    if changes.get("custom") is not None:
        changes["custom"] = validate_custom(
            session, entity="deal", values={**deal.custom, **changes["custom"]}
        )
    for key, value in changes.items():
        setattr(deal, key, value)
    session.flush()
    return deal


def delete_deal(session: Session, *, deal_id: int, expected_version: int | None = None) -> None:
    """Delete a deal with its history, its own notes and committee; notes also about an
    account or contact stay, unlinked from the deal.

    ``expected_version``: the version the user saw; a stale one is refused (409).
    """
    deal = get_deal(session, deal_id=deal_id)
    check_delete_version(deal, expected=expected_version, what="deal")
    session.execute(
        update(Note)
        .where(
            Note.deal_id == deal_id,
            or_(Note.account_id.is_not(None), Note.contact_id.is_not(None)),
        )
        .values(deal_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.delete(deal)
    drop_external_refs(session, entity="deal", entity_id=deal_id)
    session.flush()


def move_deal(session: Session, *, data: StageChangeCreate) -> StageChange:
    """Move a deal into a stage at a time (now by default). Moves cannot go back in time."""
    deal = get_deal(session, deal_id=data.deal_id)
    require_ref(session, User, data.changed_by_id, field="changed_by_id")
    stage = find_stage(session, pipeline=deal.pipeline, name=data.to_stage)
    _check_stage_open(stage)
    at = data.changed_at or utcnow()
    last = session.scalar(
        select(StageChange)
        .where(StageChange.deal_id == deal.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(1)
    )
    if last is not None and at < last.changed_at:
        raise InvalidValueError(
            f"move at {at.isoformat()} is earlier than the deal's last change at "
            f"{last.changed_at.isoformat()}; record moves in time order"
        )
    if data.lost_reason:
        if stage.kind != StageKind.LOST:
            raise InvalidValueError(
                f"a lost reason was given but {stage.name!r} is not a lost stage"
            )
        deal.lost_reason_id = get_or_create_lost_reason(session, name=data.lost_reason).id
    amount = data.amount if data.amount is not None else deal.amount
    change = StageChange(
        deal_id=deal.id,
        from_stage_id=last.to_stage_id if last is not None else None,
        to_stage_id=stage.id,
        changed_at=at,
        changed_by_id=data.changed_by_id,
        amount=amount,
    )
    session.add(change)
    if data.amount is not None:
        deal.amount = data.amount
    session.flush()
    refresh_deal_state(session, deal_ids=[deal.id])
    return change


def get_stage_change(session: Session, *, change_id: int) -> StageChange:
    change = session.get(StageChange, change_id)
    if change is None:
        raise NotFoundError(f"no stage change with id {change_id}")
    return change


def update_stage_change(
    session: Session, *, change_id: int, data: StageChangeUpdate
) -> StageChange:
    change = get_stage_change(session, change_id=change_id)
    changes = data.model_dump(exclude_unset=True)
    if "changed_by_id" in changes:
        require_ref(session, User, changes["changed_by_id"], field="changed_by_id")
    for key, value in changes.items():
        setattr(change, key, value)
    if changes.get("changed_at") is not None:
        change.is_snapshot = False  # someone said when the move happened: a real move now
    session.flush()
    refresh_deal_state(session, deal_ids=[change.deal_id])
    return change


def delete_stage_change(session: Session, *, change_id: int) -> None:
    change = get_stage_change(session, change_id=change_id)
    deal_id = change.deal_id
    session.delete(change)
    session.flush()
    refresh_deal_state(session, deal_ids=[deal_id])


def refresh_deal_state(session: Session, *, deal_ids: Iterable[int]) -> None:
    """Derive each deal's from-stages, current stage, status and close date from its history."""
    ids = list(dict.fromkeys(deal_ids))
    if not ids:
        return
    stages = {s.id: s for s in session.scalars(select(Stage))}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        deals = {d.id: d for d in session.scalars(select(Deal).where(Deal.id.in_(chunk)))}
        history: dict[int, list[StageChange]] = {i: [] for i in chunk}
        for change in session.scalars(
            select(StageChange)
            .where(StageChange.deal_id.in_(chunk))
            .order_by(StageChange.deal_id, StageChange.changed_at, StageChange.id)
        ):
            history[change.deal_id].append(change)
        for deal_id, changes in history.items():
            deal = deals[deal_id]
            previous: int | None = None
            for change in changes:
                if change.from_stage_id != previous:
                    change.from_stage_id = previous
                previous = change.to_stage_id
            if not changes:
                deal.stage_id, deal.status, deal.closed_at = None, DealStatus.OPEN.value, None
                continue
            last = changes[-1]
            kind = stages[last.to_stage_id].kind
            deal.stage_id = last.to_stage_id
            deal.status = kind
            # a snapshot only saw the deal closed at an import: when it closed is unknown
            closed = kind != StageKind.OPEN and not last.is_snapshot
            deal.closed_at = last.changed_at if closed else None
    session.flush()


def list_deals(
    session: Session,
    *,
    query: ListQuery,
    account_id: int | None = None,
    status: DealStatus | None = None,
    filters: DealFilter | None = None,
    clamp: bool = False,
) -> Listed[Deal]:
    """A page of deals; search also finds a stage name or an owner's name."""
    return run_list(
        session,
        _deals_stmt(session, account_id=account_id, status=status, filters=filters),
        spec=DEAL_LIST,
        query=query,
        clamp=clamp,
    )


def _deals_stmt(
    session: Session,
    *,
    account_id: int | None = None,
    status: DealStatus | None = None,
    filters: DealFilter | None = None,
) -> Select[Deal]:
    # what a list renders (pages: account, stage, owner; REST: stage and lost reason names),
    # joined in the list's one statement whatever the page size (each is many-to-one)
    stmt = select(Deal).options(
        joinedload(Deal.stage),
        joinedload(Deal.account),
        joinedload(Deal.lost_reason),
        joinedload(Deal.owner),
    )
    if account_id is not None:
        stmt = stmt.where(Deal.account_id == account_id)
    if status is not None:
        stmt = stmt.where(Deal.status == status.value)
    if filters is not None:
        stmt = apply_deal_filter(session, stmt, filters)
    return stmt


def all_deals(session: Session, *, query: ListQuery, filters: DealFilter) -> list[Deal]:
    """Every deal of the list with these filters, search and sort (for exports)."""
    return all_rows(
        session,
        _deals_stmt(session, filters=filters).options(selectinload(Deal.pipeline)),
        spec=DEAL_LIST,
        query=query,
    )


def account_deals(session: Session, *, account_id: int) -> list[Deal]:
    """Every deal of an account, newest first (no paging: an account page shows them all)."""
    return list(
        session.scalars(
            select(Deal)
            .options(selectinload(Deal.stage), selectinload(Deal.lost_reason))
            .where(Deal.account_id == account_id)
            .order_by(Deal.opened_at.desc().nulls_last(), Deal.id.desc())
        )
    )


def stage_changes(session: Session, *, deal_id: int) -> list[StageChange]:
    get_deal(session, deal_id=deal_id)
    return list(
        session.scalars(
            select(StageChange)
            .options(selectinload(StageChange.to_stage), selectinload(StageChange.from_stage))
            .where(StageChange.deal_id == deal_id)
            .order_by(StageChange.changed_at, StageChange.id)
        )
    )


def deal_timeline(session: Session, *, deal_id: int) -> list[StageVisit]:
    """Each stay of the deal in a stage, with when it entered and left (a snapshot change
    marks a stay whose start, or the previous stay's end, the source did not give)."""
    moves = [
        Move(to_stage=c.to_stage.name, at=c.changed_at, amount=c.amount, snapshot=c.is_snapshot)
        for c in stage_changes(session, deal_id=deal_id)
    ]
    return stage_timeline(moves)
