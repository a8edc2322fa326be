"""The journeys and content CLI contract, on SQLite and PostgreSQL: import (long CSV in
cp1250 and UTF-8 with BOM, a hand-made persona), quarantine, export/import changing
nothing, publish and diff, gaps."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from tests.cli.conftest import Invoke, json_out

ROWS = [
    ("dyrektor_it", "problem_identification", "task", "", "Policzyć koszty przestojów", ""),
    ("dyrektor_it", "problem_identification", "question", "", "jak zmniejszyć przestoje", ""),
    ("dyrektor_it", "problem_identification", "objection", "price", "Za drogie dla firmy", ""),
    ("dyrektor_it", "solution_exploration", "objection", "risk", "Ryzyko migracji – Łódź", ""),
    ("dyrektor_it", "solution_exploration", "answer", "", "Pilotaż przez 30 dni", "price"),
    ("ředitel", "validation", "objection", "trust", "Nem bízom a szállítóban (Győr)", ""),
    ("ředitel", "validation", "channel", "", "Webináře a konference", ""),
]


def write_csv(path: Path, rows: Sequence[tuple[str, ...]], encoding: str) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["persona", "stage", "kind", "key", "text", "ref"])
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_it_imports_a_cp1250_journey_file_and_makes_hand_made_personas(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "j.csv", ROWS, "cp1250")
    report = json_out(
        bm("journeys", "import", str(file), "--template", "b2b6", "--json", db=db_url)
    )
    assert report["encoding"] == "cp1250"
    assert report["changes"] == len(ROWS)
    assert report["personas_created"] == ["dyrektor_it", "ředitel"]
    assert all(p["hand_made"] for p in report["personas"])
    shown = json_out(bm("journeys", "show", "--persona", "ředitel", "--json", db=db_url))
    stage = next(s for s in shown["stages"] if s["key"] == "validation")
    assert stage["lines"]["objection"][0]["text"] == "Nem bízom a szállítóban (Győr)"
    assert shown["origin"] == "hand_made"
    again = json_out(bm("journeys", "import", str(file), "--json", db=db_url))
    assert again["changes"] == 0
    assert again["personas_created"] == []


def test_it_quarantines_bad_rows_naming_the_bad_value_and_the_valid_ones(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    bad = [
        ("p", "nowhere", "task", "", "t", ""),
        ("p", "problem_identification", "thing", "", "t", ""),
        ("p", "problem_identification", "answer", "", "t", "nope"),
        ("p", "problem_identification", "task", "", "fine", ""),
    ]
    file = write_csv(tmp_path / "bad.csv", bad, "utf-8-sig")
    result = bm("journeys", "import", str(file), "--template", "b2b6", "--json", db=db_url)
    assert result.exit_code == 1

    report = json.loads(result.stdout)
    assert report["rejected"] == 3
    assert report["committed"] is False
    reasons = " | ".join(e["reason"] for e in report["errors"])
    assert "'nowhere'" in reasons
    assert "valid: problem_identification" in reasons
    assert "'thing'" in reasons
    assert "task, question, channel" in reasons
    assert "'nope'" in reasons
    quarantine = Path(report["quarantine_path"]).read_text(encoding="utf-8")
    assert quarantine.count("\n") == 4  # header and the three rejected rows
    shown = bm("journeys", "show", "--persona", "p", "--json", db=db_url)
    assert shown.exit_code == 1  # nothing was written
    partial = json_out(
        bm("journeys", "import", str(file), "--template", "b2b6", "--partial", "--json", db=db_url)
    )
    assert partial["committed"] is True
    assert partial["changes"] == 1


def test_it_round_trips_the_export_and_reports_an_edit_as_a_diff(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "j.csv", ROWS, "utf-8-sig")
    json_out(bm("journeys", "import", str(file), "--template", "b2b6", "--json", db=db_url))
    out = tmp_path / "workshop.xlsx"
    assert json_out(bm("journeys", "export", str(out), "--json", db=db_url))["sheets"] == 2
    assert json_out(bm("journeys", "import", str(out), "--json", db=db_url))["changes"] == 0
    from openpyxl import load_workbook

    book = load_workbook(out)
    sheet = book["dyrektor_it"]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "Policzyć koszty przestojów":
                cell.value = "Policzyć koszty przestojów w złotych"
    book.save(out)
    json_out(bm("journeys", "publish", "--persona", "dyrektor_it", "--json", db=db_url))
    report = json_out(bm("journeys", "import", str(out), "--json", db=db_url))
    assert report["changes"] == 2  # the old text removed, the new one added
    diff = json_out(bm("journeys", "diff", "--persona", "dyrektor_it", "--json", db=db_url))
    assert diff["from"] == "1"
    assert diff["to"] == "draft"
    assert {(c["change"], c["text"]) for c in diff["diff"]} == {
        ("added", "Policzyć koszty przestojów w złotych"),
        ("removed", "Policzyć koszty przestojów"),
    }
    bad = bm("journeys", "diff", "--persona", "dyrektor_it", "--from", "7", "--json", db=db_url)
    assert bad.exit_code != 0
    assert "valid: 1, draft" in bad.stdout


def test_it_finds_gaps_from_files(bm: Invoke, db_url: str, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "j.csv", ROWS, "utf-8")
    json_out(bm("journeys", "import", str(file), "--template", "b2b6", "--json", db=db_url))
    content = tmp_path / "content.csv"
    content.write_text(
        "title,url,type,personas,stages,objections\n"
        "Przewodnik migracji,https://e.pl/m,guide,dyrektor_it,solution_exploration;validation,risk\n"
        "Bad,https://e.pl/b,guide,dyrektor_it,nowhere,\n",
        encoding="utf-8",
    )
    refused = bm("content", "import", str(content), "--json", db=db_url)
    assert refused.exit_code == 1
    assert "'nowhere'" in refused.stdout
    report = json_out(bm("content", "import", str(content), "--partial", "--json", db=db_url))
    assert (report["added"], report["changes"], report["rejected"]) == (1, 1, 1)
    assert (
        json_out(bm("content", "import", str(content), "--partial", "--json", db=db_url))["changes"]
        == 0
    )
    gaps = json_out(bm("journeys", "gaps", "--json", db=db_url))
    assert [(o["persona"], o["key"]) for o in gaps["unanswered_objections"]] == [
        ("ředitel", "trust")
    ]
    cells = {(c["persona"], c["stage"]): c for c in gaps["cells"]}
    assert cells["dyrektor_it", "solution_exploration"]["content_count"] == 1
    assert cells["dyrektor_it", "problem_identification"]["content_count"] == 0
    assert gaps["weighting"] == "equal"
    assert gaps["priorities"][0]["kind"] == "unanswered_objection"
    one = json_out(bm("journeys", "gaps", "--persona", "dyrektor_it", "--json", db=db_url))
    assert one["unanswered_objections"] == []
    assert {c["persona"] for c in one["cells"]} == {"dyrektor_it"}


def test_it_refuses_an_unknown_template_with_exit_2(bm: Invoke, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "j.csv", ROWS, "utf-8")
    result = bm("journeys", "import", str(file), "--template", "b2b9")
    assert result.exit_code == 2
    assert "seed5" in result.output


def test_a_persona_made_by_hand_in_the_editor_gets_its_journey_and_shows_in_gaps(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    made = json_out(bm("personas", "create", "--name", "Łucja Nowak", "--json", db=db_url))
    key = made["key"]
    rows = [
        (key, "problem_awareness", "task", "", "Policzyć przestoje", ""),
        (key, "problem_awareness", "objection", "price", "Za drogie", ""),
    ]
    file = write_csv(tmp_path / "j.csv", rows, "utf-8")
    report = json_out(bm("journeys", "import", str(file), "--json", db=db_url))
    assert report["changes"] == 2
    assert report["personas_created"] == []
    (persona,) = report["personas"]
    assert (persona["persona"], persona["name"], persona["hand_made"], persona["created"]) == (
        key,
        "Łucja Nowak",
        True,
        False,
    )
    shown = json_out(bm("journeys", "show", "--persona", key, "--json", db=db_url))
    assert (shown["origin"], shown["name"]) == ("hand_made", "Łucja Nowak")
    gaps = json_out(bm("journeys", "gaps", "--json", db=db_url))
    cell = next(c for c in gaps["cells"] if c["stage"] == "problem_awareness")
    assert (cell["persona"], cell["unanswered"]) == (key, 1)
    assert {c["persona"] for c in gaps["cells"]} == {key}


def test_a_persona_a_journeys_import_made_is_a_hand_made_persona_in_pages_and_sheets(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "j.csv", ROWS, "cp1250")
    bm("journeys", "import", str(file), "--template", "b2b6", "--json", db=db_url)
    shown = json_out(bm("personas", "show", "ředitel", "--json", db=db_url))
    assert (shown["key"], shown["name"], shown["origin"], shown["backed_by_data"]) == (
        "ředitel",
        "Ředitel",
        "hand_made",
        False,
    )
    sheet = tmp_path / "sheet.html"
    done = bm(
        "personas", "sheet", "ředitel", "--department", "sales", "--out", str(sheet), db=db_url
    )
    assert done.exit_code == 0, done.output
    assert "Ředitel" in sheet.read_text(encoding="utf-8")
    pack = tmp_path / "pack.pdf"
    done = bm("personas", "pack", str(pack), db=db_url)
    assert done.exit_code == 0, done.output
    assert pack.read_bytes().startswith(b"%PDF")
