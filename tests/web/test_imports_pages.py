"""``/import`` over TestClient: upload, mapping preview, import, report, quarantine, and
the round trip of fixing a rejected row and uploading it again."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.db.models import Account
from buyermap.services.workspace import Workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.web.csrf_client import csrf_headers

# A HubSpot companies export as Excel on Windows writes it: cp1250, ";" separated; one row
# with employees that are not a number, one placeholder ("N/A") that means blank.
HUBSPOT_COMPANIES = (
    "Record ID;Company name;Company Domain Name;Industry;Number of Employees;Country/Region;"
    "Ulubiony kolor\r\n"
    "9001;Łódzkie Zakłady Włókiennicze;lzw.pl;Manufacturing;420;Poland;zielony\r\n"
    "9002;Győri Keksz Kft.;gyorikeksz.hu;Food;N/A;Hungary;piros\r\n"
    "9003;Pražská Strojírna a.s.;prazska-strojirna.cz;Machinery;około 80;Czechia;niebieski\r\n"
)


@pytest.fixture
def app_client(db_url: str, workspace: Workspace, tmp_path: Path) -> TestClient:
    settings = Settings(database_url=db_url, upload_dir=tmp_path / "uploads", upload_max_mb=1)
    return TestClient(create_app(settings, workspace=workspace))


def _upload(client: TestClient, data: bytes, name: str, **fields: str) -> str:
    headers = csrf_headers(client, "/import")
    response = client.post(
        "/import",
        files={"file": (name, data, "text/csv")},
        data={"entity": "accounts", **fields},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.text


def _token(html: str) -> str:
    found = re.search(r'action="/import/([A-Za-z0-9_-]{22})/run"', html)
    assert found is not None
    return found.group(1)


def _mapping_form(html: str) -> dict[str, str]:
    """The preview form's fields as the browser would send them (selected options)."""
    data = dict(
        re.findall(r'<input type="hidden" name="((?:col_|columns_n)[^"]*)" value="([^"]*)"', html)
    )
    for name, body in re.findall(r'<select name="(map_\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else "-"
    return data


def test_the_preview_shows_the_detected_format_the_mapping_and_the_rejected_row(
    app_client: TestClient,
) -> None:
    with app_client as client:
        html = _upload(client, HUBSPOT_COMPANIES.encode("cp1250"), "firmy.csv")
    assert "cp1250" in html
    assert "HubSpot" in html
    assert "Łódzkie Zakłady Włókiennicze" in html  # a sample value, decoded
    assert 'data-column="Ulubiony kolor"' in html
    assert "Kept as extra" in html
    assert '<strong id="would-reject">1</strong>' in html
    assert "około 80" in html  # the bad value is named in the reason
    assert (
        "employees"
        not in re.sub(r"<[^>]+>", "", html).split("Rows that would")[0].split("Columns")[0]
    )


def _run(client: TestClient, html: str, **fields: str) -> str:
    """Import the previewed upload; the report page's path."""
    form = {"entity": "accounts", "on_duplicate": "update", **fields, **_mapping_form(html)}
    done = client.post(
        f"/import/{_token(html)}/run",
        data=form,
        headers=csrf_headers(client, "/import"),
        follow_redirects=False,
    )
    assert done.status_code == 303
    return str(done.headers["location"])


def test_importing_with_partial_stores_the_run_and_its_quarantine_which_imports_once_fixed(
    app_client: TestClient,
) -> None:
    with app_client as client:
        html = _upload(client, HUBSPOT_COMPANIES.encode("cp1250"), "firmy.csv", partial="1")
        report_path = _run(client, html, partial="1")
        report = client.get(report_path)
        assert 'data-count="imported">2<' in report.text
        assert 'data-count="rejected">1<' in report.text
        run_id = report_path.rsplit("/", 1)[1]
        listed = client.get("/import").text
        assert "firmy.csv" in listed
        assert f"/import/runs/{run_id}/quarantine.csv" in listed

        quarantine = client.get(f"/import/runs/{run_id}/quarantine.csv")
        assert quarantine.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(quarantine.text.lstrip("\ufeff"))))
        assert rows[0][-4:] == ["_row", "_line", "_column", "_reason"]
        assert rows[1][1] == "Pražská Strojírna a.s."
        assert "około 80" in rows[1][-1]
        rows[1][4] = "80"  # the user fixes the employees
        fixed = io.StringIO()
        csv.writer(fixed).writerows(rows)

        html = _upload(client, fixed.getvalue().encode("utf-8-sig"), "firmy.quarantine.csv")
        assert "left out" in html
        fixed_report = client.get(_run(client, html)).text
        assert 'data-count="imported">1<' in fixed_report
        assert 'data-count="rejected">0<' in fixed_report
        assert "Imported: the records are in the workspace." in fixed_report
        accounts = client.get("/api/v1/accounts", params={"q": "Pražská"}).json()["items"]
        assert accounts[0]["employees"] == 80
        assert "_reason" not in (accounts[0].get("extra") or {})


def test_a_changed_column_choice_is_previewed_and_used(app_client: TestClient) -> None:
    with app_client as client:
        html = _upload(client, HUBSPOT_COMPANIES.encode("cp1250"), "firmy.csv")
        token = _token(html)
        form = {"entity": "accounts", "on_duplicate": "update", **_mapping_form(html)}
        employees = next(k for k, v in form.items() if v == "Number of Employees").replace(
            "col", "map"
        )
        form[employees] = "-"  # keep the employee counts as extra: no row is rejected now
        again = client.post(
            f"/import/{token}/preview", data=form, headers=csrf_headers(client, "/import")
        )
        assert '<strong id="would-reject">0</strong>' in again.text


def test_an_all_or_nothing_import_with_a_rejected_row_writes_nothing_but_keeps_the_rows(
    app_client: TestClient,
) -> None:
    with app_client as client:
        html = _upload(client, HUBSPOT_COMPANIES.encode("cp1250"), "firmy.csv")
        form = {"entity": "accounts", "on_duplicate": "update", **_mapping_form(html)}
        done = client.post(
            f"/import/{_token(html)}/run",
            data=form,
            headers=csrf_headers(client, "/import"),
            follow_redirects=False,
        )
        report = client.get(done.headers["location"]).text
        assert "Not imported" in report
        assert "quarantine.csv" in report
        assert client.get("/api/v1/accounts").json()["total"] == 0


def test_a_file_over_the_size_limit_is_refused_with_the_limit(app_client: TestClient) -> None:
    with app_client as client:
        response = client.post(
            "/import",
            files={"file": ("big.csv", b"a" * (1024 * 1024 + 1), "text/csv")},
            data={"entity": "accounts"},
            headers=csrf_headers(client, "/import"),
        )
    assert response.status_code == 422
    assert "larger than 1 MB" in response.text
    assert "BUYERMAP_UPLOAD_MAX_MB" in response.text


def test_a_made_up_upload_token_reaches_no_file(app_client: TestClient) -> None:
    with app_client as client:
        response = client.post(
            "/import/..%2F..%2Fetc%2Fpasswd/run",
            data={"entity": "accounts"},
            headers=csrf_headers(client, "/import"),
        )
    assert response.status_code in (404, 422)
    assert "upload the file again" in response.text or "nothing at" in response.text


def test_an_unknown_file_type_is_refused_naming_the_valid_ones(app_client: TestClient) -> None:
    with app_client as client:
        response = client.post(
            "/import",
            files={"file": ("firmy.pdf", b"%PDF", "application/pdf")},
            data={"entity": "accounts"},
            headers=csrf_headers(client, "/import"),
        )
    assert response.status_code == 422
    assert ".xlsx" in response.text
    assert "firmy.pdf" in response.text


def _retry_cells(html: str) -> dict[str, str]:
    """The retry table's inputs by name (``cell.<row>.<column>``), as the browser sends them."""
    return dict(re.findall(r'<input name="(cell\.\d+\.\d+)" value="([^"]*)"', html))


def test_rows_refused_as_a_whole_come_back_in_the_table_until_all_import(
    app_client: TestClient, workspace: Workspace
) -> None:
    two_bad = HUBSPOT_COMPANIES + (
        "9004;Kauno Baldai UAB;kaunobaldai.lt;Furniture;daug;Lithuania;geltona\r\n"
    )
    with app_client as client:
        html = _upload(client, two_bad.encode("cp1250"), "firmy.csv")
        report_path = _run(client, html)  # "import the valid rows" off: nothing is written
        report = client.get(report_path).text
        assert 'id="retry-refused"' in report
        cells = _retry_cells(report)
        assert len(cells) == 2 * 7  # the two rejected rows, every column
        assert "około 80" in report
        assert "daug" in report
        marked = re.findall(r'<td data-column="([^"]+)" class="has-error">', report)
        assert marked == ["Number of Employees", "Number of Employees"]

        cells["cell.0.4"] = "80"  # one fixed, the other still bad
        retried = client.post(
            f"{report_path}/retry",
            data=cells,
            headers=csrf_headers(client, report_path),
            follow_redirects=False,
        )
        assert retried.status_code == 303
        second = client.get(retried.headers["location"]).text
        assert "Not imported" in second  # refused as a whole, like the original
        again = _retry_cells(second)
        assert again["cell.0.4"] == "80"  # the fixed row is not lost
        assert again["cell.1.4"] == "daug"
        assert re.findall(r'<td data-column="([^"]+)" class="has-error">', second) == [
            "Number of Employees"
        ]

        again["cell.1.4"] = "35"
        last = client.post(
            f"{retried.headers['location']}/retry",
            data=again,
            headers=csrf_headers(client, report_path),
            follow_redirects=False,
        )
        final = client.get(last.headers["location"]).text
        assert "Imported: the records are in the workspace." in final
        assert 'data-count="imported">2<' in final
        assert 'id="retry"' not in final
        assert "firmy (fixed rows) (fixed rows).csv" in final
    with workspace.sessions() as session:
        employees = {a.name: a.employees for a in session.scalars(select(Account))}
    assert employees == {"Pražská Strojírna a.s.": 80, "Kauno Baldai UAB": 35}
