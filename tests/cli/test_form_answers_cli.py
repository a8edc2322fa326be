"""Form answers as evidence, on SQLite and PostgreSQL: a Google Forms export in cp1250
with a persona column, quarantine without losing a row, re-import changing nothing, a
Microsoft Forms XLSX, question mapping, keyword rules and themes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import Workbook

from tests.cli.conftest import Invoke, json_out, plain
from tests.cli.test_journeys import ROWS, write_csv

QUESTION = "Co Cię powstrzymuje przed zakupem?"
FORM = [
    ["Sygnatura czasowa", "Adres e-mail", "Kim jesteś?", QUESTION, "Gdzie szukasz?"],
    ["2026/03/14 9:15:02 AM GMT+1", "zofia@łódź.pl", "dyrektor_it", "Cena, za wysoka", "Google"],
    ["14.03.2026 09:20:00", "", "dyrektor_it", "Ceny licencji są za wysokie", ""],
    ["15.03.2026 10:00:00", "jan@firma.cz", "ředitel", "Je to příliš drahé", "Webináře"],
    ["wczoraj", "x@firma.pl", "dyrektor_it", "Drogo", ""],
    ["16.03.2026 11:00:00", "y@firma.pl", "", "Wdrożenie trwa za długo", ""],
]


def setup(bm: Invoke, db_url: str, tmp_path: Path) -> None:
    journeys = write_csv(tmp_path / "j.csv", ROWS, "utf-8")
    assert bm("journeys", "import", str(journeys), "--template", "b2b6", db=db_url).exit_code == 0


def write_form(path: Path, rows: list[list[str]], encoding: str) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_a_cp1250_google_forms_export_is_kept_under_each_rows_persona(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    setup(bm, db_url, tmp_path)
    form = write_form(tmp_path / "form.csv", FORM[:4], "cp1250")
    report = json_out(
        bm(
            "journeys",
            "answers",
            "import",
            str(form),
            "--persona-column",
            "Kim jesteś?",
            "--json",
            db=db_url,
        )
    )
    assert (report["responses"], report["answers"], report["changes"]) == (3, 5, 5)
    assert report["personas"] == {"dyrektor_it": 3, "ředitel": 2}
    assert report["committed"]
    assert report["rejected"] == 0
    kept = json_out(bm("journeys", "answers", "list", "--persona", "ředitel", "--json", db=db_url))
    assert [a["answer"] for a in kept["answers"]] == ["Je to příliš drahé", "Webináře"]
    assert kept["answers"][0]["answered_at"].startswith("2026-03-15T10:00:00")
    again = json_out(
        bm(
            "journeys",
            "answers",
            "import",
            str(form),
            "--persona-column",
            "Kim jesteś?",
            "--json",
            db=db_url,
        )
    )
    assert (again["changes"], again["unchanged"]) == (0, 5)


def test_bad_responses_are_quarantined_with_their_reason_and_nothing_is_lost(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    setup(bm, db_url, tmp_path)
    form = write_form(tmp_path / "form.csv", FORM, "utf-8-sig")
    args = ("journeys", "answers", "import", str(form), "--persona-column", "Kim jesteś?")
    refused = bm(*args, "--json", db=db_url)
    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert not report["committed"]
    assert report["rejected"] == 2
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert "'wczoraj'" in reasons[5]
    assert "2026/03/14 9:15:02 AM GMT+1" in reasons[5]
    assert "no persona in column 'Kim jesteś?'" in reasons[6]
    quarantined = list(csv.reader(io.StringIO(Path(report["quarantine_path"]).read_text("utf-8"))))
    assert quarantined[0][:5] == FORM[0]
    assert quarantined[0][-1] == "_reason"
    assert [r[3] for r in quarantined[1:]] == ["Drogo", "Wdrożenie trwa za długo"]
    assert json_out(bm("journeys", "answers", "list", "--json", db=db_url))["count"] == 0
    kept = json_out(bm(*args, "--partial", "--json", db=db_url))
    assert kept["committed"]
    assert kept["imported"] == 5


def test_a_microsoft_forms_xlsx_takes_the_persona_given(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    setup(bm, db_url, tmp_path)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", QUESTION])
    sheet.append([1, "3/14/2026 9:15:02", "3/14/2026 9:17:40", "anon", "Anonymous", "Cena"])
    path = tmp_path / "ms.xlsx"
    book.save(path)
    nobody = bm("journeys", "answers", "import", str(path), "--persona", "nobody", db=db_url)
    assert nobody.exit_code == 2
    assert "no persona 'nobody'; valid: dyrektor_it, ředitel" in plain(nobody)
    report = json_out(
        bm("journeys", "answers", "import", str(path), "--persona", "ředitel", "--json", db=db_url)
    )
    assert report["personas"] == {"ředitel": 1}
    assert [q["question"] for q in report["questions"]] == [QUESTION]


def test_mapped_questions_and_keyword_rules_suggest_where_answers_belong(
    bm: Invoke, db_url: str, tmp_path: Path
) -> None:
    setup(bm, db_url, tmp_path)
    form = write_form(tmp_path / "form.csv", FORM[:4], "utf-8")
    bm("journeys", "answers", "import", str(form), "--persona-column", "Kim jesteś?", db=db_url)
    mapping = write_form(
        tmp_path / "map.csv",
        [["question", "stage", "objection"], [QUESTION, "validation", ""]],
        "utf-8",
    )
    mapped = json_out(bm("journeys", "answers", "map", str(mapping), "--json", db=db_url))
    assert mapped["questions"] == [
        {"question": QUESTION, "stage": "validation", "objection": None, "answers": 3}
    ]
    bad = bm("journeys", "answers", "map", "--question", QUESTION, "--stage", "nowhere", db=db_url)
    assert bad.exit_code == 2
    assert "stage 'nowhere' is not a journey stage" in plain(bad)
    unknown = bm(
        "journeys",
        "answers",
        "map",
        "--question",
        QUESTION,
        "--stage",
        "validation",
        "--objection",
        "cost",
        db=db_url,
    )
    assert unknown.exit_code == 2
    assert "valid keys: price, risk, trust" in plain(unknown)
    rules = write_form(
        tmp_path / "kw.csv",
        [["kind", "key", "word"], ["objection", "price", "cena"], ["objection", "price", "drahý"]],
        "utf-8",
    )
    assert json_out(bm("journeys", "answers", "keywords", str(rules), "--json", db=db_url)) == {
        "rows": 2,
        "added": 2,
        "rules": 1,
    }
    themes = json_out(bm("journeys", "themes", "--json", db=db_url))
    price = themes["themes"][0]
    assert price["suggested"]["key"] == "price"
    assert price["answers"] == 3
    assert themes["answers"] == 5
    assert themes["unthemed"] == 2
    assert [
        a["stage"]
        for a in json_out(bm("journeys", "answers", "list", "--json", db=db_url))["answers"]
        if a["question"] == QUESTION
    ] == ["validation"] * 3
