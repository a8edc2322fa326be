"""Reading stage histories: normalisation and errors that say what and where."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buyermap.analytics.pipeline.history import read_history_file
from buyermap.errors import InputFileError, InvalidValueError


def test_it_recognises_won_and_lost_by_name_in_any_case(tiny_csv: Path) -> None:
    h = read_history_file(tiny_csv)
    assert h.stages.open_stages == ("Lead", "Demo")
    assert h.stages.won == ("closed won",)
    assert h.stages.lost == ("Closed Lost",)
    assert set(h.frame["kind"].to_list()) == {"open", "won", "lost"}


def test_it_carries_amounts_forward_within_a_deal(tiny_csv: Path) -> None:
    h = read_history_file(tiny_csv)
    a = h.frame.filter(h.frame["deal_id"] == "A")
    assert a["amount"].to_list() == [100.0, 100.0, 120.0]
    assert a["changed_at"][0] == datetime(2025, 1, 1)


def test_it_infers_the_order_from_the_paths(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "deal_id,stage,changed_at,amount\n"
        "1,Pitch,2025-01-05,1\n1,Intro,2025-01-01,1\n1,Won,2025-01-09,1\n"
        "2,Intro,2025-01-01,1\n2,Pitch,2025-01-02,1\n2,Deal,2025-01-03,1\n2,Lost,2025-01-04,1\n"
    )
    assert read_history_file(path).stages.open_stages == ("Intro", "Pitch", "Deal")


def test_given_stage_names_decide_the_order_and_the_terminal_stages(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        "deal_id,stage,changed_at,amount\n1,b,2025-01-01,1\n1,a,2025-01-02,1\n1,Signed,2025-01-03,1\n"
    )
    h = read_history_file(path, stages=["b", "a"], won_stages=["signed"])
    assert h.stages.open_stages == ("b", "a")
    assert h.stages.won == ("Signed",)


def test_it_rejects_a_stage_outside_the_given_order(tiny_csv: Path) -> None:
    with pytest.raises(InvalidValueError, match=r"'Demo' is not in the stage order.*Lead"):
        read_history_file(tiny_csv, stages=["Lead"])


def test_it_names_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,amount\n1,Lead,3\n")
    with pytest.raises(InvalidValueError, match=r"h.csv: missing column 'changed_at'"):
        read_history_file(path)


def test_it_names_the_row_and_column_of_a_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount\n1,Lead,2025-01-01,3\n1,Won,yesterday,3\n")
    with pytest.raises(InvalidValueError, match=r"row 2, column 'changed_at'.*'yesterday'"):
        read_history_file(path)


def test_it_names_a_bad_amount(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount\n1,Lead,2025-01-01,lots\n1,Won,2025-02-01,3\n")
    with pytest.raises(InvalidValueError, match=r"row 1, column 'amount'.*'lots'"):
        read_history_file(path)


def test_it_needs_a_won_stage(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount\n1,Lead,2025-01-01,3\n")
    with pytest.raises(InvalidValueError, match=r"name the won stage \(won_stages\)") as err:
        read_history_file(path)
    assert "--" not in err.value.message  # the API shows it too; the CLI adds its option
    assert err.value.details == {"parameter": "won_stages"}


def test_it_rejects_unknown_file_types(tmp_path: Path) -> None:
    path = tmp_path / "h.xml"
    path.write_text("<x/>")
    with pytest.raises(InputFileError, match=r"\.xml"):
        read_history_file(path)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["Lead", "lead ", "Demo", "WON", "closed lost"]),
            st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31)),
            st.one_of(st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_any_valid_file_reads_back_sorted_with_every_row(
    rows: list[tuple[str, str, date, float | None]], tmp_path: Path
) -> None:
    rows = [*rows, ("z", "Won", date(2024, 6, 1), 1.0)]
    path = tmp_path / "h.csv"
    lines = [f"{d},{s},{t.isoformat()},{'' if a is None else repr(a)}" for d, s, t, a in rows]
    path.write_text("deal_id,stage,changed_at,amount\n" + "\n".join(lines) + "\n")
    h = read_history_file(path)
    assert h.frame.height == len(rows)
    assert h.frame.equals(h.frame.sort("deal_id", "changed_at", "row"))
    names = set(h.frame["stage"].to_list())  # one spelling per stage, the first one seen
    assert len({n.lower() for n in names}) == len(names)
    assert {n.lower() for n in names} <= {"lead", "demo", "won", "closed lost"}
    assert (h.frame["amount"] >= 0).all()
    assert {n.lower() for n in h.stages.open_stages} <= {"lead", "demo"}


def test_terminal_stages_listed_in_the_order_stay_terminal(tiny_csv: Path) -> None:
    h = read_history_file(tiny_csv, stages=["Lead", "Demo", "Closed Won", "Closed Lost"])
    assert h.stages.open_stages == ("Lead", "Demo")
    assert h.stages.won == ("closed won",)
