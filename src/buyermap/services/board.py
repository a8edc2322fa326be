"""The pipeline board: a pipeline's open stages as columns of open deals.

What a board needs in one place: the columns (open stages in order) with their deal
count and summed amount per currency over every deal in the stage, the cards (up to
``limit`` per column, largest amount first) with when each deal entered its stage, and
the stages a card can move to (previous and next open stage, won, lost).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from buyermap.db.models import Deal, LostReason, Pipeline, Stage, StageChange
from buyermap.domain.enums import DealStatus, StageKind
from buyermap.services.pipelines import default_pipeline, get_pipeline

CARDS_PER_COLUMN = 100


@dataclass(frozen=True, slots=True)
class BoardCard:
    deal: Deal
    entered_at: datetime | None  # when the deal entered its current stage

    def days_in_stage(self, now: datetime) -> float | None:
        if self.entered_at is None:
            return None
        return max((now - self.entered_at).total_seconds(), 0.0) / 86400


@dataclass(slots=True)
class BoardColumn:
    stage: Stage
    previous: Stage | None
    next: Stage | None
    count: int = 0
    amounts: dict[str, float] = field(default_factory=dict)  # currency -> summed amount
    cards: list[BoardCard] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    won: Stage | None
    lost: list[Stage]

    def column_of(self, stage_id: int | None) -> BoardColumn | None:
        return next((c for c in self.columns if c.stage.id == stage_id), None)


def open_stages(pipeline: Pipeline) -> list[Stage]:
    """The stages a deal can be moved into, in order (retired stages left out)."""
    return [s for s in sorted(pipeline.stages, key=lambda s: s.position) if s.closed_at is None]


def pipeline_board(
    session: Session, *, pipeline_id: int | None = None, limit: int = CARDS_PER_COLUMN
) -> Board:
    """The board of a pipeline (the default one when ``pipeline_id`` is None)."""
    pipeline = (
        default_pipeline(session)
        if pipeline_id is None
        else get_pipeline(session, pipeline_id=pipeline_id)
    )
    stages = open_stages(pipeline)
    columns_stages = [s for s in stages if s.kind == StageKind.OPEN]
    columns = [
        BoardColumn(
            stage=stage,
            previous=columns_stages[i - 1] if i > 0 else None,
            next=columns_stages[i + 1] if i + 1 < len(columns_stages) else None,
        )
        for i, stage in enumerate(columns_stages)
    ]
    by_stage = {c.stage.id: c for c in columns}
    open_deal = (Deal.pipeline_id == pipeline.id, Deal.status == DealStatus.OPEN.value)
    totals = session.execute(
        select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount))
        .where(*open_deal)
        .group_by(Deal.stage_id, Deal.currency)
    ).all()
    for stage_id, currency, count, amount in totals:
        column = by_stage.get(stage_id) if stage_id is not None else None
        if column is None:
            continue
        column.count += int(count)
        if amount is not None:
            column.amounts[currency] = column.amounts.get(currency, 0.0) + float(amount)
    cards: dict[int, list[Deal]] = defaultdict(list)
    for column in columns:
        cards[column.stage.id] = list(
            session.scalars(
                select(Deal)
                .options(selectinload(Deal.account))
                .where(*open_deal, Deal.stage_id == column.stage.id)
                .order_by(Deal.amount.desc().nulls_last(), Deal.id)
                .limit(limit)
            )
        )
    ids = [d.id for deals in cards.values() for d in deals]
    entered: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(StageChange.deal_id, func.max(StageChange.changed_at))
            .where(StageChange.deal_id.in_(chunk))
            .group_by(StageChange.deal_id)
        ).all()
        entered |= {row[0]: row[1] for row in rows}
    for stage_id, deals in cards.items():
        by_stage[stage_id].cards = [BoardCard(deal=d, entered_at=entered.get(d.id)) for d in deals]
    won = next((s for s in stages if s.kind == StageKind.WON), None)
    lost = [s for s in stages if s.kind == StageKind.LOST]
    return Board(pipeline=pipeline, columns=columns, won=won, lost=lost)


def lost_reason_names(session: Session) -> list[str]:
    """The lost reasons recorded so far, by name (suggestions for a lost move)."""
    return list(session.scalars(select(LostReason.name).order_by(LostReason.name)))
