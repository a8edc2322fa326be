"""The demo's journeys and content library plant five gaps, and the gaps analysis finds
exactly them (docs/demo-data.md, "Journeys and content"). SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from buyermap.demo.journeys import build_journeys
from buyermap.demo.personas import PERSONA_KEYS
from buyermap.seams.journeys import gaps


def test_the_gaps_find_the_five_planted_gaps(session: Session) -> None:
    maps, assets = build_journeys(session, seed=7)
    assert (maps, assets) == (5, 150)
    k = list(PERSONA_KEYS)
    result = gaps(session)
    assert [(o.persona, o.key) for o in result.unanswered_objections] == [(k[1], "security_review")]
    empty = [(c.persona, c.stage) for c in result.cells if c.content_count == 0]
    assert empty == [(k[0], "consensus"), (k[3], "requirements_building")]
    outbound_only = [
        (c.persona, c.stage) for c in result.cells if c.content_count and not c.inbound
    ]
    assert outbound_only == [(k[2], "supplier_selection")]
    assert [(q.persona, q.stage) for q in result.unanswered_questions] == [
        (k[3], "requirements_building")
    ]
    assert result.priorities[0].kind == "unanswered_objection"
    assert result.weighting == "equal"  # no persona run: the personas are made by hand
