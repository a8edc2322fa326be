"""Personas in words (SQLite and PostgreSQL): hand-made personas, renaming a discovered
persona without losing its evidence, department sheets, the workshop pack, pictures, and
runs discovered from files kept in the workspace."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from sqlalchemy.orm import Session

from buyermap.analytics.personas import stored as runs
from buyermap.analytics.personas.synth import make_personas_data
from buyermap.db.models import Account, CommitteeMember, PersonaAssignment
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.persona_profiles import PersonaProfileCreate, PersonaProfileUpdate
from buyermap.seams import persona_profiles as seam
from buyermap.seams.personas import (
    PersonaSource,
    build_request,
    card_document,
    discover_personas,
    persona_list,
)
from buyermap.services import content as content_svc
from buyermap.services import journeys as journeys_svc
from tests.web.persona_factory import FAST_QUERY, seed_personas


def _png(color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (900, 600), color).save(buf, format="PNG")
    return buf.getvalue()


def test_it_makes_a_hand_made_persona_marked_as_not_backed_by_data(session: Session) -> None:
    made = seam.create_persona(
        session,
        PersonaProfileCreate(
            name="  Łucja Þórsdóttir-Kovács ",
            role="end_user",
            goals=["Fewer tools", "  "],
            objections=[{"objection": "Too expensive", "answer": "Priced per seat"}],
        ),
    )
    assert made.key == "h-lucja-thorsdottir-kovacs"
    assert made.name == "Łucja Þórsdóttir-Kovács"
    assert (made.origin, made.backed_by_data, made.evidence) == ("hand_made", False, None)
    assert "not backed by data" in made.note
    assert made.goals == ["Fewer tools"]
    again = seam.create_persona(session, PersonaProfileCreate(name="Łucja Þórsdóttir Kovács"))
    assert again.key == "h-lucja-thorsdottir-kovacs-2"
    shown = seam.show_persona(session, key=made.key)
    assert shown.objections[0].answer == "Priced per seat"
    assert [p.key for p in seam.hand_made_personas(session)] == [made.key, again.key]


def test_it_refuses_an_edit_started_from_an_older_version(session: Session) -> None:
    made = seam.create_persona(session, PersonaProfileCreate(name="Ilmari Häkkinen"))
    edited = seam.edit_persona(
        session, key=made.key, body=PersonaProfileUpdate(description="Runs IT", version=1)
    )
    assert edited.version == 2
    assert edited.description == "Runs IT"
    with pytest.raises(ConflictError, match="version 1"):
        seam.edit_persona(
            session, key=made.key, body=PersonaProfileUpdate(name="Ilmari", version=1)
        )
    with pytest.raises(NotFoundError, match="h-nobody"):
        seam.show_persona(session, key="h-nobody")


def test_a_renamed_discovered_persona_keeps_its_evidence(session: Session) -> None:
    seed_personas(session)
    run = runs.discover_workspace(session, query=FAST_QUERY)
    before = seam.show_persona(session, key="p1")
    assert before.origin == "discovered"
    assert before.backed_by_data
    assert before.evidence is not None
    edited = seam.edit_persona(
        session,
        key="p1",
        body=PersonaProfileUpdate(name="Zsófia Dvořák", description="Owns the data stack"),
    )
    assert edited.name == "Zsófia Dvořák"
    assert edited.evidence == before.evidence  # same size, share, stability, run, name found
    assert edited.evidence is not None
    assert edited.evidence.discovered_name == before.name
    listed = {p.key: p.name for p in persona_list(session).personas}
    assert listed["p1"] == "Zsófia Dvořák"
    card = card_document(session, key="p1")
    assert (card.name, card.discovered_name) == ("Zsófia Dvořák", before.name)
    assert card.description == "Owns the data stack"
    assert card.size == before.evidence.size
    assert runs.persona_dict(run, "p1")["name"] == before.name  # the run's result unchanged


def test_sheets_per_department_say_where_the_persona_sits_in_committees(
    session: Session,
) -> None:
    seed_personas(session)
    run = runs.discover_workspace(session, query=FAST_QUERY)
    members = session.query(PersonaAssignment).filter_by(run_id=run.id, persona_key="p1").all()
    account = Account(name="Hrafnkell ehf.")
    session.add(account)
    session.flush()
    for i, member in enumerate(members[:4]):
        role = "champion" if i < 3 else "blocker"
        session.add(CommitteeMember(account_id=account.id, contact_id=member.contact_id, role=role))
    session.flush()
    sales = seam.persona_sheet(session, key="p1", department="sales")
    committee = next(s for s in sales.sections if s.heading.startswith("Where they sit"))
    assert committee.lines == [
        "Champion: 3 of 4 committee seats (75%)",
        "Blocker: 1 of 4 committee seats (25%)",
    ]
    marketing = seam.persona_sheet(session, key="p1", department="marketing")
    journey = next(s for s in marketing.sections if "journey" in s.heading)
    assert journey.lines == []
    assert "No journey map" in journey.empty
    hand = seam.create_persona(
        session,
        PersonaProfileCreate(
            name="Ewa", role="end_user", questions=["How do I export?"],
            objections=[{"objection": "Another tool"}],
        ),
    )  # fmt: skip
    support = seam.persona_sheet(session, key=hand.key, department="support")
    assert not support.backed_by_data
    assert support.sections[0].lines == ["How do I export?"]
    assert "end user calls" in support.sections[1].lines[0]
    hand_sales = seam.persona_sheet(session, key=hand.key, department="sales")
    assert "Another tool -> (no answer yet)" in hand_sales.sections[1].lines
    with pytest.raises(InvalidValueError, match="finance"):
        seam.persona_sheet(session, key=hand.key, department="finance")  # type: ignore[arg-type]


def test_the_workshop_pack_holds_four_sheets_per_persona(session: Session) -> None:
    seed_personas(session)
    runs.discover_workspace(session, query=FAST_QUERY)
    seam.create_persona(session, PersonaProfileCreate(name="Ágnes"))
    data, count = seam.workshop_pack(session)
    assert count == 4
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") == 16 or (
        data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 16
    )
    assert seam.workshop_pack(session)[0] == data  # deterministic bytes


def _mapped_persona(session: Session) -> str:
    made = seam.create_persona(session, PersonaProfileCreate(name="Ágnes Kovács"))
    journeys_svc.ensure_journey(session, persona=made.key, template="seed5")
    for kind, text, key, ref in (
        ("task", "Porovnat tři nabídky", "", ""),
        ("objection", "Za drahé pro nás", "cena", ""),
        ("answer", "Kalkulačka návratnosti", "", "cena"),
        ("objection", "Bezpečnostní audit trvá", "audit", ""),
    ):
        journeys_svc.add_line(
            session, persona=made.key, stage="purchase", kind=kind, text=text, key=key, ref=ref
        )
    content_svc.add_asset(
        session,
        data={
            "title": "Případová studie: Brno",
            "url": "https://example.cz/brno",
            "personas": [made.key],
            "stages": ["education"],
        },
    )
    return made.key


def test_the_sheets_read_the_persona_journey_map(session: Session) -> None:
    key = _mapped_persona(session)
    marketing = seam.persona_sheet(session, key=key, department="marketing")
    content = next(s for s in marketing.sections if s.heading.startswith("Content per stage"))
    assert "Education: 1 piece: Případová studie: Brno" in content.lines
    assert any(line.startswith("Purchase: no content yet") for line in content.lines)
    sales = seam.persona_sheet(session, key=key, department="sales")
    objections = next(s for s in sales.sections if s.heading.startswith("Objections"))
    assert objections.lines == [
        "Za drahé pro nás (Purchase) -> Kalkulačka návratnosti",
        "Bezpečnostní audit trvá (Purchase) -> (no answer yet)",
    ]


def test_the_pack_adds_each_persona_journey_map_as_pdf_and_as_pptx(session: Session) -> None:
    key = _mapped_persona(session)
    page = seam.journey_page(session, key=key)
    assert page is not None
    assert [s.heading for s in page.sections][-1] == "Purchase"
    assert "What holds them back: Za drahé pro nás" in page.sections[-1].lines
    pdf, count = seam.workshop_pack(session)
    assert count == 1
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 5  # 4 sheets, 1 map
    pptx, _ = seam.workshop_pack(session, format="pptx")
    deck = Presentation(io.BytesIO(pptx))
    texts = [
        " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        for slide in deck.slides
    ]
    assert len(texts) == 5
    assert "Buyer journey" in texts[-1]
    assert "Kalkulačka návratnosti" in texts[-1]
    assert "not backed by data" in texts[0]
    assert seam.workshop_pack(session, format="pptx")[0] == pptx  # deterministic bytes
    with zipfile.ZipFile(io.BytesIO(pptx)) as parts:  # not the time it was saved
        assert {info.date_time for info in parts.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    with pytest.raises(InvalidValueError, match="pptx"):
        seam.workshop_pack(session, format="key")


def test_the_pack_of_an_empty_workspace_says_what_to_do(session: Session) -> None:
    with pytest.raises(NotFoundError, match="personas create"):
        seam.workshop_pack(session)


def test_an_uploaded_picture_is_stored_and_a_bad_one_refused(session: Session) -> None:
    made = seam.create_persona(session, PersonaProfileCreate(name="Jiří"), picture_bytes=_png())
    assert made.uploaded_picture
    stored = seam.picture(session, key=made.key)
    assert stored is not None
    assert Image.open(io.BytesIO(stored)).size == (512, 341)
    with pytest.raises(InvalidValueError, match="not a picture"):
        seam.edit_persona(
            session, key=made.key, body=PersonaProfileUpdate(), picture_bytes=b"not an image"
        )


def test_a_run_from_a_file_is_kept_in_the_workspace(session: Session, tmp_path: Path) -> None:
    data = make_personas_data(400, seed=3)
    path = tmp_path / "survey.csv"
    data.frame.write_csv(path)
    request = build_request(k=3, restarts=2, bootstrap=2, variables=list(data.bases[:6]))
    found = discover_personas(
        session, request, source=PersonaSource(path=path, id_column="contact_id")
    )
    assert found.run is not None
    assert found.document.run.path is None  # no runs/ folder
    assert found.run.source == "file:survey.csv"
    assert found.run.inputs_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not found.run.is_active
    assert [r.run_key for r in runs.list_runs(session)] == [found.run.run_key]
    assert runs.active_run(session) is None  # a file's rows are not the contacts


@pytest.mark.parametrize("item", [["a list"], 7, {"a": "dict"}])
def test_a_goal_that_is_not_text_is_refused_by_name_not_crashed_on(item: object) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as refused:
        PersonaProfileCreate.model_validate({"name": "Ola", "goals": ["  grow  ", item]})
    assert refused.value.errors()[0]["loc"] == ("goals", 1)


def test_goals_are_stripped_and_blank_ones_left_out() -> None:
    made = PersonaProfileCreate.model_validate({"name": " Ola ", "goals": ["  grow  ", "   "]})
    assert (made.name, made.goals) == ("Ola", ["grow"])
