"""The real CRM export files (``../shared/crm-exports``) through ``/import`` in headless
Chromium: preview, import, report and, when rows are rejected, the quarantine download;
the counts and the names that arrive are those of the CLI import of the same files.

The folder holds HubSpot-shaped and Salesforce exports (see its SOURCES.md; no genuine
Pipedrive export was found, the Pipedrive-shaped file of ``test_browser_imports.py`` is
written by that test). Every file there is ASCII text, so "intact" is: each name is the one
in the file, byte for byte, the same as the CLI stores. The Maven files need a mapping
file, which the web takes only once saved: the CLI tests cover them
(tests/io/test_real_exports.py).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from buyermap.cli.app import app as cli_app
from buyermap.db.models import Account, Contact, Deal
from buyermap.services.workspace import Workspace
from tests.conftest import opened_workspace

pytestmark = pytest.mark.browser

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "crm-exports"
FILES = {
    "hubspot": [
        ("accounts", "hubspot-synth/hubspot_companies.csv"),
        ("contacts", "hubspot-synth/hubspot_contacts.csv"),
        ("deals", "hubspot-synth/hubspot_deals.csv"),
    ],
    "salesforce": [
        ("accounts", "sfdc-powerbi/Account.csv"),
        ("contacts", "sfdc-powerbi/Contact.csv"),
        ("deals", "sfdc-powerbi/Opportunity.csv"),
        ("stage-history", "sfdc-powerbi/OpportunityHistory.csv"),
        ("accounts", "sfdc-dataloader/Account.csv"),
        ("deals", "sfdc-dataloader/Opportunity.csv"),
    ],
}
COUNTS = ("rows_read", "imported", "updated", "skipped", "rejected")


def _names(workspace: Workspace) -> dict[str, list[tuple[str | None, ...]]]:
    with workspace.sessions() as session:
        return {
            "accounts": sorted((a.name,) for a in session.scalars(select(Account))),
            "contacts": sorted(
                (c.first_name, c.last_name, c.email) for c in session.scalars(select(Contact))
            ),
            "deals": sorted((d.name,) for d in session.scalars(select(Deal))),
        }


def _cli_import(db: Path, files: list[tuple[str, str]], tmp: Path) -> list[dict[str, int]]:
    """The counts of ``buyermap import KIND FILE --partial --create-stages --json``."""
    runner, counts = CliRunner(), []
    for i, (entity, name) in enumerate(files):
        result = runner.invoke(
            cli_app,
            [
                "--db",
                str(db),
                "import",
                entity,
                str(EXPORTS / name),
                "--partial",
                "--create-stages",
                "--quarantine",
                str(tmp / f"{i}.quarantine.csv"),
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        counts.append({k: int(report[k]) for k in COUNTS})
    return counts


def _count(page: Any, key: str) -> int:
    return int(page.locator(f'[data-count="{key}"]').inner_text().replace(",", ""))


def _web_import(page: Any, base: str, entity: str, path: Path) -> dict[str, int]:
    page.goto(f"{base}/import")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("#import-form select[name=entity]", entity)
    page.check("#import-form input[name=partial]")
    page.check("#import-form input[name=create_stages]")
    page.click("text=Preview the mapping")
    page.wait_for_selector("#mapping")
    would_reject = int(page.locator("#would-reject").inner_text().replace(",", ""))
    page.click("#do-import")
    page.wait_for_selector("#import-counts")
    counts = {k: _count(page, k) for k in COUNTS}
    assert counts["rejected"] == would_reject, path.name
    if counts["rejected"]:
        with page.expect_download() as info:
            page.click("#quarantine-link")
        text = Path(info.value.path()).read_text("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len({r["_row"] for r in rows}) == counts["rejected"], path.name
        assert all(r["_reason"] for r in rows)
    return counts


@pytest.mark.skipif(not EXPORTS.is_dir(), reason=f"the real export files are not at {EXPORTS}")
@pytest.mark.parametrize("crm", sorted(FILES))
def test_real_exports_imported_from_the_web_arrive_as_from_the_cli(
    crm: str, empty_app: tuple[str, Workspace], page: Any, tmp_path: Path
) -> None:
    base, workspace = empty_app
    files = FILES[crm]
    web = [_web_import(page, base, entity, EXPORTS / name) for entity, name in files]

    cli_db = tmp_path / "cli.db"
    cli = _cli_import(cli_db, files, tmp_path)
    assert web == cli
    assert sum(c["imported"] for c in web) > 0

    arrived = _names(workspace)
    with opened_workspace(f"sqlite:///{cli_db}") as cli_workspace:
        assert arrived == _names(cli_workspace)
    # each name as the file writes it
    _, companies = files[0]
    with (EXPORTS / companies).open(encoding="utf-8-sig", newline="") as fh:
        column = "Company Name" if crm == "hubspot" else "Name"
        in_file = {row[column].strip() for row in csv.DictReader(fh)}
    assert {name for (name,) in arrived["accounts"]} >= in_file - {""}
