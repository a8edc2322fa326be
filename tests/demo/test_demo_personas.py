"""The demo's planted personas are found by persona discovery on the workspace contacts.

The truth (``contacts.extra["_planted_persona"]``) is never read by the model; it is
only read here to score the assignments. At scale 1.0 (8,078 contacts) the demo settings
give k = 5 and ARI 0.999 (docs/personas.md); this test uses scale 0.25 (1,972 contacts).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.personas import stored as svc
from buyermap.db.models import Contact, PersonaAssignment
from buyermap.demo import build_demo
from buyermap.demo.personas import PERSONAS
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings

SCALE = 0.25


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    ws = open_workspace(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('dp')}/d.db"))
    with ws.sessions() as s, s.begin():
        build_demo(s, seed=7, scale=SCALE)
        svc.discover_workspace(s, query=svc.DEMO_QUERY)
    with ws.sessions() as s:
        yield s
    ws.engine.dispose()


def test_the_planted_personas_are_found(demo_session: Session) -> None:
    run = svc.active_run(demo_session)
    assert run is not None
    assert run.k == len(PERSONAS) == 5
    truth = {c.id: c.extra["_planted_persona"] for c in demo_session.scalars(select(Contact))}
    assigned = demo_session.scalars(
        select(PersonaAssignment).where(PersonaAssignment.run_id == run.id)
    ).all()
    assert len(assigned) == len(truth)
    ari = adjusted_rand_score(
        [truth[a.contact_id] for a in assigned], [a.persona_key for a in assigned]
    )
    assert ari >= 0.8
    assert all(p.stability is not None and p.stability >= 0.6 for p in run.personas)


def test_demo_persona_cards_have_quotes_and_themes(demo_session: Session) -> None:
    from buyermap.analytics.personas.cards import persona_card

    run = svc.active_run(demo_session)
    assert run is not None
    for p in run.personas:
        card = persona_card(demo_session, run=run, key=p.key)
        assert len(card.quotes) >= 3
        assert card.themes["goal"], p.key
