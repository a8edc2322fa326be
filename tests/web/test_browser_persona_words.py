"""Making and editing a persona by hand in headless Chromium, picture upload included."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from buyermap.services.workspace import Workspace

pytestmark = pytest.mark.browser


def test_a_user_makes_a_persona_by_hand_and_edits_it(
    empty_app: tuple[str, Workspace], page: Any, tmp_path: Path
) -> None:
    base, _ = empty_app
    picture = tmp_path / "face.png"
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), "teal").save(buf, format="PNG")
    picture.write_bytes(buf.getvalue())

    page.goto(f"{base}/personas")
    assert "None yet" in page.locator("#hand-made").inner_text()
    page.click("#new-persona")
    page.wait_for_url("**/personas/new")
    page.click("#persona-form button[type=submit]")  # no name: refused, form kept
    assert page.locator(".field-error").count() >= 1
    page.fill("#f-name", "Ágnes Wiśniewska")
    page.fill("#f-description", "Runs procurement for three plants")
    page.select_option("#f-role", "buyer")
    page.fill("#f-goals", "Fewer suppliers\nOne invoice a month")
    page.fill("#f-objections", "Too expensive | Priced per plant")
    page.set_input_files("#f-picture", str(picture))
    page.click("#persona-form button[type=submit]")
    page.wait_for_url("**/personas/h-agnes-wisniewska")
    assert page.locator("h1").inner_text() == "Ágnes Wiśniewska"
    assert page.locator("#not-backed").inner_text() == "not backed by data"
    assert "One invoice a month" in page.content()
    assert page.locator(".persona-head img").evaluate("i => i.naturalWidth") == 160

    page.click("#edit-persona")
    page.fill("#f-name", "Ágnes W.")
    page.click("#persona-form button[type=submit]")
    page.wait_for_url("**/personas/h-agnes-wisniewska")
    assert page.locator("h1").inner_text() == "Ágnes W."

    page.click("#persona-sheets a:text('sales')")
    page.wait_for_url("**/sheet/sales")
    assert "Too expensive -> Priced per plant" in page.locator("#persona-sheet").inner_text()
    page.goto(f"{base}/personas")
    assert page.locator("#hand-made .persona-tile").count() == 1
