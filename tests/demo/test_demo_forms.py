"""The demo's buyer interviews (a Google Forms export imported like a team's own) plant one
objection per persona, and ``journeys themes`` finds it (docs/demo-data.md, "Form answers:
conversations as evidence"); the answers are quoted on the persona cards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from buyermap.analytics.personas.quotes import quotes_for_persona
from buyermap.demo.forms import DOMINANT, FILE_NAME, QUESTIONS, build_form_answers, write_form
from buyermap.demo.journeys import build_journeys
from buyermap.io.form_answers import import_form_answers
from buyermap.seams.form_answers import answers_document, themes_document
from buyermap.seams.journeys import gaps
from buyermap.services import journeys as journeys_svc
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, list[str], int]]:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    with demo_workspace(f"sqlite:///{path}", seed=7, scale=0.1, personas=True) as ws:
        with ws.sessions() as s, s.begin():
            build_journeys(s, seed=7)
            report = build_form_answers(s, seed=7)
            assert report is not None
            assert report.rejected == 0
        with ws.sessions() as s:
            keys = [p.key for p in journeys_svc.personas(s)][:5]
        yield ws, keys, report.responses


@pytest.fixture
def session(demo: tuple[Workspace, list[str], int]) -> Iterator[Session]:
    with demo[0].sessions() as s:
        yield s


def test_each_persona_names_its_planted_objection_most(
    demo: tuple[Workspace, list[str], int], session: Session
) -> None:
    _, keys, _ = demo
    for position, key in enumerate(keys):
        doc = themes_document(session, persona=key)
        objections = [
            t for t in doc["themes"] if t["suggested"] and t["suggested"]["kind"] == "objection"
        ]
        top = max(objections, key=lambda t: t["answers"])
        assert top["suggested"]["key"] == DOMINANT[position], (key, objections)
        others = [t["answers"] for t in objections if t is not top]
        assert top["answers"] > 1.5 * max(others)


def test_the_second_personas_worry_is_the_objection_its_map_leaves_unanswered(
    demo: tuple[Workspace, list[str], int], session: Session
) -> None:
    _, keys, _ = demo
    unanswered = gaps(session).unanswered_objections
    assert [(o.persona, o.key) for o in unanswered] == [(keys[1], DOMINANT[1])]


def test_four_questions_are_mapped_to_stages_and_one_is_left_to_the_team(
    session: Session,
) -> None:
    kept = answers_document(session)["answers"]
    stage_of = {a["question"]: a["stage"] for a in kept}
    assert stage_of == {q: (stage or None) for q, stage in QUESTIONS.items()}


def test_a_second_import_of_the_same_export_changes_nothing(
    demo: tuple[Workspace, list[str], int], session: Session, tmp_path: Path
) -> None:
    _, _, responses = demo
    path = tmp_path / FILE_NAME
    assert write_form(path, session, seed=7) == responses
    report = import_form_answers(session, path=path, dry_run=True)
    assert (report.responses, report.rejected, report.to_dict()["changes"]) == (responses, 0, 0)


def test_form_answers_are_quoted_on_every_persona_card(
    demo: tuple[Workspace, list[str], int], session: Session
) -> None:
    _, keys, _ = demo
    run = journeys_svc.active_run(session)
    assert run is not None
    for key in keys:
        sources = [q.source for q in quotes_for_persona(session, run=run, key=key)]
        assert any(s.startswith("form: ") for s in sources), (key, sources)
