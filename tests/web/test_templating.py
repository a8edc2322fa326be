"""The template environment: a name the context lacks is an error, not an empty string;
every page renders (and its HTMX fragment) on an empty workspace under that rule."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from jinja2 import UndefinedError

from buyermap.web.templating import templates

ROW = "<td>{{ deal.name }}</td><td>{{ owner }}</td>"


def test_a_template_renders_when_the_context_has_every_name() -> None:
    html = templates.env.from_string(ROW).render(deal={"name": "Platform"}, owner="alice")
    assert html == "<td>Platform</td><td>alice</td>"


def test_a_renamed_context_key_fails_instead_of_rendering_empty() -> None:
    with pytest.raises(UndefinedError, match="'owner' is undefined"):
        templates.env.from_string(ROW).render(deal={"name": "Platform"}, owner_name="alice")


def test_a_renamed_attribute_fails_too() -> None:
    with pytest.raises(UndefinedError, match="no attribute 'name'"):
        templates.env.from_string(ROW).render(deal={"title": "Platform"}, owner="alice")


def _pages(client: TestClient) -> list[str]:
    """Every page without path parameters, from the route table (new pages are covered)."""
    app = client.app
    assert isinstance(app, FastAPI)
    return sorted(
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and "GET" in (context.methods or set())
        and context.path is not None
        and not context.path.startswith("/api/")
        and "{" not in context.path
    )


def test_every_page_renders_on_an_empty_workspace(client: TestClient) -> None:
    pages = _pages(client)
    assert {"/", "/accounts", "/deals", "/pipeline", "/forecast", "/funnels"} <= set(pages)
    for path in pages:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            assert response.status_code < 500, (path, headers, response.text[-500:])
