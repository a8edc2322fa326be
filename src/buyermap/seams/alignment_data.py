"""The alignment analysis's input, read from the workspace: touchpoints with their assets'
stages, contacts' personas, the pipeline's deals with their dated stage history and the
people on them (CRM deal contacts and committee members), the mapping."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.journeys.alignment import AlignmentInput, DealTrack, Touch
from buyermap.db.models import (
    CommitteeMember,
    ContentAsset,
    Deal,
    DealContact,
    Pipeline,
    Stage,
    StageChange,
    Touchpoint,
)
from buyermap.services.touchpoints import journey_stages, mapping_of, persona_of_contacts


def _deal_tracks(session: Session, pipeline: Pipeline) -> dict[int, tuple[DealTrack, ...]]:
    deals = {d.id: d for d in session.scalars(select(Deal).where(Deal.pipeline_id == pipeline.id))}
    stage_name = dict(
        session.execute(select(Stage.id, Stage.name).where(Stage.pipeline_id == pipeline.id)).all()
    )
    moves: dict[int, list[tuple[datetime, str]]] = {}
    for deal_id, at, to_stage in session.execute(
        select(StageChange.deal_id, StageChange.changed_at, StageChange.to_stage_id)
        .join(Deal, Deal.id == StageChange.deal_id)
        .where(Deal.pipeline_id == pipeline.id)
        .order_by(StageChange.deal_id, StageChange.changed_at, StageChange.id)
    ):
        if to_stage in stage_name:
            moves.setdefault(deal_id, []).append((at, stage_name[to_stage]))
    tracks = {
        did: DealTrack(
            did,
            d.opened_at,
            d.closed_at,
            tuple(moves.get(did, [])),
        )
        for did, d in deals.items()
    }
    people: dict[int, set[int]] = {}
    links = [
        *session.execute(select(DealContact.deal_id, DealContact.contact_id)),
        *session.execute(select(CommitteeMember.deal_id, CommitteeMember.contact_id)),
    ]
    for link_deal, contact_id in links:
        if link_deal is not None and link_deal in tracks:
            people.setdefault(contact_id, set()).add(link_deal)
    return {c: tuple(tracks[d] for d in sorted(ids)) for c, ids in people.items()}


def alignment_input(session: Session, *, pipeline: Pipeline | None) -> AlignmentInput:
    journey = journey_stages(session)
    stages_of = {a.id: tuple(a.stages) for a in session.scalars(select(ContentAsset))}
    touches = tuple(
        Touch(t.contact_id, t.at, stages_of.get(t.asset_id, ()), t.channel, t.id)
        for t in session.scalars(select(Touchpoint).order_by(Touchpoint.id))
    )
    if pipeline is None:
        return AlignmentInput(tuple(journey), (), {}, touches, persona_of_contacts(session))
    mapping, _ = mapping_of(session, pipeline=pipeline)
    return AlignmentInput(
        journey_stages=tuple(journey),
        funnel_stages=tuple(s.name for s in pipeline.stages),
        mapping={k: tuple(v) for k, v in mapping.items()},
        touches=touches,
        persona_of=persona_of_contacts(session),
        deals_of=_deal_tracks(session, pipeline),
    )
