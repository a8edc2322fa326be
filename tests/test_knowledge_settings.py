"""The knowledge settings fail loudly at start-up with the bad value."""

from __future__ import annotations

import pytest

from buyermap.errors import ConfigError
from buyermap.settings import load_settings, parse_tier_floors


@pytest.mark.parametrize("bad", ["100,200,50", "100,50", "a,b,c", "100,50,0"])
def test_tier_floors_that_do_not_fall_fail_loudly(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("BUYERMAP_KNOWLEDGE_TIERS", bad)
    with pytest.raises(ConfigError, match="BUYERMAP_KNOWLEDGE_TIERS"):
        load_settings()


def test_tier_floors_and_stale_days_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BUYERMAP_KNOWLEDGE_TIERS", "100000, 25000, 5000")
    monkeypatch.setenv("BUYERMAP_KNOWLEDGE_STALE_DAYS", "90")
    settings = load_settings()
    assert settings.knowledge_stale_days == 90
    assert parse_tier_floors(settings.knowledge_tiers or "") == (100000.0, 25000.0, 5000.0)
    monkeypatch.setenv("BUYERMAP_KNOWLEDGE_STALE_DAYS", "0")
    with pytest.raises(ConfigError, match="KNOWLEDGE_STALE_DAYS"):
        load_settings()
