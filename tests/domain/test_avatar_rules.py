"""Rules avatars, known answers: the fit is the weighted share of the known criteria met,
must-haves and disqualifiers disqualify with their reason, unknowns are counted apart and
said, tiers follow the cuts; rules are checked by the criteria family's one checker."""

from __future__ import annotations

from typing import Any

import pytest

from buyermap.domain.avatar_rules import (
    ACCOUNT_FIELDS,
    FieldKind,
    Rule,
    RuleField,
    RuleKind,
    RuleSet,
    TierCuts,
    check_rule,
    evaluate,
)
from buyermap.domain.criteria import MUTUAL_OPERATORS, Operator, check

FIELDS = [*ACCOUNT_FIELDS, RuleField("technology", "technology used", FieldKind.LIST)]


def rule(
    field: str, op: str, value: str, weight: float = 1.0, kind: str = "criterion", reason: str = ""
) -> Rule:
    found, problems = check_rule(
        field=field,
        operator=op,
        value=value,
        weight=weight,
        kind=kind,
        reason=reason,
        fields=FIELDS,
    )
    assert found is not None, problems
    return found


ICP = RuleSet(
    (
        rule("industry", "in", "Software; IT services", 25),
        rule("employees", "between", "200; 2 000", 50),
        rule("region", "equals", "DACH", 25),
        rule(
            "country", "in", "Russia", kind="disqualifier", reason="sanctions: we cannot sell there"
        ),
        rule("years on the market", "at least", "3", kind="must_have", reason="too young to buy"),
    )
)


def row(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "industry": "Software",
        "employees": 500.0,
        "region": "DACH",
        "country": "Germany",
        "years_on_market": 10.0,
    }
    return base | values


def test_it_gives_100_to_an_account_meeting_every_criterion() -> None:
    found = evaluate(ICP, row(), FIELDS)
    assert (found.fit, found.tier, found.disqualified) == (100.0, "A", None)
    assert found.reasons_text() == (
        "employees between 200 and 2,000 (+50); industry is one of Software, IT services (+25); "
        "region is DACH (+25)"
    )


def test_between_includes_both_ends() -> None:
    assert evaluate(ICP, row(employees=200), FIELDS).fit == 100.0
    assert evaluate(ICP, row(employees="2 000"), FIELDS).fit == 100.0
    assert evaluate(ICP, row(employees=2001), FIELDS).fit == 50.0


def test_it_weighs_the_criteria_met_and_names_what_cost_points() -> None:
    found = evaluate(ICP, row(employees=80, region="Nordics"), FIELDS)
    assert found.fit == 25.0
    assert found.tier == "C"
    assert "employees not between 200 and 2,000 (-50)" in found.reasons_text()
    assert "region is not DACH (-25)" in found.reasons_text()


def test_it_counts_unknown_values_apart_and_says_which_are_missing() -> None:
    found = evaluate(ICP, row(employees=None, region=""), FIELDS)
    assert found.fit == 100.0  # the only known criterion (industry) is met
    assert (
        found.reasons_text()
        == "industry is one of Software, IT services (+100); missing: employees, region"
    )
    assert [v.label for v in found.unknown] == ["employees", "region"]


def test_nothing_known_is_fit_0_and_says_so() -> None:
    found = evaluate(ICP, {"country": "Poland", "years_on_market": 5}, FIELDS)
    assert (found.fit, found.tier) == (0.0, "D")
    assert found.reasons_text() == "missing: industry, employees, region"


def test_an_unmet_must_have_disqualifies_with_its_reason() -> None:
    found = evaluate(ICP, row(years_on_market=1), FIELDS)
    assert (found.fit, found.tier) == (0.0, "disqualified: too young to buy")


def test_a_met_disqualifier_disqualifies_with_its_reason() -> None:
    found = evaluate(ICP, row(country="russia"), FIELDS)
    assert found.tier == "disqualified: sanctions: we cannot sell there"
    assert found.reasons_text().startswith("disqualified: sanctions")


def test_an_unknown_must_have_does_not_disqualify_but_is_said() -> None:
    found = evaluate(ICP, row(years_on_market=None), FIELDS)
    assert found.tier == "A"
    assert "missing: years on the market" in found.reasons_text()


def test_a_must_have_without_reason_says_what_it_needs() -> None:
    rules = RuleSet((rule("employees", "at_least", "50", kind="must_have"),))
    assert (
        evaluate(rules, {"employees": 10}, FIELDS).tier
        == "disqualified: must have employees at least 50"
    )


@pytest.mark.parametrize(
    ("met", "expected"),
    [
        ((True, True, True, True), "A"),
        ((True, True, True, False), "A"),
        ((True, True, False, False), "B"),
        ((True, False, False, False), "C"),
        ((False, False, False, False), "D"),
    ],
)
def test_tiers_follow_the_default_cuts(met: tuple[bool, ...], expected: str) -> None:
    fields = [RuleField(f"custom{i}", f"flag {i}", FieldKind.YES_NO) for i in range(4)]
    rules = RuleSet(
        tuple(
            Rule(f"custom{i}", Operator.EQUALS, ("yes",), 1.0, RuleKind.CRITERION) for i in range(4)
        )
    )
    values = {f"custom{i}": "tak" if ok else "nie" for i, ok in enumerate(met)}
    assert evaluate(rules, values, fields).tier == expected


def test_tier_cuts_are_per_avatar() -> None:
    strict = RuleSet(ICP.rules, TierCuts(a=100, b=90, c=80))
    assert evaluate(strict, row(region="Nordics"), FIELDS).tier == "D"  # fit 75
    assert TierCuts(a=50, b=60, c=10).problems() == [
        ("tiers", "tier cuts A 50, B 60, C 10: A > B > C")
    ]


def test_a_negative_weight_counts_against_a_trait() -> None:
    rules = RuleSet((rule("region", "in", "Benelux", -1), rule("industry", "in", "Software", 1)))
    assert evaluate(rules, {"region": "Benelux", "industry": "Software"}, FIELDS).fit == 50.0
    found = evaluate(rules, {"region": "Nordics", "industry": "Software"}, FIELDS)
    assert found.fit == 100.0
    assert "region is not Benelux (+50)" in found.reasons_text()


def test_lists_yes_no_and_text_are_judged_by_their_kind() -> None:
    rules = RuleSet(
        (
            rule("technology", "includes", "SAP; Salesforce"),
            rule("part_of_holding", "equals", "igen"),
            rule("industry", "includes", "software"),
        )
    )
    found = evaluate(
        rules,
        {
            "technology": ["salesforce", "SAP", "Jira"],
            "part_of_holding": "yes",
            "industry": "Enterprise Software",
        },
        FIELDS,
    )
    assert found.fit == 100.0
    assert (
        evaluate(
            rules, {"technology": "SAP", "part_of_holding": "no", "industry": "Retail"}, FIELDS
        ).fit
        == 0.0
    )


def test_names_in_our_markets_languages_are_compared_ignoring_case() -> None:
    rules = RuleSet((rule("country", "in", "Česko; Polska; Ísland; Suomi; România; Magyarország"),))
    for name in ("ČESKO", "polska", "ísland", "SUOMI", "româNIA", "magyarország"):
        assert evaluate(rules, {"country": name}, FIELDS).fit == 100.0


def test_numbers_are_read_as_our_markets_write_them() -> None:
    rules = RuleSet((rule("annual revenue", "at_least", "1.000.000,50"),))
    assert evaluate(rules, {"annual_revenue": "2 500 000"}, FIELDS).fit == 100.0
    assert evaluate(rules, {"annual_revenue": 999_999}, FIELDS).fit == 0.0
    assert evaluate(rules, {"annual_revenue": "n/a"}, FIELDS).unknown


def problems(**given: Any) -> list[tuple[str, str]]:
    values: dict[str, Any] = {
        "field": "employees",
        "operator": "at_least",
        "value": "5",
        "weight": 1.0,
        "kind": "",
        "reason": "",
    }
    return check_rule(**(values | given), fields=FIELDS)[1]


def test_bad_rules_name_the_bad_value_and_what_would_be_valid() -> None:
    assert problems(field="employes") == [
        (
            "field",
            "unknown field 'employes'; the fields are industry, employees, annual_revenue, "
            "years_on_market, country, region, part_of_holding, technology",
        )
    ]
    assert problems(operator="contains") == [
        (
            "operator",
            "employees: operator 'contains' is not one of at_least, at_most, between, equals, in",
        )
    ]
    assert problems(field="industry", operator="at least") == [
        ("operator", "industry: at_least compares numbers; for this field use in, equals, includes")
    ]
    assert problems(operator="between", value="250; 50") == [
        ("value", "between 250 and 50: the first must be the lower")
    ]
    assert problems(operator="between", value="50") == [
        ("value", "between needs two numbers separated by ';' (e.g. 50; 250), not '50'")
    ]
    assert problems(value="many") == [("value", "at_least needs a number as its value, not 'many'")]
    assert problems(field="part of a holding", operator="equals", value="maybe") == [
        ("value", "part of a holding is yes or no, not 'maybe'")
    ]
    assert problems(weight=5000) == [("weight", "weight 5000 must be a number from -1000 to 1000")]
    assert problems(weight="heavy") == [
        ("weight", "weight 'heavy' is not a number (e.g. 1, 2.5, -1)")
    ]
    assert problems(kind="nice to have") == [
        ("kind", "kind 'nice to have' is not one of criterion, must_have, disqualifier")
    ]


def test_the_one_checker_keeps_mutual_criteria_to_their_operators() -> None:
    assert check("between", "1; 2", 1).problems == (
        ("operator", "operator 'between' is not one of includes, equals, at_least, at_most"),
    )
    assert check("At-Least", "12 500", None).operator is Operator.AT_LEAST
    assert check("At-Least", "12 500", None).weight == 1.0
    assert check("between", "1; 2", -3, operators=tuple(Operator), weights=(-10, 10)).ok
    assert MUTUAL_OPERATORS == (
        Operator.INCLUDES,
        Operator.EQUALS,
        Operator.AT_LEAST,
        Operator.AT_MOST,
    )


def test_rules_survive_json() -> None:
    for r in ICP.rules:
        assert Rule.from_json(r.to_json()) == r


def test_placeholders_left_in_cells_are_unknown_and_romanian_letters_match_either_way() -> None:
    rules = RuleSet((rule("industry", "in", "Software"), rule("region", "in", "Ţara Bârsei")))
    for blank in ("N/A", "null", "-", "#N/A", "[not provided]"):
        found = evaluate(rules, {"industry": blank, "region": "Țara Bârsei"}, FIELDS)
        assert (found.fit, found.reasons_text()) == (
            100.0,
            "region is Ţara Bârsei (+100); missing: industry",
        )
