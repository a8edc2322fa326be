"""Journeys in headless Chromium: edit a cell of the grid, add an answer to an objection,
and the gap leaves the heatmap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from buyermap.services import journeys as svc
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def journeys_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-journeys"), scale=0.02) as app:
        yield app


def test_a_user_edits_a_map_and_the_gap_leaves_the_heatmap(
    journeys_app: LiveApp, page: Any
) -> None:
    base = journeys_app.base_url
    with journeys_app.workspace.sessions() as session, session.begin():
        journey = svc.ensure_journey(session, persona="pénzügyi_igazgató", template="seed5")
        svc.add_line(
            session,
            persona=journey.persona_key,
            stage="education",
            kind="objection",
            key="cena",
            text="Za drahé pro nás",
        )
        svc.add_line(
            session,
            persona=journey.persona_key,
            stage="purchase",
            kind="task",
            text="Poprosić o ofertę",
        )
    page.goto(f"{base}/journeys")
    cell = page.locator('tr[data-cell="pénzügyi_igazgató/education"] .unanswered')
    assert cell.inner_text() == "1"
    assert "unanswered objection" in page.locator(".priorities").inner_text()
    assert page.locator("#gaps svg").count() == 1

    page.get_by_role("link", name="Pénzügyi igazgató").click()
    page.wait_for_url("**/journeys/*")
    task = page.locator('td[data-stage="purchase"] .line-edit input[name="text"]')
    task.fill("Poprosić o ofertę w złotych")
    page.locator('td[data-stage="purchase"] .line-edit button').click()
    page.wait_for_url("**/journeys/*")
    assert page.locator(
        'td[data-stage="purchase"] .line-edit input[name="text"]'
    ).input_value() == ("Poprosić o ofertę w złotych")

    page.select_option('.add-line select[name="stage"]', "education")
    page.select_option('.add-line select[name="kind"]', "answer")
    page.fill('.add-line input[name="text"]', "Kalkulačka návratnosti")
    page.select_option('.add-line select[name="ref"]', "cena")
    page.get_by_role("button", name="Add line").click()
    page.wait_for_url("**/journeys/*")
    answers = page.locator('tr[data-kind="answer"] td[data-stage="education"]').inner_text()
    assert "answers cena" in answers
    assert "added" in page.locator("#history").inner_text()

    page.goto(f"{base}/journeys")
    assert (
        page.locator('tr[data-cell="pénzügyi_igazgató/education"] .unanswered').inner_text() == "0"
    )
    assert "Every objection has an answer or content" in page.locator("#gaps").inner_text()
