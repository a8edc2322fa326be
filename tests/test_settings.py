"""Settings: strict parsing, database URLs from paths."""

from __future__ import annotations

import pytest

from buyermap.errors import ConfigError
from buyermap.settings import database_url, load_settings


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("buyermap.db", "sqlite:///buyermap.db"),
        ("/data/sales.db", "sqlite:////data/sales.db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_it_turns_a_path_or_url_into_a_database_url(given: str, expected: str) -> None:
    assert database_url(given) == expected


def test_it_rejects_an_unknown_database_scheme() -> None:
    with pytest.raises(ConfigError, match="unknown database scheme 'mysql'"):
        database_url("mysql://localhost/x")


def test_it_reads_the_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYERMAP_DATABASE_URL", "team.db")
    assert load_settings().database_url == "sqlite:///team.db"


def test_an_invalid_port_fails_loudly_with_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUYERMAP_PORT", "eighty")
    with pytest.raises(ConfigError, match="BUYERMAP_PORT='eighty'"):
        load_settings()


def test_the_default_workspace_is_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUYERMAP_DATABASE_URL", raising=False)
    assert load_settings().database_url == "sqlite:///buyermap.db"
