"""The committee export imports back unchanged (hypothesis round trip, SQLite and
PostgreSQL), in CSV and XLSX."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from buyermap.db.models import CommitteeMember
from buyermap.domain.committee import DEFAULT_ROLES
from buyermap.domain.enums import Attitude, EntityKind
from buyermap.io.exporters import export_file
from buyermap.io.importer import import_file
from buyermap.io.validate import PLACEHOLDERS
from buyermap.services import committee as svc
from buyermap.services.workspace import Workspace
from tests.seams.test_committee_seam import seed

# Text people type into positions and notes: our markets' letters, separators and quotes.
LETTERS = "aąćęłńóśźżăâîșțčďěňřšťůžáéíóöőúüűðþæýäõ"
text = (
    st.text(
        alphabet=st.sampled_from(list(LETTERS + LETTERS.upper() + " ;,'\"-/()0123456789")),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    # a cell that reads as a blank placeholder ("-", "n/a", ...) is a blank on import
    .filter(lambda s: bool(s) and s.lower() not in PLACEHOLDERS)
)
member = st.fixed_dictionaries(
    {
        "role": st.sampled_from([k for k, _ in DEFAULT_ROLES]),
        "influence": st.none() | st.integers(1, 5),
        "attitude": st.sampled_from([a.value for a in Attitude]),
        "formal_position": st.none() | text,
        "real_position": st.none() | text,
        "relation": st.none() | text,
        "evidence": st.none() | text,
        "verified_at": st.none()
        | st.datetimes(datetime(2020, 1, 1), datetime(2026, 11, 30)).map(
            lambda d: d.replace(microsecond=0)
        ),
    }
)


def _dump(workspace: Workspace) -> list[tuple[object, ...]]:
    with workspace.sessions() as s:
        return [
            (
                m.deal_id,
                m.account_id,
                m.contact_id,
                m.role,
                m.influence,
                m.attitude,
                m.formal_position,
                m.real_position,
                m.relation,
                m.evidence,
                m.verified_at,
            )
            for m in s.scalars(select(CommitteeMember).order_by(CommitteeMember.contact_id))
        ]


def test_an_exported_committee_imports_back_unchanged(workspace: Workspace, tmp_path: Path) -> None:
    with workspace.sessions() as s, s.begin():
        world = seed(s)
    people = list(world.contacts.values())

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        members=st.lists(member, min_size=1, max_size=5),
        on_account=st.booleans(),
        suffix=st.sampled_from([".csv", ".xlsx"]),
    )
    def round_trip(members: list[dict[str, Any]], on_account: bool, suffix: str) -> None:
        with workspace.sessions() as s, s.begin():
            s.execute(delete(CommitteeMember))
            for contact_id, fields in zip(people, members, strict=False):
                svc.add_member(
                    s,
                    contact_id=contact_id,
                    deal_id=None if on_account else world.deals["big"],
                    account_id=world.accounts["zabka"] if on_account else None,
                    data=svc.MemberInput(**fields),
                )
        before = _dump(workspace)
        out = tmp_path / f"committee{suffix}"
        with workspace.sessions() as s:
            export_file(s, entity=EntityKind.COMMITTEE, path=out)
        with workspace.sessions() as s, s.begin():
            s.execute(delete(CommitteeMember))
        with workspace.sessions() as s, s.begin():
            report = import_file(s, entity=EntityKind.COMMITTEE, path=out)
            assert report.ok, report.errors
        assert _dump(workspace) == before

    round_trip()
