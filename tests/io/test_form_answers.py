"""Form answers: Google Forms-shaped CSVs and their timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyermap.errors import InputFileError, InvalidValueError
from buyermap.io.form_answers import decode, parse_timestamp, read_form


def test_both_google_layouts_are_read_as_utc() -> None:
    assert parse_timestamp("2026/03/14 9:15:02 AM GMT+1") == datetime(
        2026, 3, 14, 8, 15, 2, tzinfo=UTC
    )
    assert parse_timestamp("2026/03/14 9:15:02 PM GMT-2") == datetime(
        2026, 3, 14, 23, 15, 2, tzinfo=UTC
    )
    assert parse_timestamp("14.03.2026 09:15:02") == datetime(2026, 3, 14, 9, 15, 2, tzinfo=UTC)


def test_a_timestamp_that_is_no_time_is_refused_by_name() -> None:
    with pytest.raises(InvalidValueError, match="'yesterday'"):
        parse_timestamp("yesterday")


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.integers(min_value=-12, max_value=14),
)
def test_a_google_timestamp_round_trips(when: datetime, hours: int) -> None:
    when = when.replace(microsecond=0)
    sign = "+" if hours >= 0 else "-"
    text = when.strftime("%Y/%m/%d %I:%M:%S %p") + f" GMT{sign}{abs(hours)}"
    expected = (when - timedelta(hours=hours)).replace(tzinfo=UTC)
    assert parse_timestamp(text) == expected


CSV = (
    "\ufeffTimestamp,Email Address,Co Cię powstrzymuje?,Dlaczego?\r\n"
    '2026/03/14 9:15:02 AM GMT+1,Zofia@Example.PL,"Cena, za wysoka",\r\n'
    '14.03.2026 09:15:02,,"Wdrożenie\r\ntrwa za długo",Brak integracji\r\n'
    "not a time,x@example.pl,Cena,\r\n"
)


def test_a_google_forms_export_keeps_answers_and_quarantines_bad_rows() -> None:
    table = read_form(decode(CSV.encode("utf-8")))
    assert table.questions == ["Co Cię powstrzymuje?", "Dlaczego?"]
    first, second = table.responses
    assert first.email == "zofia@example.pl"
    assert first.answers == (("Co Cię powstrzymuje?", "Cena, za wysoka"),)
    assert second.line == 3
    assert second.answers[0] == ("Co Cię powstrzymuje?", "Wdrożenie trwa za długo")
    assert table.empty_answers == 1
    assert [(b.line, "not a time" in b.reason) for b in table.bad] == [(5, True)]


def test_a_question_too_long_to_keep_is_refused_naming_its_length() -> None:
    header = "Timestamp," + "Dlaczego " * 60 + "\n2026/03/14 9:15:02 AM GMT+1,Cena\n"
    with pytest.raises(InputFileError, match="has 539 characters; at most 500"):
        read_form(header)


def test_an_email_too_long_to_keep_is_a_bad_row() -> None:
    text = "Timestamp,Email Address,Q?\n14.03.2026 09:15:02," + "a" * 330 + "@x.pl,Cena\n"
    table = read_form(text)
    assert table.responses == []
    assert [(b.line, b.column) for b in table.bad] == [(2, "Email Address")]
