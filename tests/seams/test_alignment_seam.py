"""Journey against funnel on SQLite and PostgreSQL: the known-answer matrix, share off the
mapping and time per stage of the hand-built case (tests/seams/alignment_world.py, with
back and forth), the mapping declared and reset, the CLI contract."""

from __future__ import annotations

from typing import Any

import pytest

from buyermap.db.models import PersonaAssignment, PersonaRun
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.seams.alignment import alignment_document, mapping_document, set_mapping_document
from buyermap.services import persona_profiles as profiles_svc
from buyermap.services.workspace import Workspace
from tests.seams.alignment_world import COLUMNS, COUNTS, OFF_SHARE, ROWS, seed_world


@pytest.fixture
def world(workspace: Workspace) -> Workspace:
    with workspace.sessions() as s, s.begin():
        seed_world(s)
    return workspace


def _stages(doc: dict[str, Any], persona: str) -> dict[str, dict[str, Any]]:
    (entry,) = [p for p in doc["time_in_stage_by_persona"] if p["persona"] == persona]
    return {st["stage"]: st for st in entry["stages"]}


def test_the_matrix_and_share_off_the_mapping_have_their_known_answers(world: Workspace) -> None:
    with world.sessions() as s:
        doc = alignment_document(s)
    assert doc["matrix"]["rows"] == ROWS
    assert doc["matrix"]["columns"] == COLUMNS
    assert doc["matrix"]["counts"] == COUNTS
    assert doc["off_mapping_share"] == OFF_SHARE
    assert doc["touchpoints"] == 14
    assert doc["matched"] == 12
    assert doc["unmatched"] == {"no_journey_stage": 0, "no_deal": 2, "no_funnel_stage": 0}
    assert doc["mapping_origin"] == "default"
    assert doc["mapping"]["purchase"] == ["Proposal", "Won"]
    assert doc["unassigned_contacts"] == 1


def test_time_in_stage_by_persona_has_its_known_medians_and_counts(world: Workspace) -> None:
    with world.sessions() as s:
        doc = alignment_document(s)
    it = _stages(doc, "it")
    # Anna 3 + 3 days (two visits), Cyril 4 days: median of 6 and 4
    assert (it["problem_awareness"]["median_days"], it["problem_awareness"]["contacts"]) == (5, 2)
    assert it["problem_awareness"]["visits"] == 3
    assert (it["concept_search"]["median_days"], it["concept_search"]["visits"]) == (14, 2)
    assert it["concept_search"]["skipped"] == 1  # Cyril went straight to education
    assert it["education"]["median_days"] == 19  # Anna 10 + 9; Cyril's visit is still open
    assert it["purchase"]["median_days"] is None
    fin = _stages(doc, "fin")
    assert fin["problem_awareness"]["median_days"] == 10
    assert fin["concept_search"]["contacts"] == 0
    assert fin["concept_search"]["skipped"] == 1
    assert "days" in fin["education"]["words"]


def test_a_persona_filter_keeps_only_its_contacts(world: Workspace) -> None:
    with world.sessions() as s:
        doc = alignment_document(s, persona="fin")
        assert doc["touchpoints"] == 3
        assert doc["matrix"]["counts"][0][0] == 1
        with pytest.raises(NotFoundError, match="valid personas: it, fin"):
            alignment_document(s, persona="nobody")
        with pytest.raises(NotFoundError, match="valid pipelines: Sales"):
            alignment_document(s, pipeline="Renewals")


def test_a_declared_mapping_changes_the_share_off_it(world: Workspace) -> None:
    with world.sessions() as s, s.begin():
        doc = set_mapping_document(s, journey_stage="education", funnel=["lead", "Qualified"])
        assert doc["origin"] == "declared"
        assert doc["mapping"]["education"] == ["Lead", "Qualified"]
    with world.sessions() as s:
        # education x Lead (2) and x Qualified (1) are on it now; x Demo (1) is off
        assert alignment_document(s)["off_mapping_share"] == round(5 / 12, 4)
        assert mapping_document(s)["mapping"]["education"] == ["Lead", "Qualified"]


def test_a_mapping_naming_an_unknown_stage_is_refused_with_the_valid_ones(
    world: Workspace,
) -> None:
    with world.sessions() as s, s.begin():
        with pytest.raises(InvalidValueError, match=r"'Closing'.*Lead, Qualified, Demo"):
            set_mapping_document(s, journey_stage="education", funnel=["Closing"])
        with pytest.raises(InvalidValueError, match="'onboarding' is not one of"):
            set_mapping_document(s, journey_stage="onboarding", funnel=["Lead"])


def test_no_touchpoints_give_an_empty_document_that_says_what_to_do(workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s, touches=False)
    with workspace.sessions() as s:
        doc = alignment_document(s)
    assert doc["empty"]
    assert doc["off_mapping_share"] is None
    assert "import touchpoints" in doc["words"]


def test_a_contact_placed_in_a_hand_made_persona_counts_under_it(workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        people = seed_world(s)
        # the persona is a hand-made persona profile; contacts placed in it stay in the
        # hand-made run (the only run a hand-made persona's assignments can sit in)
        profiles_svc.create_hand_made(s, values={"name": "Nákupčí"}, key="nakupci")
        hand = PersonaRun(run_key="hand-made", inputs_hash="0" * 64, version="hand", k=0, n=1)
        s.add(hand)
        s.flush()
        s.add(
            PersonaAssignment(
                run_id=hand.id, contact_id=people["zofie"], persona_key="nakupci", probability=1
            )
        )
    with workspace.sessions() as s:
        doc = alignment_document(s)
    assert doc["unassigned_contacts"] == 0
    (entry,) = [p for p in doc["time_in_stage_by_persona"] if p["persona"] == "nakupci"]
    assert entry["name"] == "Nákupčí"
