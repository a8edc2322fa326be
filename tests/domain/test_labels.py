"""Every value of every closed vocabulary reads as words, and Likert and influence values
read with their scale."""

from __future__ import annotations

import inspect
import re
from enum import StrEnum

import pytest

from buyermap.domain import enums
from buyermap.domain.labels import LABELS, influence, label, likert

ENUMS = [
    member
    for _, member in inspect.getmembers(enums, inspect.isclass)
    if issubclass(member, StrEnum) and member.__module__ == enums.__name__
]


def test_every_enum_of_the_domain_has_a_table_of_words() -> None:
    assert ENUMS, "the domain's enums were found"
    assert sorted(e.__name__ for e in ENUMS) == sorted(e.__name__ for e in LABELS)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_value_has_words_without_underscores(enum: type[StrEnum]) -> None:
    table = LABELS[enum]
    assert set(table) == {m.value for m in enum}, f"{enum.__name__}: a value lacks words"
    for member in enum:
        words = label(member)
        assert words == table[member.value]
        assert not re.search(r"[a-z]+_[a-z]+", words), words
        assert words[:1].isupper(), words


def test_a_snake_case_value_reads_as_words() -> None:
    assert label("c_level") == "C-level"
    assert label(enums.CommitteeRole.DECISION_MAKER) == "Decision maker"
    assert label("end_user") == "End user"
    assert label("vp") == "Vice president"


def test_a_value_no_enum_knows_still_reads_as_words() -> None:
    assert label("crm_in_use") == "Crm in use"
    assert label("Kraków region") == "Kraków region"
    assert label(None) == "–"
    assert label("") == "–"


def test_likert_answers_come_with_their_scale() -> None:
    assert likert("5") == "5 of 5: very important"
    assert likert(1) == "1 of 5: not important"
    assert likert("3", scale=7) == "3 of 7"
    assert likert("9") == "9"
    assert likert("mostly") == "mostly"


def test_influence_reads_in_words() -> None:
    assert influence(4) == "4 of 5: high"
    assert influence(1) == "1 of 5: very low"
    assert influence(None) == "not rated"
