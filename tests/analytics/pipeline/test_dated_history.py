"""Unknown opening dates and snapshot changes: left out where they cannot be dated, and
counted (SQLite and PostgreSQL). The numbers are worked out by hand in tests/.../dated.py."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy.orm import Session

from buyermap.analytics.pipeline.backtest import realised
from buyermap.analytics.pipeline.forecast import ForecastQuery, run_forecast
from buyermap.analytics.pipeline.history import cutoff_of, read_history_file
from buyermap.analytics.pipeline.paths import describe_left_out
from buyermap.analytics.pipeline.stats import StatsQuery, run_stats
from buyermap.analytics.pipeline.workspace import load_workspace_history
from buyermap.db.models import Deal
from buyermap.errors import InvalidValueError
from buyermap.schemas.entities import StageChangeUpdate
from buyermap.services import deals
from tests.analytics.pipeline.dated import IMPORT, deal, forecast_book, small_book

AS_OF = date(2025, 6, 30)


@pytest.fixture
def book(session: Session) -> dict[str, Any]:
    ids = small_book(session)
    stats = run_stats(load_workspace_history(session), StatsQuery(as_of=AS_OF)).to_dict()
    return {"ids": ids, "stats": stats}


def test_the_loader_passes_on_opening_dates_and_snapshots(session: Session) -> None:
    ids = small_book(session)
    frame = load_workspace_history(session).frame
    opened = dict(frame.group_by("deal_id").agg(pl.col("opened_at").first()).iter_rows())
    assert opened[str(ids["B"])] == datetime(2025, 2, 5)
    assert opened[str(ids["C"])] is None
    snapshots = frame.filter(frame["is_snapshot"])["deal_id"].to_list()
    assert sorted(snapshots) == sorted([str(ids["E"]), str(ids["G"])])


def test_cohorts_are_by_opening_month_not_close_month(book: dict[str, Any]) -> None:
    cohorts = {c["month"]: c for c in book["stats"]["cohorts"]}
    # B was opened in February and won in March: a February deal
    assert sorted(cohorts) == ["2025-01", "2025-02", "2025-03", "2025-05"]
    assert cohorts["2025-02"]["won"] == 1
    assert cohorts["2025-02"]["median_days_to_close"] == 30.0
    assert cohorts["2025-02"]["median_days_to_win"] == 30.0


def test_days_to_win_run_from_the_opening_date(book: dict[str, Any]) -> None:
    s = book["stats"]
    # A: 01-10 -> 02-09, B: 02-05 -> 03-07; C and D have no opening date
    assert s["velocity"]["median_days_to_win"] == 30.0
    won = s["time_to_close"]["won"]
    assert (won["n"], won["median_days"]) == (2, 30.0)
    # A and B closed, F still open (censored); C, D, E undated, G's close undated
    assert s["time_to_close"]["all_closed"]["n"] == 3


def test_unknown_openings_are_counted_and_still_in_win_rates(book: dict[str, Any]) -> None:
    s = book["stats"]
    assert s["left_out"] == {
        "opening_date_unknown": 3,  # C, D, E
        "close_date_unknown": 1,  # G
        "snapshot_stays": 2,  # E in Qualified (starts at the import), G in Lead (ends there)
        "open_days_in_stage_unknown": 1,  # E
    }
    v = s["velocity"]
    assert (v["deals"], v["won"], v["lost"], v["open"]) == (7, 3, 2, 2)
    assert v["win_rate"] == 0.6
    assert sum(c["deals"] for c in s["cohorts"]) == 4
    qualified = next(r for r in s["stages"] if r["stage"] == "Qualified")
    assert qualified["reached"] == 5  # A, B, D (won reaches all), E, F
    assert qualified["open_now"] == 2


def test_snapshot_stays_are_left_out_of_time_in_stage(book: dict[str, Any]) -> None:
    stages = {r["stage"]: r["time_in_stage"] for r in book["stats"]["stages"]}
    # Lead: A 10 days, F 10 days; G's stay ends at a snapshot, so its length is unknown
    assert (stages["Lead"]["n"], stages["Lead"]["left"], stages["Lead"]["median_days"]) == (
        2,
        2,
        10.0,
    )
    # Qualified: A 20 days (left), F censored; E's stay starts at the import
    assert (stages["Qualified"]["n"], stages["Qualified"]["left"]) == (2, 1)


def test_a_close_seen_only_at_an_import_has_no_close_date(
    session: Session, book: dict[str, Any]
) -> None:
    g = session.get(Deal, book["ids"]["G"])
    assert g is not None
    assert (g.status, g.closed_at) == ("lost", None)
    b = session.get(Deal, book["ids"]["B"])
    assert b is not None
    assert b.closed_at == datetime(2025, 3, 7)


def test_snapshot_open_deals_are_stale_only_on_what_is_known(session: Session) -> None:
    forecast_book(session)
    s = run_stats(load_workspace_history(session), StatsQuery(as_of=AS_OF)).to_dict()
    stale = {d["deal_id"]: d for d in s["stale"]["deals"]}
    # Qualified p90 is 5 days (the twelve closed deals); S2 sat there at least 61 days
    s2 = next(d for d in stale.values() if d["days_in_stage"] == 61.0)
    assert s2["days_in_stage_at_least"] is True


def test_the_forecast_runs_and_counts_open_snapshot_deals(session: Session) -> None:
    ids = forecast_book(session)
    result = run_forecast(
        load_workspace_history(session),
        ForecastQuery(as_of=AS_OF, simulations=200, bootstrap=0),
    )
    assert result.open_deals == 6  # F1, F2 and the four snapshot deals
    assert result.evidence["left_out"]["open_days_in_stage_unknown"] == 4
    assert result.evidence["left_out"]["snapshot_stays"] == 4
    assert result.evidence["left_out"]["opening_date_unknown"] == 3
    by_id = {d.deal_id: d for d in result.deals}
    ages = {
        name: by_id[str(ids[name])].days_in_stage for name in ("F1", "F2", "S1", "S2", "S3", "S4")
    }
    # dated: their own; S1: the median of F1 and F2 (16) over its 6 known days; S2: its 61
    # known days; S3: at most 3 days (opened 06-28); S4: no dated deal in Proposal, 6 days
    assert ages == {"F1": 21.0, "F2": 11.0, "S1": 16.0, "S2": 61.0, "S3": 3.0, "S4": 6.0}
    assert [by_id[str(ids[n])].days_in_stage_known for n in ("F1", "S1")] == [True, False]
    assert result.open_pipeline.p10 <= result.open_pipeline.expected <= result.open_pipeline.p90
    assert result.to_dict()["deals"][0]["days_in_stage_known"] in (True, False)


def test_a_backtest_books_wins_by_their_dates_and_opening(session: Session) -> None:
    small_book(session)
    history = load_workspace_history(session)
    # wins in March-April: B (03-07) was opened 02-05, before the cut, but the history
    # shows nothing of it then: neither open at the cut nor new. D (opening unknown,
    # first seen when won on 04-15) counts as new.
    booked = realised(history, cutoff_of(date(2025, 2, 28)), 60)
    assert (booked.open_pipeline, booked.new_deals) == (0.0, 1000.0)
    # in June only G's loss and E's stage were seen, at the import: nothing booked
    june = realised(history, cutoff_of(date(2025, 5, 31)), 30)
    assert (june.open_pipeline, june.new_deals) == (0.0, 0.0)


def test_a_won_snapshot_is_not_booked_at_the_import(session: Session) -> None:

    deal(session, name="W", opened_at=None, changes=[("Closed Won", IMPORT, True)])
    small_book(session)
    booked = realised(load_workspace_history(session), cutoff_of(date(2025, 5, 31)), 30)
    assert booked.new_deals == 0.0


# --- files ----------------------------------------------------------------------------


def test_a_file_without_dating_columns_opens_deals_at_their_first_change(
    tiny_csv: Path,
) -> None:
    h = read_history_file(tiny_csv)
    first = h.frame.filter(h.frame["deal_id"] == "E")
    assert first["opened_at"].to_list() == [datetime(2025, 2, 1)] * 2
    assert not h.frame["is_snapshot"].any()
    assert "opened_at" not in h.extra_columns
    assert "is_snapshot" not in h.extra_columns


def test_a_file_may_say_when_deals_opened_and_which_rows_are_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "deal_id,stage,changed_at,amount,opened_at,is_snapshot\n"
        "A,Closed Won,2025-03-07,10,2025-02-05,\n"
        "B,Lead,2025-06-01,10,,yes\n"
    )
    h = read_history_file(path)
    assert h.frame["opened_at"].to_list() == [datetime(2025, 2, 5), None]
    assert h.frame["is_snapshot"].to_list() == [False, True]
    s = run_stats(h, StatsQuery(as_of=IMPORT.date())).to_dict()
    assert [c["month"] for c in s["cohorts"]] == ["2025-02"]
    assert s["left_out"]["opening_date_unknown"] == 1


def test_a_bad_snapshot_flag_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount,is_snapshot\nA,Won,2025-03-07,10,maybe\n")
    with pytest.raises(InvalidValueError, match=r"row 1, column 'is_snapshot'.*'maybe'"):
        read_history_file(path)


def test_a_bad_opening_date_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount,opened_at\nA,Won,2025-03-07,10,soon\n")
    with pytest.raises(InvalidValueError, match=r"row 1, column 'opened_at'.*'soon'"):
        read_history_file(path)


def test_giving_a_snapshot_its_move_date_makes_it_a_real_move(session: Session) -> None:
    ids = small_book(session)
    snapshot = deals.stage_changes(session, deal_id=ids["G"])[-1]
    assert snapshot.is_snapshot
    deals.update_stage_change(
        session,
        change_id=snapshot.id,
        data=StageChangeUpdate(changed_at=datetime(2025, 3, 21)),
    )
    g = session.get(Deal, ids["G"])
    assert g is not None
    assert (snapshot.is_snapshot, g.closed_at) == (False, datetime(2025, 3, 21))
    s = run_stats(load_workspace_history(session), StatsQuery(as_of=AS_OF)).to_dict()
    assert s["left_out"]["close_date_unknown"] == 0
    march = next(c for c in s["cohorts"] if c["month"] == "2025-03")
    assert march["median_days_to_close"] == 20.0


def test_left_out_is_said_in_words_singular_and_plural() -> None:
    lines = describe_left_out(
        {"opening_date_unknown": 812, "close_date_unknown": 1, "snapshot_stays": 2}
    )
    assert lines == [
        "812 deals have no opening date: left out of cohorts and cycle times.",
        "1 closed deal has no close date (only seen closed at an import): left out of cycle times.",
        "2 stays start or end at an import rather than a known move: left out of time in stage.",
    ]
    assert describe_left_out({"opening_date_unknown": 0}) == []
