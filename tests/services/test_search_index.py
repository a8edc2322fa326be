"""The lists' search answered from the search index finds exactly what a substring filter
finds, on SQLite (FTS5 trigram tables kept by triggers) and PostgreSQL (pg_trgm indexes)."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AccountContact, Contact, Deal, Pipeline, Stage, User
from buyermap.db.search_index import SEARCH_COLUMNS, fts_table, trigram_index
from buyermap.domain.enums import EntityKind
from buyermap.io.importer import ImportOptions, import_file
from buyermap.schemas.entities import AccountCreate, AccountUpdate
from buyermap.services.accounts import create_account, delete_account, list_accounts, update_account
from buyermap.services.contacts import list_contacts
from buyermap.services.deals import list_deals
from buyermap.services.listing import ListQuery, search_clause
from buyermap.services.workspace import Workspace

LETTERS = (
    "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"  # Polish
    "čďěňřšťůýžČĎĚŇŘŠŤŮÝŽ"  # Czech
    "őűáéíöüŐŰÁÉÍÖÜ"  # Hungarian
    "ðþæÐÞÆ"  # Icelandic
    "ăâîșțĂÂÎȘȚ"  # Romanian
    "äåÄÅ"  # Finnish
    "aAbBkKoOsStTeE"
)
SPECIAL = " %_'\"*-^:(){}+.\\"
# words FTS5 would read as operators, and pieces that make substrings meet across them
WORDS = ("NEAR", "OR", "AND", "NOT", "near", "or", "Łódź", "Škoda", "Þór", "Ștefan", "Ölkö")
piece = st.one_of(st.sampled_from(LETTERS + SPECIAL), st.sampled_from(WORDS))
value = st.lists(piece, min_size=1, max_size=5).map("".join)
maybe_value = st.one_of(st.none(), value)
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def folded(backend: str, text: str) -> str:
    """How the backend's search folds case: SQLite's LIKE folds ASCII letters only,
    PostgreSQL's ILIKE every letter (these alphabets map one letter to one letter)."""
    return text.lower() if backend == "postgresql" else text.translate(ASCII_LOWER)


def contains(backend: str, haystack: str | None, needle: str) -> bool:
    return haystack is not None and folded(backend, needle) in folded(backend, haystack)


@dataclass(frozen=True)
class Row:
    name: str
    other: str | None
    owner: str
    stage: str


rows = st.lists(
    st.builds(
        Row, name=value, other=maybe_value, owner=value, stage=st.sampled_from(["Qualify", "Ne"])
    ),
    min_size=1,
    max_size=6,
)


@st.composite
def data_and_needle(draw: st.DrawFn) -> tuple[list[Row], str]:
    """Rows and a needle of 1 to 6 characters: often a piece of a value (in other case)."""
    data = draw(rows)
    values = [v for r in data for v in (r.name, r.other, r.owner, r.stage) if v]
    source = draw(st.sampled_from(values))
    start = draw(st.integers(0, len(source) - 1))
    taken = source[start : start + draw(st.integers(1, 6))]
    if draw(st.booleans()):
        taken = "".join(c.swapcase() if draw(st.booleans()) else c for c in taken)
    needle = draw(st.one_of(st.just(taken), value.map(lambda v: v[:6])))
    return data, needle


def _seed(session: Session, data: list[Row]) -> None:
    pipeline = Pipeline(name="Search", is_default=True)
    session.add(pipeline)
    session.flush()
    stages = {
        name: Stage(pipeline_id=pipeline.id, name=name, position=i, kind="open")
        for i, name in enumerate(["Qualify", "Ne"])
    }
    session.add_all(stages.values())
    session.flush()
    for i, r in enumerate(data):
        owner = User(name=r.owner)
        account = Account(name=r.name, domain=None, industry=r.other, country=r.other)
        person = Contact(first_name=r.name, last_name=r.other, email=None, job_title=r.other)
        session.add_all([owner, account, person])
        session.flush()
        session.add(AccountContact(account_id=account.id, contact_id=person.id))
        session.add(
            Deal(
                name=r.name,
                source=r.other,
                account_id=account.id,
                pipeline_id=pipeline.id,
                stage_id=stages[r.stage].id,
                status="open",
                owner_id=owner.id,
                currency="EUR",
                opened_at=datetime(2025, 1, 1 + i, tzinfo=UTC),
            )
        )
    session.flush()


def _expected(backend: str, data: list[Row], needle: str) -> dict[str, list[str]]:
    q = needle.strip()

    def hit(*values: str | None) -> bool:
        return not q or any(contains(backend, v, q) for v in values)

    return {
        "accounts": sorted(r.name for r in data if hit(r.name, r.other, r.other)),
        # a contact's own fields or the name of the company it works at (the same name here)
        "contacts": sorted(r.name for r in data if hit(r.name, r.other, r.other)),
        "deals": sorted(r.name for r in data if hit(r.name, r.other, r.stage, r.owner)),
    }


def _found(session: Session, needle: str) -> dict[str, list[str]]:
    query = ListQuery(q=needle, page_size=1000)
    return {
        "accounts": sorted(a.name for a in list_accounts(session, query=query).items),
        "contacts": sorted(c.first_name or "" for c in list_contacts(session, query=query).items),
        "deals": sorted(d.name for d in list_deals(session, query=query).items),
    }


@pytest.fixture
def backend(workspace: Workspace) -> str:
    return workspace.engine.dialect.name


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=data_and_needle())
def test_the_indexed_search_finds_exactly_the_rows_that_contain_the_text(
    workspace: Workspace, backend: str, case: tuple[list[Row], str]
) -> None:
    data, needle = case
    with workspace.sessions() as session, session.begin():
        _seed(session, data)
        try:
            assert _found(session, needle) == _expected(backend, data, needle)
        finally:
            session.rollback()


def _names(session: Session, q: str) -> list[str]:
    return [a.name for a in list_accounts(session, query=ListQuery(q=q)).items]


def _index_matches_the_table(session: Session) -> None:
    """SQLite: FTS5 compares every index with its table (an error when they differ)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCH_COLUMNS:
        fts = fts_table(table)
        session.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))


def test_the_index_follows_creates_updates_and_deletes(session: Session) -> None:
    made = create_account(session, data=AccountCreate(name="Przędzalnia Żyrardów"))
    assert _names(session, "ędzal") == ["Przędzalnia Żyrardów"]
    update_account(session, account_id=made.id, data=AccountUpdate(name="Tkalnia Łódź"))
    assert _names(session, "ędzal") == []
    assert _names(session, "kalni") == ["Tkalnia Łódź"]
    update_account(session, account_id=made.id, data=AccountUpdate(employees=40))
    assert _names(session, "kalni") == ["Tkalnia Łódź"]
    _index_matches_the_table(session)
    delete_account(session, account_id=made.id)
    assert _names(session, "kalni") == []
    _index_matches_the_table(session)


def test_the_index_follows_a_bulk_import_and_its_updates(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"

    def imported(rows: list[tuple[str, str]]) -> None:
        path.write_text(
            "Company name,Website\n" + "".join(f"{n},{d}\n" for n, d in rows), encoding="utf-8"
        )
        import_file(session, entity=EntityKind.ACCOUNTS, path=path, options=ImportOptions())

    imported([(f"Vesivoima {i} Oy", f"vesi{i}.fi") for i in range(50)])
    assert len(list_accounts(session, query=ListQuery(q="voima")).items) == 50
    imported([(f"Hőerőmű {i} Kft", f"vesi{i}.fi") for i in range(50)])  # the same domains
    assert list_accounts(session, query=ListQuery(q="voima")).total == 0
    assert list_accounts(session, query=ListQuery(q="őerő")).total == 50
    _index_matches_the_table(session)


def test_every_searched_column_has_its_index_at_head(workspace: Workspace) -> None:
    """A later migration that rebuilds a table on SQLite drops its triggers: this notices."""
    with workspace.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            expected = {
                f"{fts_table(t)}_{what}"
                for t in SEARCH_COLUMNS
                for what in ("insert", "update", "delete")
            }
        else:
            found = set(conn.scalars(text("SELECT indexname FROM pg_indexes")))
            expected = {trigram_index(t) for t in SEARCH_COLUMNS}
    assert expected <= found


@pytest.fixture
def pg_search_plan(workspace: Workspace) -> Iterator[Session]:
    if workspace.engine.dialect.name != "postgresql":
        pytest.skip("the trigram indexes are PostgreSQL's")
    with workspace.sessions() as session, session.begin():
        yield session
        session.rollback()


def test_postgresql_answers_a_search_from_the_trigram_index(pg_search_plan: Session) -> None:
    session = pg_search_plan
    session.execute(
        insert(Account),
        [
            {"name": f"Firma {i}", "country": "Polska", "custom": {}, "extra": {}}
            for i in range(20_000)
        ],
    )
    session.execute(text("ANALYZE accounts"))
    # at 20k rows a sequential scan costs less; what this checks is that the query's
    # expression is the index's (at 100k the planner picks the index by itself: see 0007)
    session.execute(text("SET LOCAL enable_seqscan = off"))
    stmt = select(func.count()).where(
        search_clause(session, "rma 1234", [Account.name, Account.domain, Account.country])
    )
    compiled = stmt.compile(session.get_bind())
    explained = session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    plan = "\n".join(row[0] for row in explained)
    assert trigram_index("accounts") in plan, plan
