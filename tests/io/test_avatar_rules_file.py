"""A rules file: exported and imported again gives the same rules (property), and bad
rows are kept aside with messages naming the bad value and what would be valid."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from buyermap.domain.avatar_rules import (
    ACCOUNT_FIELDS,
    OPERATORS,
    FieldKind,
    Rule,
    RuleField,
    RuleKind,
)
from buyermap.domain.criteria import NUMERIC, Operator
from buyermap.io.avatar_rules import read_rules, rules_csv

FIELDS = [*ACCOUNT_FIELDS, RuleField("technology", "technology used", FieldKind.LIST)]
NAMES = st.sampled_from(
    ["Łódź", "Žilina", "Brașov", "Şiria", "Győr", "Reykjavík", "Jyväskylä", "Ostrava", "Kraków"]
)
TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_characters=";\r\n\x00",
        exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"],
    ),
    min_size=1,
    max_size=12,
)
VALUE = st.one_of(NAMES, TEXT)
NUMBER = st.integers(min_value=-(10**9), max_value=10**9)


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    spec = draw(st.sampled_from(FIELDS))
    op = draw(st.sampled_from(OPERATORS[spec.kind]))
    values: tuple[str, ...]
    if spec.kind is FieldKind.YES_NO:
        values = (draw(st.sampled_from(["yes", "no"])),)
    elif spec.kind is FieldKind.NUMBER:
        n = 2 if op is Operator.BETWEEN else 1 if op in NUMERIC else draw(st.integers(1, 3))
        numbers = sorted(draw(st.lists(NUMBER, min_size=n, max_size=n)))
        values = tuple(str(x) for x in numbers)
    else:
        values = tuple(draw(st.lists(VALUE, min_size=1, max_size=3)))
    weight = draw(st.floats(min_value=-1000, max_value=1000, allow_nan=False))
    reason = draw(st.one_of(st.just(""), NAMES))
    return Rule(spec.key, op, values, weight, draw(st.sampled_from(list(RuleKind))), reason)


@given(st.lists(rules(), min_size=1, max_size=6))
def test_exported_rules_import_back_the_same(found: list[Rule]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.csv"
        path.write_text(rules_csv(found), encoding="utf-8", newline="")
        back = read_rules(path, FIELDS)
    assert back.errors == {}
    assert [(r.field, r.operator, r.values, r.weight, r.kind, r.reason) for r in back.rules] == [
        (
            r.field,
            r.operator,
            tuple(v.strip() for v in r.values),
            r.weight,
            r.kind,
            " ".join(r.reason.split()),
        )
        for r in found
    ]


def test_bad_rows_go_aside_with_the_bad_value_and_the_valid_ones(tmp_path: Path) -> None:
    path = tmp_path / "reguły.csv"
    path.write_bytes(
        "Field;Operator;Value;Weight;Kind;Reason\r\n"
        'industry;in;"Oprogramowanie; IT";2;criterion;\r\n'
        "zatrudnienie;at_least;50;1;criterion;\r\n"
        'employees;between;"250; 50";1;criterion;\r\n'
        "country;in;Rosja;;disqualifier;sankcje – nie sprzedajemy\r\n"
        "region;at least;Śląsk;1;kryterium;\r\n".encode("cp1250")
    )
    found = read_rules(path, FIELDS)
    assert [(r.field, r.values, r.kind, r.reason) for r in found.rules] == [
        ("industry", ("Oprogramowanie", "IT"), RuleKind.CRITERION, ""),
        ("country", ("Rosja",), RuleKind.DISQUALIFIER, "sankcje – nie sprzedajemy"),
    ]
    messages = {r.line: (r.column, r.reason) for r in found.rejections}
    assert messages[3] == (
        "Field",
        "unknown field 'zatrudnienie'; the fields are industry, employees, annual_revenue, "
        "years_on_market, country, region, part_of_holding, technology",
    )
    assert messages[4] == ("Value", "between 250 and 50: the first must be the lower")
    region = [r for r in found.rejections if r.line == 6]
    assert [r.column for r in region] == ["Operator", "Kind"]
    assert "kind 'kryterium' is not one of criterion, must_have, disqualifier" in region[1].reason

    quarantine = tmp_path / "q.csv"
    found.quarantine(quarantine)
    with quarantine.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["_line"] for r in rows} == {"3", "4", "6"}
    assert any(r["Value"] == "Śląsk" for r in rows)
