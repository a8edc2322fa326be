"""Form answers in headless Chromium: upload a Polish Google Forms export written in
Windows-1250, see the bad row set aside, import the good ones, file a question under a
stage, add a keyword rule and find its theme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from buyermap.db.models import FormAnswer
from buyermap.services import journeys as svc
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser

QUESTION = "Co prawie powstrzymało Państwa przed zakupem?"
EXPORT = (
    f"Sygnatura czasowa,Adres e-mail,{QUESTION}\r\n"
    "2026/09/14 9:15:02 AM GMT+2,anna.wisniewska@example.pl,Cena była za wysoka dla nas\r\n"
    "2026/09/15 1:05:40 PM GMT+2,lukasz.zolc@example.pl,Ceny licencji i wdrożenia\r\n"
    ",brak.czasu@example.pl,Zbyt wysoka cena na start\r\n"
    '2026/09/17 4:44:12 PM GMT+2,marta.dabrowska@example.pl,"Nic, zespół chciał od razu"\r\n'
)


@pytest.fixture(scope="module")
def answers_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-answers"), scale=0.02) as app:
        with app.workspace.sessions() as session, session.begin():
            svc.ensure_journey(session, persona="dyrektor_finansowy", template="seed5")
            svc.add_line(
                session,
                persona="dyrektor_finansowy",
                stage="purchase",
                kind="objection",
                key="cena",
                text="Za drogo dla firmy naszej wielkości",
            )
        yield app


def _kept(app: LiveApp) -> int:
    with app.workspace.sessions() as session:
        files = set(session.scalars(select(FormAnswer.source_file)))
        assert files <= {"ankieta.csv"}
        return int(session.scalar(select(func.count()).select_from(FormAnswer)) or 0)


def test_a_user_imports_a_form_export_maps_a_question_and_finds_a_theme(
    answers_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    export = tmp_path / "ankieta.csv"
    export.write_bytes(EXPORT.encode("cp1250"))
    page.goto(f"{answers_app.base_url}/answers")
    assert "No answers kept yet" in page.locator("#questions").inner_text()

    page.set_input_files('.answers-import input[name="file"]', str(export))
    page.select_option('.answers-import select[name="persona"]', "dyrektor_finansowy")
    page.get_by_role("button", name="Import answers").click()
    page.wait_for_load_state()
    report = page.locator("#report").inner_text()
    assert "Import of ankieta.csv" in report  # the user's file name, not the upload's
    assert "Nothing was imported" in report
    bad = page.locator(".bad-rows tbody tr")
    assert bad.count() == 1
    assert bad.first.locator("td").first.inner_text() == "4"
    assert _kept(answers_app) == 0

    page.set_input_files('.answers-import input[name="file"]', str(export))
    page.select_option('.answers-import select[name="persona"]', "dyrektor_finansowy")
    page.check('.answers-import input[name="partial"]')
    page.get_by_role("button", name="Import answers").click()
    page.wait_for_load_state()
    assert "3 answers added" in page.locator("#report").inner_text()
    assert _kept(answers_app) == 3
    row = page.locator(f'tr[data-question="{QUESTION}"]')
    assert "3 answers" in row.inner_text()  # the question, read from Windows-1250

    row.locator('select[name="stage"]').select_option("purchase")
    row.locator('select[name="objection"]').select_option("cena")
    row.get_by_role("button", name="Save").click()
    page.wait_for_url("**/answers#questions")
    row = page.locator(f'tr[data-question="{QUESTION}"]')
    assert row.locator('select[name="stage"]').input_value() == "purchase"

    page.select_option('.keyword-add select[name="kind"]', "objection")
    page.select_option('.keyword-add select[name="key"]', "cena")
    page.fill('.keyword-add input[name="word"]', "cena")
    page.get_by_role("button", name="Add keyword").click()
    page.wait_for_url("**/answers#keywords")
    theme = page.locator('#themes tr[data-source="keywords"]')
    assert theme.count() == 1
    assert "2 answers" in theme.inner_text()  # "Cena ...", "Ceny ..."; not "Nic ..."
    assert "objection cena" in theme.inner_text()
