"""The demo's touchpoints: contacts on deals read the content of their persona's journey,
stage by stage, around their deal's history, with two planted timing differences
(docs/demo-data.md, "Touchpoints: journey against funnel"):

1. the first persona lingers in ``requirements_building`` (about 30 days; the others
   about 10);
2. the second persona skips ``solution_exploration`` (never touches its content).

A journey's pace follows its deal's length (days from opening to closing over the 43 days
of ``DAYS``, kept between 0.5 and 3), so the first persona's stay in requirements
building is three times the others' whatever the deal. Each contact's journey starts
``LEAD_DAYS`` (times the pace) before the deal opened; at each stage they
touch one or two of their persona's assets for that stage (a stage without content, like
the first persona's ``consensus``, is passed over). Seeded: the same seed gives the same
touches.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from buyermap.db.models import CommitteeMember, ContentAsset, Deal, DealContact, Touchpoint
from buyermap.db.types import utcnow
from buyermap.demo.journeys import CHANNELS, STAGES
from buyermap.services import journeys as journeys_svc
from buyermap.services.touchpoints import persona_of_contacts

DAYS = {
    "problem_identification": 6.0,
    "solution_exploration": 8.0,
    "requirements_building": 10.0,
    "supplier_selection": 8.0,
    "validation": 6.0,
    "consensus": 5.0,
}
LINGER = ("requirements_building", 30.0)  # planted 1: the first persona
SKIP = "solution_exploration"  # planted 2: the second persona
LEAD_DAYS = 3
OPEN_DAYS = 60.0
MIN_PACE, MAX_PACE = 0.5, 3.0
MAX_CONTACTS = 1500


def _days(position: int, stage: str) -> float:
    if position == 0 and stage == LINGER[0]:
        return LINGER[1]
    return DAYS[stage]


def build_touchpoints(session: Session, *, seed: int = 7) -> int:
    """Touchpoints for the contacts with a persona of the demo's maps and a deal; returns
    how many were written (0 when no persona run assigns contacts)."""
    keys = [p.key for p in journeys_svc.personas(session)][:5]
    persona_of = persona_of_contacts(session)
    assets: dict[tuple[str, str], list[int]] = {}
    for a in session.scalars(select(ContentAsset).order_by(ContentAsset.id)):
        for persona in a.personas:
            for stage in a.stages:
                assets.setdefault((persona, stage), []).append(a.id)
    opened: dict[int, datetime] = {}
    length: dict[int, float] = {}  # days from opening to closing (open deals: OPEN_DAYS)
    for deal in session.scalars(select(Deal).where(Deal.opened_at.is_not(None))):
        start, end = deal.opened_at, deal.closed_at
        assert start is not None
        opened[deal.id] = start
        length[deal.id] = (end - start).total_seconds() / 86_400 if end else OPEN_DAYS
    deal_of: dict[int, int] = {}
    links = [
        *session.execute(select(DealContact.deal_id, DealContact.contact_id)),
        *session.execute(select(CommitteeMember.deal_id, CommitteeMember.contact_id)),
    ]
    for link_deal, contact_id in links:
        if link_deal is not None and link_deal in opened and persona_of.get(contact_id) in keys:
            deal_of.setdefault(contact_id, link_deal)
    rng = random.Random(seed * 7919 + 17)
    rows: list[dict[str, object]] = []
    now = utcnow()
    for contact_id in sorted(deal_of)[:MAX_CONTACTS]:
        persona = persona_of[contact_id]
        position = keys.index(persona)
        deal_id = deal_of[contact_id]
        # the journey spans about the deal's life (so it runs alongside the funnel); the
        # planted differences are ratios between personas, whatever the deal's length
        pace = min(MAX_PACE, max(MIN_PACE, length[deal_id] / sum(DAYS.values())))
        at = opened[deal_id] - timedelta(days=LEAD_DAYS * pace + rng.uniform(0, 2))
        for stage in STAGES:
            if position == 1 and stage == SKIP:
                continue
            span = _days(position, stage) * pace * rng.uniform(0.85, 1.15)
            pool = assets.get((persona, stage), [])
            if pool:
                picks = rng.sample(pool, min(len(pool), rng.choice((1, 2))))
                for k, asset_id in enumerate(picks):
                    rows.append(
                        {
                            "contact_id": contact_id,
                            "asset_id": asset_id,
                            "at": at + timedelta(days=span * k / 2, microseconds=-at.microsecond),
                            "channel": rng.choice(CHANNELS),
                            "source": "demo",
                            "created_at": now,
                        }
                    )
            at += timedelta(days=span)
    if rows:
        session.execute(insert(Touchpoint), rows)
        session.flush()
    return len(rows)
