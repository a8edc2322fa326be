"""``buyermap import touchpoints``: Excel's shapes (BOM, semicolons, dd.mm.yyyy, cp1250),
unknown emails and urls quarantined with their line, a second import changing nothing
(SQLite and PostgreSQL); a hypothesis round trip of the dates people write."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from buyermap.db.models import Touchpoint
from buyermap.domain.enums import EntityKind
from buyermap.io.exporters import export_file
from buyermap.io.importer import ImportOptions, import_file
from buyermap.services.workspace import Workspace
from tests.seams.alignment_world import seed_world


def _write(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def _touches(workspace: Workspace) -> list[tuple[int, int, datetime, str]]:
    with workspace.sessions() as s:
        return [
            (t.contact_id, t.asset_id, t.at, t.channel)
            for t in s.scalars(select(Touchpoint).order_by(Touchpoint.at, Touchpoint.id))
        ]


def test_an_excel_file_with_bom_semicolons_and_dotted_dates_imports(
    workspace: Workspace, tmp_path: Path
) -> None:
    with workspace.sessions() as s, s.begin():
        people = seed_world(s, touches=False)
    file = _write(
        tmp_path / "touches.csv",
        [
            "contact_email;url;at;channel",
            "Anna.Wojcik@zabka.pl;https://example.com/why;02.01.2026;e-mail",
            "borek@skoda.cz;HTTPS://EXAMPLE.COM/guide/;13.01.2026 09:30;webinář",
            "cyril@skoda.cz;https://example.com/compare;2026-01-07T08:00:00.000Z;search",
        ],
    )
    with workspace.sessions() as s, s.begin():
        report = import_file(s, entity=EntityKind.TOUCHPOINTS, path=file)
    assert report.ok, report.errors
    assert (report.imported, report.delimiter) == (3, ";")
    touches = _touches(workspace)
    assert [t[0] for t in touches] == [people["anna"], people["cyril"], people["borek"]]
    assert touches[0][2] == datetime(2026, 1, 2)
    assert touches[2][2:] == (datetime(2026, 1, 13, 9, 30), "webinář")
    with workspace.sessions() as s, s.begin():
        again = import_file(s, entity=EntityKind.TOUCHPOINTS, path=file)
    assert (again.imported, again.updated, again.skipped) == (0, 0, 3)
    assert len(_touches(workspace)) == 3


def test_unknown_emails_and_urls_are_quarantined_with_their_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s, touches=False)
    file = _write(
        tmp_path / "touches.csv",
        [
            "contact_email,url,at,channel",
            "zofie@ezust.hu,https://example.com/why,2026-01-05,search",
            "łucja.wróbel@łódź.pl,https://example.com/why,2026-01-05,search",
            "borek@skoda.cz,https://example.com/webinar-2026,2026-01-06,webinar",
            "borek@skoda.cz,https://example.com/why,31.02.2026,search",
        ],
        "cp1250",
    )
    with workspace.sessions() as s, s.begin():
        report = import_file(s, entity=EntityKind.TOUCHPOINTS, path=file)
    assert not report.ok
    by_line = {e.line: e for e in report.errors}
    assert set(by_line) == {3, 4, 5}
    assert by_line[3].column == "contact_email"
    assert "import the contacts first" in by_line[3].reason
    assert by_line[4].column == "url"
    assert "'https://example.com/webinar-2026'" in by_line[4].reason
    assert "content import" in by_line[4].reason
    assert by_line[5].column == "at"
    assert report.quarantine_path is not None
    quarantine = Path(report.quarantine_path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(quarantine.splitlines()))
    assert [r["_line"] for r in rows] == ["3", "4", "5"]
    assert "łucja.wróbel@łódź.pl" in quarantine
    assert _touches(workspace) == []  # all or nothing without --partial
    with workspace.sessions() as s, s.begin():
        partial = import_file(
            s, entity=EntityKind.TOUCHPOINTS, path=file, options=ImportOptions(partial=True)
        )
    assert partial.imported == 1


LAYOUTS = ["%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S.000Z"]


def test_dates_in_the_layouts_people_write_import_to_the_same_moment(
    workspace: Workspace, tmp_path: Path
) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s, touches=False)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        moments=st.lists(
            st.datetimes(datetime(2020, 1, 13), datetime(2026, 11, 30)).map(
                # a day past the 12th: 02/01 alone reads as the US 1 February, as in Excel
                lambda d: d.replace(day=max(d.day, 13), second=0, microsecond=0)
            ),
            min_size=1,
            max_size=6,
            unique=True,
        ),
        layout=st.sampled_from(LAYOUTS),
        delimiter=st.sampled_from([",", ";"]),
    )
    def round_trip(moments: list[datetime], layout: str, delimiter: str) -> None:
        with workspace.sessions() as s, s.begin():
            s.execute(delete(Touchpoint))
        lines = [delimiter.join(["contact_email", "url", "at", "channel"])]
        lines += [
            delimiter.join(["borek@skoda.cz", "https://example.com/guide", m.strftime(layout), "x"])
            for m in moments
        ]
        file = _write(tmp_path / "t.csv", lines)
        with workspace.sessions() as s, s.begin():
            report = import_file(s, entity=EntityKind.TOUCHPOINTS, path=file)
            assert report.ok, report.errors
        assert sorted(t[2] for t in _touches(workspace)) == sorted(moments)

    round_trip()


def test_exported_touchpoints_import_back_unchanged(workspace: Workspace, tmp_path: Path) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s)
    before = _touches(workspace)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"touches{suffix}"
        with workspace.sessions() as s:
            assert export_file(s, entity=EntityKind.TOUCHPOINTS, path=out) == len(before)
        with workspace.sessions() as s, s.begin():
            s.execute(delete(Touchpoint))
        with workspace.sessions() as s, s.begin():
            report = import_file(s, entity=EntityKind.TOUCHPOINTS, path=out)
            assert report.ok, report.errors
        assert _touches(workspace) == before
