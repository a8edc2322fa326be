"""``buyermap import relationships FILE`` on SQLite and PostgreSQL: types in words and
languages, quarantine with the line, no tie to oneself, and the export round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from buyermap.db.models import ContactRelationship
from buyermap.domain.enums import EntityKind
from buyermap.io.exporters import export_file
from buyermap.io.importer import ImportOptions, import_file
from buyermap.io.validate import PLACEHOLDERS
from buyermap.services import relationships as svc
from buyermap.services.workspace import Workspace
from tests.relationship_world import seed_map

TIES_CSV = (
    "from_email;to_email;type;evidence;strength\n"
    "lucja@zabka.pl;stefan@zabka.pl;Reports to;schemat organizacyjny;\n"  # 2
    "JIRI@zabka.pl;stefan@zabka.pl;rywal;;4\n"  # 3: upper case email, Polish word
    "zofie@zabka.pl;jiri@zabka.pl;Informal Adviser;obiady w piątki;\n"  # 4
    "thordis@zabka.pl;lucja@zabka.pl;szövetséges;;\n"  # 5: Hungarian "ally"
    "aino@zabka.pl;thordis@zabka.pl;Golf partner;;\n"  # 6: the workspace's own type
    "nobody@zabka.pl;jiri@zabka.pl;ally;;\n"  # 7: unknown email
    "jiri@zabka.pl;lucja@zabka.pl;?!;;\n"  # 8: not a type
    "jiri@zabka.pl;jiri@zabka.pl;ally;;\n"  # 9: oneself
    "jiri@zabka.pl;lucja@zabka.pl;ally;;9\n"  # 10: strength out of range
)


def _file(tmp_path: Path, text: str = TIES_CSV) -> Path:
    path = tmp_path / "powiazania.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def _ties(session: Session) -> set[tuple[int, int, str, str | None, int | None]]:
    return {
        (t.from_contact_id, t.to_contact_id, t.kind, t.evidence, t.strength)
        for t in session.scalars(select(ContactRelationship))
    }


def test_ties_in_words_import_and_bad_rows_are_quarantined_with_their_line(
    session: Session, tmp_path: Path
) -> None:
    w = seed_map(session, ties=False)
    path = _file(tmp_path)
    refused = import_file(session, entity=EntityKind.RELATIONSHIPS, path=path)
    assert not refused.ok
    assert _ties(session) == set()
    report = import_file(
        session, entity=EntityKind.RELATIONSHIPS, path=path, options=ImportOptions(partial=True)
    )
    assert (report.imported, report.rejected) == (5, 4)
    reasons = {e.line: e.reason for e in report.errors}
    assert "no contact with email 'nobody@zabka.pl'" in reasons[7]
    assert "tie type '?!' is not a type" in reasons[8]
    assert "reports to (reports_to)" in reasons[8]
    assert "two different people" in reasons[9]
    assert "strength 9" in reasons[10]
    assert Path(str(report.quarantine_path)).exists()
    p = w.people
    assert _ties(session) == {
        (p["lucja"], p["stefan"], "reports_to", "schemat organizacyjny", None),
        (p["jiri"], p["stefan"], "conflicts_with", None, 4),
        (p["zofie"], p["jiri"], "informal_advisor", "obiady w piątki", None),
        (p["thordis"], p["lucja"], "allies_with", None, None),
        (p["aino"], p["thordis"], "golf_partner", None, None),
    }
    again = import_file(
        session, entity=EntityKind.RELATIONSHIPS, path=path, options=ImportOptions(partial=True)
    )
    assert (again.imported, again.updated) == (0, 0)
    changed = _file(
        tmp_path,
        "from_email,to_email,type,evidence\n"
        "lucja@zabka.pl,stefan@zabka.pl,reports_to,org chart 2026\n",
    )
    assert import_file(session, entity=EntityKind.RELATIONSHIPS, path=changed).updated == 1
    tie = svc.find_tie(session, from_id=p["lucja"], to_id=p["stefan"], kind="reports_to")
    assert tie is not None
    assert (tie.evidence, tie.version) == ("org chart 2026", 2)


TYPES = st.sampled_from(
    ["reports to", "influences", "ally", "rival", "informal advisor", "Golf partner"]
)
tie = st.fixed_dictionaries(
    {
        "type": TYPES,
        "evidence": st.none()
        | st.text(
            st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\x85"),
            min_size=1,
            max_size=30,
        )
        .map(lambda t: " ".join(t.split()) or None)
        # a cell reading "NULL" or "n/a" is a blank placeholder on import (documented)
        .filter(lambda t: t is None or t.lower() not in PLACEHOLDERS),
        "strength": st.none() | st.integers(1, 5),
    }
)


def test_exported_ties_import_back_the_same(workspace: Workspace, tmp_path: Path) -> None:
    with workspace.sessions() as s, s.begin():
        w = seed_map(s, ties=False)
    people = sorted(w.people.values())
    pairs = [(a, b) for a in people for b in people if a != b]

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        ties=st.lists(st.tuples(st.sampled_from(pairs), tie), min_size=1, max_size=6),
        suffix=st.sampled_from([".csv", ".xlsx"]),
    )
    def round_trip(ties: list[tuple[tuple[int, int], dict[str, Any]]], suffix: str) -> None:
        with workspace.sessions() as s, s.begin():
            s.execute(delete(ContactRelationship))
            done = set()
            for (a, b), fields in ties:
                kind = svc.check_type(s, fields["type"])
                if (a, b, kind) in done:
                    continue
                done.add((a, b, kind))
                svc.add_tie(s, from_id=a, to_id=b, data=svc.TieInput(**fields))
        with workspace.sessions() as s:
            before = _ties(s)
            out = tmp_path / f"ties{suffix}"
            export_file(s, entity=EntityKind.RELATIONSHIPS, path=out)
        with workspace.sessions() as s, s.begin():
            s.execute(delete(ContactRelationship))
        with workspace.sessions() as s, s.begin():
            report = import_file(s, entity=EntityKind.RELATIONSHIPS, path=out)
            assert report.ok, report.errors
        with workspace.sessions() as s:
            assert _ties(s) == before

    round_trip()
