"""Stage analytics on a tiny hand-written history (see conftest.TINY for the story)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from buyermap.analytics.pipeline.forecast import stage_win_rates
from buyermap.analytics.pipeline.history import cutoff_of, read_history_file
from buyermap.analytics.pipeline.paths import snapshot
from buyermap.analytics.pipeline.stats import StatsQuery, run_stats
from buyermap.errors import InvalidValueError

AS_OF = date(2025, 2, 10)


@pytest.fixture
def stats(tiny_csv: Path) -> dict[str, Any]:
    return run_stats(read_history_file(tiny_csv), StatsQuery(as_of=AS_OF)).to_dict()


def test_the_conversion_table_is_the_hand_computed_one(stats: dict[str, Any]) -> None:
    lead, demo = stats["stages"]
    # Lead: all 5 reached it, D still there; A, B and E reached Demo; 1 won of 3 closed
    assert (lead["reached"], lead["resolved"], lead["to_next"]) == (5, 4, 3)
    assert lead["conversion_to_next"] == 0.75
    assert lead["win_rate"] == pytest.approx(1 / 3, abs=1e-4)
    # Demo: A, B, E reached it, E still there; A won
    assert (demo["reached"], demo["resolved"], demo["to_next"]) == (3, 2, 1)
    assert demo["conversion_to_next"] == 0.5


def test_time_in_stage_is_kaplan_meier_with_open_deals_censored(stats: dict[str, Any]) -> None:
    # Lead stays: 10, 5, 30, 4 days left; D has waited 10 days so far (censored)
    lead = stats["stages"][0]["time_in_stage"]
    assert (lead["n"], lead["left"], lead["censored"]) == (5, 4, 1)
    assert lead["median_days"] == 10.0
    assert lead["p90_days"] == 30.0


def test_losses_say_where_and_why(stats: dict[str, Any]) -> None:
    assert stats["losses"] == [
        {"last_stage": "Lead", "lost": 1, "amount": 300.0, "reasons": {"timing": 1}},
        {"last_stage": "Demo", "lost": 1, "amount": 200.0, "reasons": {"price": 1}},
    ]


def test_cohorts_are_by_creation_month(stats: dict[str, Any]) -> None:
    jan, feb = stats["cohorts"]
    assert (jan["month"], jan["deals"], jan["won"], jan["lost"]) == ("2025-01", 3, 1, 2)
    assert (feb["month"], feb["deals"], feb["open"]) == ("2025-02", 2, 2)
    assert jan["median_days_to_close"] == 20.0


def test_velocity_uses_open_deals_win_rate_size_and_cycle(stats: dict[str, Any]) -> None:
    v = stats["velocity"]
    # 2 open x 120 won amount x 1/3 win rate / 20 days to win, per 30 days
    assert v["velocity_per_30_days"] == pytest.approx(2 * 120 / 3 / 20 * 30, abs=0.01)


def test_breakdowns_cover_segment_and_owner(stats: dict[str, Any]) -> None:
    by_segment = {r["value"]: r for r in stats["breakdowns"]["segment"]}
    assert by_segment["smb"]["deals"] == 3
    assert by_segment["ent"]["lost"] == 1
    assert set(stats["breakdowns"]) == {"segment", "owner"}


def test_stale_deals_waited_past_the_stage_p90(tmp_path: Path) -> None:
    # nine deals leave Lead after 1..9 days (p90 = 9 days); X has waited 31 days
    rows = [f"{i},Lead,2025-01-01,10\n{i},Won,2025-01-{1 + i:02d},10\n" for i in range(1, 10)]
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount\n" + "".join(rows) + "X,Lead,2025-01-01,5\n")
    stale = run_stats(read_history_file(path), StatsQuery(as_of=date(2025, 1, 31))).to_dict()
    assert stale["stale"]["deals"] == [
        {
            "deal_id": "X",
            "stage": "Lead",
            "days_in_stage": 31.0,
            "stage_p90_days": 9.0,
            "amount": 5.0,
        }
    ]


def test_an_unknown_breakdown_column_lists_the_valid_ones(tiny_csv: Path) -> None:
    with pytest.raises(InvalidValueError, match=r"no column 'region'.*segment, owner"):
        run_stats(read_history_file(tiny_csv), StatsQuery(by="region"))


def test_the_weighted_pipeline_rates_are_stage_win_rates(tiny_csv: Path) -> None:
    snap = snapshot(read_history_file(tiny_csv), cutoff_of(AS_OF))
    assert stage_win_rates(snap).tolist() == pytest.approx([1 / 3, 1 / 2])
