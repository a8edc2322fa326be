"""``buyermap personas create/edit/show/sheet/pack`` on a SQLite workspace."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from buyermap.cli.app import app


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    result = CliRunner().invoke(app, [*args], env={"BUYERMAP_DATABASE_URL": url})
    return result.exit_code, result.stdout + (result.stderr or "")


def test_it_creates_edits_shows_and_prints_sheets(tmp_path: Path) -> None:
    code, out = _run(
        tmp_path, "personas", "create", "--name", "Þórdís Nowak", "--role", "end_user",
        "--question", "How do I export?", "--objection", "Too slow | Nightly sync", "--json",
    )  # fmt: skip
    assert code == 0, out
    made = json.loads(out)
    assert (made["key"], made["origin"]) == ("h-thordis-nowak", "hand_made")
    code, out = _run(
        tmp_path, "personas", "edit", made["key"], "--description", "Analyst", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["description"] == "Analyst"
    code, out = _run(tmp_path, "personas", "show", made["key"], "--json")
    shown = json.loads(out)
    assert shown["origin"] == "hand_made"
    assert shown["objections"] == [{"objection": "Too slow", "answer": "Nightly sync"}]
    html = tmp_path / "sheet.html"
    code, out = _run(
        tmp_path, "personas", "sheet", made["key"], "--department", "support", "--out", str(html)
    )
    assert code == 0, out
    text = html.read_text(encoding="utf-8")
    assert "Þórdís Nowak" in text
    assert "not backed by data" in text
    assert "How do I export?" in text
    pdf = tmp_path / "pack.pdf"
    code, out = _run(tmp_path, "personas", "pack", str(pdf))
    assert code == 0, out
    assert pdf.read_bytes().startswith(b"%PDF")
    deck = tmp_path / "pack.pptx"
    code, out = _run(tmp_path, "personas", "pack", str(deck))
    assert code == 0, out
    assert deck.read_bytes().startswith(b"PK")
    code, out = _run(tmp_path, "personas", "pack", str(tmp_path / "pack.key"))
    assert code == 2
    assert "*.pptx" in out


def test_it_refuses_bad_values_with_exit_code_2(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "personas", "create", "--name", "Ola", "--role", "cfo")
    assert code == 2
    assert "role" in out
    code, out = _run(tmp_path, "personas", "create", "--name", "Ola", "--picture", str(tmp_path))
    assert code == 2
    code, out = _run(
        tmp_path, "personas", "sheet", "h-x", "--department", "finance", "--out", "x.pdf"
    )
    assert code == 2
    assert "finance" in out
