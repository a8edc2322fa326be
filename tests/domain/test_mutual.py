"""Mutual fit, the buyer's side: criteria judged against our seller profile."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from buyermap.domain.mutual import (
    Criterion,
    Operator,
    check_criterion,
    mutual_fit,
    operator_of,
    parse_number,
)
from buyermap.io.validate import clean_number_text

PROFILE = {
    "Regions served": ["Poland", "Czechia", "Finland"],
    "certifications": ["ISO 27001"],
    "support hours": ["12"],
    "payment terms": ["60"],
    "deployment": ["cloud"],
    "price level": ["mid"],
}


def c(key: str, op: str, value: str, weight: float = 1.0, must: bool = False) -> Criterion:
    return Criterion(key, operator_of(op), value, weight, must)


def test_each_operator_is_judged_against_our_values() -> None:
    fit = mutual_fit(
        [
            c("regions served", "includes", "poland; FINLAND"),
            c("certifications", "includes", "ISO 9001"),
            c("support hours", "at least", "8"),
            c("payment terms", "at_most", "30"),
            c("deployment", "equals", "Cloud"),
        ],
        PROFILE,
    )
    assert [v.criterion.criterion for v in fit.met] == [
        "regions served",
        "support hours",
        "deployment",
    ]
    assert [v.criterion.criterion for v in fit.unmet] == ["certifications", "payment terms"]
    assert fit.we_fit_them == 60.0
    assert "ISO 9001" in fit.unmet[0].why


def test_weights_give_the_share_of_known_criteria_met() -> None:
    fit = mutual_fit(
        [
            c("regions served", "includes", "Poland", weight=3),
            c("support hours", "at_least", "24", weight=1),
            c("languages", "includes", "pl", weight=5),  # our profile has no languages
        ],
        PROFILE,
    )
    assert fit.we_fit_them == 75.0
    assert [v.criterion.criterion for v in fit.unknown] == ["languages"]


def test_an_unmet_must_have_makes_the_fit_zero() -> None:
    fit = mutual_fit(
        [
            c("regions served", "includes", "Poland", weight=10),
            c("certifications", "includes", "TISAX", must=True),
        ],
        PROFILE,
    )
    assert fit.we_fit_them == 0.0
    assert fit.must_have_unmet == ("certifications",)


def test_no_known_criterion_says_nothing_rather_than_zero() -> None:
    fit = mutual_fit([c("languages", "includes", "hu")], PROFILE)
    assert fit.we_fit_them is None
    assert len(fit.unknown) == 1


def test_a_number_asked_of_a_value_that_is_not_one_is_unknown() -> None:
    fit = mutual_fit([c("price level", "at_most", "3")], PROFILE)
    assert fit.unknown
    assert "not a number" in fit.unknown[0].why


def test_bad_criteria_are_named_with_what_would_be_valid() -> None:
    assert check_criterion("contains", "x", 1) == [
        ("operator", "operator 'contains' is not one of includes, equals, at_least, at_most")
    ]
    assert check_criterion("at least", "many", 1)[0][0] == "value"
    assert check_criterion("includes", " ; ", 1)[0][0] == "value"
    assert check_criterion("includes", "x", -1)[0][0] == "weight"
    assert operator_of("At-Least") is Operator.AT_LEAST


NUMBERISH = st.text(alphabet="0123456789 .,-+€$'EURPLN\u00a0", max_size=14)


@given(NUMBERISH)
def test_one_number_is_read_as_the_importer_reads_a_column(text: str) -> None:
    column = clean_number_text(pl.Series([text])).cast(pl.Float64, strict=False)[0]
    expected = None if column is None or column != column or abs(column) == float("inf") else column
    assert parse_number(text) == expected


def test_numbers_as_our_markets_write_them() -> None:
    assert parse_number("12 500") == 12500
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("2,5") == 2.5
    assert parse_number("EUR 60") == 60
    assert parse_number("24/7") is None
