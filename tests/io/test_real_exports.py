"""Real export files from public repositories (``../shared/crm-exports``, see its SOURCES.md):
each imports whole, links, carries its own dates, and re-imports unchanged.

The folder lies beside the repository (CI gets a copy of it); the tests skip with that reason
when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    AccountContact,
    Deal,
    DealContact,
    Pipeline,
    Stage,
    StageChange,
)
from buyermap.domain.enums import EntityKind
from buyermap.io.importer import ImportOptions, import_file
from buyermap.io.report import ImportReport

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "crm-exports"
pytestmark = pytest.mark.skipif(
    not EXPORTS.is_dir(), reason=f"the real export files are not at {EXPORTS}"
)

Files = list[tuple[EntityKind, str, str | None]]
HUBSPOT: Files = [
    (EntityKind.ACCOUNTS, "hubspot-synth/hubspot_companies.csv", None),
    (EntityKind.CONTACTS, "hubspot-synth/hubspot_contacts.csv", None),
    (EntityKind.DEALS, "hubspot-synth/hubspot_deals.csv", None),
]
MAVEN: Files = [
    (EntityKind.ACCOUNTS, "maven-crm/accounts.csv", None),
    (EntityKind.DEALS, "maven-crm/sales_pipeline.csv", "mappings/maven-deals-bar.json"),
]
SALESFORCE: Files = [
    (EntityKind.ACCOUNTS, "sfdc-powerbi/Account.csv", None),
    (EntityKind.CONTACTS, "sfdc-powerbi/Contact.csv", None),
    (EntityKind.DEALS, "sfdc-powerbi/Opportunity.csv", None),
    (EntityKind.STAGE_HISTORY, "sfdc-powerbi/OpportunityHistory.csv", None),
    (EntityKind.ACCOUNTS, "sfdc-dataloader/Account.csv", None),
    (EntityKind.DEALS, "sfdc-dataloader/Opportunity.csv", None),
]


def import_all(session: Session, files: Files, tmp_path: Path) -> list[ImportReport]:
    reports = []
    for entity, name, mapping in files:
        options = ImportOptions(
            create_stages=True,
            mapping=str(EXPORTS / mapping) if mapping else None,
            quarantine=tmp_path / f"{Path(name).stem}.quarantine.csv",
        )
        reports.append(import_file(session, entity=entity, path=EXPORTS / name, options=options))
    return reports


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(params=["hubspot", "maven", "salesforce"])
def imported(
    request: pytest.FixtureRequest, session: Session, tmp_path: Path
) -> tuple[str, list[ImportReport], list[ImportReport]]:
    sets: dict[str, Files] = {"hubspot": HUBSPOT, "maven": MAVEN, "salesforce": SALESFORCE}
    files = sets[request.param]
    first = import_all(session, files, tmp_path)
    second = import_all(session, files, tmp_path)
    return request.param, first, second


def test_every_real_export_imports_whole_and_reimports_unchanged(
    imported: tuple[str, list[ImportReport], list[ImportReport]],
) -> None:
    _name, first, second = imported
    for report in first:
        assert report.ok, (report.file, [e.reason for e in report.errors[:3]])
        assert report.rejected == 0, (report.file, [e.reason for e in report.errors[:3]])
        assert report.imported == report.rows_read, (report.file, report.skipped_reasons)
        assert report.quarantine_path is None
    for report in second:
        assert (report.imported, report.updated, report.rejected) == (0, 0, 0), report.file
        assert report.skipped_reasons == {"unchanged": report.rows_read}, report.file


def test_hubspot_exports_link_contacts_and_deals_and_keep_both_pipelines(
    session: Session, tmp_path: Path
) -> None:
    reports = import_all(session, HUBSPOT, tmp_path)
    assert [r.preset for r in reports] == ["hubspot"] * 3
    # 679 of the 950 contacts name their company's domain; every one of them is linked.
    assert count(session, AccountContact) == 679
    assert session.scalar(select(func.count()).where(Deal.account_id.is_(None))) == 0
    assert count(session, DealContact) == 500
    pipelines = {p.name: [s.name for s in p.stages] for p in session.scalars(select(Pipeline))}
    assert set(pipelines) == {"Sales Pipeline", "Renewals Pipeline"}
    assert pipelines["Sales Pipeline"][0] == "Appointment Scheduled"
    assert pipelines["Sales Pipeline"][-2:] == ["Closed Won", "Closed Lost"]
    statuses = dict(session.execute(select(Deal.status, func.count()).group_by(Deal.status)).all())
    assert statuses == {"open": 360, "won": 71, "lost": 69}


def test_maven_deals_carry_their_own_dates_and_open_deals_keep_unknown_openings(
    session: Session, tmp_path: Path
) -> None:
    reports = import_all(session, MAVEN, tmp_path)
    assert reports[1].date_columns == {"opened_at": "engage_date", "closed_at": "close_date"}
    years = session.scalars(select(func.min(Deal.opened_at))).one()
    assert years is not None
    assert years.year == 2016
    # Won and lost deals closed in 2017, at their close dates: never at the import time.
    closed = session.execute(
        select(func.min(Deal.closed_at), func.max(Deal.closed_at)).where(Deal.status != "open")
    ).one()
    assert [t.year if t else None for t in closed] == [2017, 2017]
    # 500 prospecting deals have no engage date: it stays unknown and their one change is a
    # snapshot; the 1,589 engaging deals entered their stage when they were engaged.
    assert session.scalar(select(func.count()).where(Deal.opened_at.is_(None))) == 500
    assert session.scalar(select(func.count()).where(StageChange.is_snapshot)) == 500
    stages = [s.name for s in session.scalars(select(Stage).order_by(Stage.position))]
    assert stages == ["Prospecting", "Engaging", "Won", "Lost"]
    statuses = dict(session.execute(select(Deal.status, func.count()).group_by(Deal.status)).all())
    assert statuses == {"won": 4238, "lost": 2473, "open": 2089}


def test_salesforce_history_replaces_the_single_change_of_each_opportunity(
    session: Session, tmp_path: Path
) -> None:
    reports = import_all(session, SALESFORCE, tmp_path)
    assert {r.preset for r in reports} == {"salesforce"}
    assert count(session, AccountContact) == 25
    # 48 changes from the history file and the one Data Loader opportunity's own change.
    assert count(session, StageChange) == 49
    names = [s.name for s in session.scalars(select(Stage).order_by(Stage.position))]
    assert names[:2] == ["Prospecting", "Qualification"]
    assert "Qualify" in names  # the Data Loader org's own stage, created open
