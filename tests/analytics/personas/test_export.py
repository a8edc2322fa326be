"""XLSX export of a run and deterministic avatars."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from buyermap.analytics.personas.avatar import render_avatar
from buyermap.analytics.personas.discover import PersonaResult
from buyermap.analytics.personas.export import export_run
from buyermap.analytics.personas.runs import run_document


def test_an_avatar_is_the_same_for_the_same_persona() -> None:
    a = render_avatar("Ada", "department: IT", size=64)
    b = render_avatar("Ada", "department: IT", size=64)
    c = render_avatar("Ben", "high annual spend", size=64)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()
    assert a.size == (64, 64)


def test_a_run_exports_to_xlsx_with_every_persona_and_trait(
    planted_result: PersonaResult, tmp_path: Path
) -> None:
    out = export_run(run_document(planted_result, source="x"), tmp_path / "p.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Personas", "Traits", "Descriptors", "Choice of k", "Run"]
    assert wb["Personas"].max_row == 1 + planted_result.k
    n_traits = sum(len(p.traits) for p in planted_result.personas)
    assert wb["Traits"].max_row == 1 + n_traits
