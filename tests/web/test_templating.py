"""The template environment: a name the context lacks is an error, not an empty string."""

from __future__ import annotations

import pytest
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
