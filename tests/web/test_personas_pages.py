"""Persona pages: list, card (printable, traceable), comparison, runs, contacts' personas."""

from __future__ import annotations

import re

from tests.web.persona_factory import PersonaApp

HX = {"HX-Request": "true"}


def _marketer(app: PersonaApp) -> tuple[str, str]:
    """(key, name) of the persona the marketers were assigned to."""
    listed = app.client.get("/api/v1/personas").json()["personas"]
    found = next(p for p in listed if "Marketing" in p["title"])
    return found["key"], found["name"]


def test_the_nav_links_personas_and_the_list_shows_every_persona(
    persona_app: PersonaApp,
) -> None:
    html = persona_app.client.get("/personas").text
    assert '<a href="/personas" aria-current="page">Personas</a>' in html
    keys = re.findall(r'class="card persona-tile" href="/personas/(p\d)"', html)
    assert sorted(keys) == ["p1", "p2", "p3"]
    assert "33%" in html  # 60 of 180 each
    assert persona_app.run_key in html


def test_a_persona_card_shows_name_share_traits_and_evidence(
    persona_app: PersonaApp,
) -> None:
    key, name = _marketer(persona_app)
    response = persona_app.client.get(f"/personas/{key}")
    assert response.status_code == 200
    html = response.text
    assert f"<h1>{name}</h1>" in html
    assert 'id="persona-share"><b>33%</b>' in html
    traits = html[html.index('id="traits"') : html.index('id="goals"')]
    assert 'data-variable="department"' in traits
    assert "Marketing" in traits
    assert f'href="/personas/{key}/contacts"' in traits  # every trait links to its rows
    assert "n = 60" in traits
    assert "@media print" in html  # printable


def test_the_card_has_goals_frustrations_channels_and_real_quotes(
    persona_app: PersonaApp,
) -> None:
    listed = persona_app.client.get("/api/v1/personas").json()["personas"]
    engineer = next(p for p in listed if "IT" in p["title"])
    html = persona_app.client.get(f"/personas/{engineer['key']}").text
    goals = html[html.index('id="goals"') : html.index('id="frustrations"')]
    assert 'data-tag="goal:integration"' in goals
    pains = html[html.index('id="frustrations"') : html.index('id="channels"')]
    assert 'data-tag="frustration:setup"' in pains
    channels = html[html.index('id="channels"') : html.index('id="quotes"')]
    assert 'data-variable="site_visits"' in channels
    assert "online" in channels
    quotes = html[html.index('id="quotes"') :]
    assert "The API must sync with our warehouse nightly." in quotes
    contact_ids = [int(i) for i in re.findall(r'href="/contacts/(\d+)"', quotes)]
    assert contact_ids
    assert all(persona_app.planted[i] == "engineer" for i in contact_ids)


def test_the_persona_contacts_list_is_the_rows_behind_the_card(
    persona_app: PersonaApp,
) -> None:
    key, _ = _marketer(persona_app)
    html = persona_app.client.get(f"/personas/{key}/contacts").text
    assert "1–50 of 60" in html
    ids = [int(i) for i in re.findall(r'<tr data-id="(\d+)">', html)]
    assert ids
    assert all(persona_app.planted[i] == "marketer" for i in ids)
    fragment = persona_app.client.get(f"/personas/{key}/contacts?page=2", headers=HX).text
    assert fragment.lstrip().startswith('<div id="results"')
    assert "51–60 of 60" in fragment


def test_personas_compare_side_by_side(persona_app: PersonaApp) -> None:
    html = persona_app.client.get("/personas/compare", params={"keys": ["p1", "p2"]}).text
    heads = re.findall(r'<th data-key="(p\d)">', html)
    assert heads == ["p1", "p2"]
    assert 'data-variable="department"' in html
    assert persona_app.client.get("/personas/compare?keys=p9").status_code == 404


def test_the_run_page_charts_bic_and_stability_and_runs_compare(
    persona_app: PersonaApp,
) -> None:
    html = persona_app.client.get(f"/personas/runs/{persona_app.run_key}").text
    assert "<svg" in html
    assert 'data-k="3" class="chosen"' in html
    assert persona_app.run_key[:12] in html
    runs = persona_app.client.get("/personas/runs").text
    assert f'data-run="{persona_app.run_key}"' in runs
    same = persona_app.client.get(
        "/personas/runs/compare", params={"a": persona_app.run_key, "b": persona_app.run_key}
    ).text
    assert "no drift" in same
    png = persona_app.client.get(f"/personas/runs/{persona_app.run_key}/selection.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_contacts_carry_their_persona_and_probability(persona_app: PersonaApp) -> None:
    key, name = _marketer(persona_app)
    contact_id = next(i for i, g in persona_app.planted.items() if g == "marketer")
    html = persona_app.client.get(f"/contacts/{contact_id}").text
    shown = html[html.index('id="persona"') :]
    assert f'<a href="/personas/{key}">{name}</a>' in shown
    assert re.search(r"\((100|9\d)% likely to belong", shown)
    listing = persona_app.client.get("/contacts", params={"q": "Marketer1"}).text
    assert f'<td class="persona"><a href="/personas/{key}"' in listing


def test_the_avatar_is_a_deterministic_png(persona_app: PersonaApp) -> None:
    first = persona_app.client.get("/personas/p1/avatar.png").content
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert persona_app.client.get("/personas/p1/avatar.png").content == first


def test_an_unknown_persona_or_run_is_a_404_page(persona_app: PersonaApp) -> None:
    missing = persona_app.client.get("/personas/p9")
    assert missing.status_code == 404
    assert "no persona &#39;p9&#39;" in missing.text or "no persona 'p9'" in missing.text
    assert persona_app.client.get("/personas/runs/nope").status_code == 404
