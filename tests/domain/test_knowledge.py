"""Known answers for the knowledge rules: value tiers, completeness, next-best ranking,
typed values, special categories off by default."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyermap.domain.enums import DataClass
from buyermap.domain.knowledge import (
    DEFAULT_FIELDS,
    DEFAULTS,
    AccountValue,
    Block,
    FieldDef,
    FieldType,
    completeness,
    merge_template,
    next_best,
    parse_value,
    required_fields,
    show_value,
    tier_thresholds,
    value_tier,
)
from buyermap.errors import InvalidValueError


def test_value_tiers_follow_the_quantiles_of_the_positive_values() -> None:
    values = [0.0, 0.0, *[float(v) for v in range(10, 101, 10)]]
    floors = tier_thresholds(values)
    assert floors == pytest.approx((91.0, 64.0, 37.0))
    tiers = [value_tier(v, floors) for v in (100, 91, 90, 64, 63, 37, 36, 0)]
    assert tiers == ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_a_workspace_worth_nothing_puts_every_account_in_d() -> None:
    floors = tier_thresholds([0.0, 0.0])
    assert value_tier(0.0, floors) == "D"
    assert value_tier(5.0, (10.0, 5.0, 1.0)) == "B"


def test_a_prospect_without_won_revenue_is_worth_its_fit_times_the_typical_customer() -> None:
    assert AccountValue(won=0.0, expected=1000.0, fit=0.5).total(20_000.0) == 11_000.0
    assert AccountValue(won=500.0, expected=1000.0, fit=0.9).total(20_000.0) == 1500.0
    assert AccountValue(won=0.0, expected=0.0, fit=None).total(20_000.0) == 0.0


def _field(key: str, block: Block, from_tier: str, cost: int, worth: int) -> FieldDef:
    return FieldDef(
        key, key.title(), block, FieldType.TEXT, DataClass.PROFESSIONAL, from_tier, cost, worth
    )


SMALL = [
    _field("budget", Block.COMPANY, "C", 4, 5),  # 5/4 = 1.25 (+10% on a B: 1.375)
    _field("markets", Block.COMPANY, "D", 1, 2),  # 2/1 = 2 (+20% on a B: 2.4)
    _field("owners", Block.COMPANY, "B", 2, 3),  # 3/2 = 1.5
    _field("assets", Block.COMPANY, "A", 1, 5),  # not for a B account
    _field("motivation", Block.DECISION_MAKER, "B", 4, 5),  # 5/4 = 1.25
]


def test_required_fields_are_the_enabled_ones_from_the_tier_and_dm_fields_need_a_person() -> None:
    keys = [f.key for f in required_fields(SMALL, "B", has_decision_maker=True)]
    assert keys == ["budget", "markets", "owners", "motivation"]
    alone = [f.key for f in required_fields(SMALL, "B", has_decision_maker=False)]
    assert alone == ["budget", "markets", "owners"]
    off = [replace(f, enabled=f.key != "owners") for f in SMALL]
    assert [f.key for f in required_fields(off, "D", has_decision_maker=True)] == ["markets"]


def test_completeness_counts_filled_required_fields_only() -> None:
    required = required_fields(SMALL, "B", has_decision_maker=True)
    assert completeness(required, ["budget", "assets"]) == 0.25
    assert completeness(required, ["budget", "markets", "owners", "motivation"]) == 1.0
    assert completeness([], ["budget"]) is None


def test_next_best_ranks_worth_against_cost_with_the_tier_margin_and_says_why() -> None:
    required = required_fields(SMALL, "B", has_decision_maker=True)
    ranked = next_best(required, ["owners"], "B")
    assert [(n.key, n.score) for n in ranked] == [
        ("markets", 2.4),
        ("budget", 1.375),
        ("motivation", 1.25),
    ]
    assert ranked[0].why == (
        "Markets: helps a sale 2/5 and takes a minute's look (cost 1/5); worth collecting "
        "from tier D on, and this account is tier B"
    )
    assert next_best(required, ["owners"], "B", limit=1)[0].key == "markets"


def test_special_categories_are_present_but_off_by_default() -> None:
    special = [f for f in DEFAULT_FIELDS if f.data_class is DataClass.SPECIAL_CATEGORY]
    assert {f.key for f in special} == {"health", "religious_views", "political_views"}
    assert not any(f.enabled for f in special)
    assert all(f.enabled for f in DEFAULT_FIELDS if f not in special)
    with pytest.raises(InvalidValueError, match=r"special category.*--legal-basis"):
        parse_value(DEFAULTS["health"], "asthma")


def test_the_default_template_covers_the_three_blocks_with_typed_classed_fields() -> None:
    blocks = {b: [f.key for f in DEFAULT_FIELDS if f.block is b] for b in Block}
    assert {"purchase_budget", "current_suppliers", "supplier_debts"} <= set(blocks[Block.COMPANY])
    assert {"dmu_members", "invoice_approval"} <= set(blocks[Block.DECISION_GROUP])
    assert {"motivation", "attitude_us", "social_profile"} <= set(blocks[Block.DECISION_MAKER])
    assert len(DEFAULTS) == len(DEFAULT_FIELDS)
    assert {f.type for f in DEFAULT_FIELDS} >= {FieldType.MONEY, FieldType.URL, FieldType.DATE}


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("purchase_budget", "12 500,50", 12500.5),
        ("purchase_budget", 250000, 250000),
        ("decision_timeline", "2027-03-31", "2027-03-31"),
        ("current_suppliers", "Łódź Druk; Žofie s.r.o.;", ["Łódź Druk", "Žofie s.r.o."]),
        ("payment_form", "Leasing", "leasing"),
        (
            "social_profile",
            "https://www.linkedin.com/in/thordis",
            "https://www.linkedin.com/in/thordis",
        ),
        ("history", "  Founded  in Győr  ", "Founded in Győr"),
    ],
)
def test_values_are_stored_in_their_types_form(key: str, raw: object, stored: object) -> None:
    assert parse_value(DEFAULTS[key], raw) == stored


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("purchase_budget", "lots", "'lots' is not a number"),
        ("decision_timeline", "next spring", "give YYYY-MM-DD"),
        ("payment_form", "barter", "not one of bank transfer, card"),
        ("social_profile", "linkedin thordis", "is not a web address"),
        ("markets", "   ", "the value is empty"),
    ],
)
def test_a_value_the_field_does_not_take_is_refused_by_name(
    key: str, raw: str, message: str
) -> None:
    with pytest.raises(InvalidValueError, match=message):
        parse_value(DEFAULTS[key], raw)


def test_a_yes_no_field_reads_words_in_several_languages() -> None:
    f = FieldDef(
        "iso", "ISO 9001", Block.COMPANY, FieldType.YES_NO, DataClass.PROFESSIONAL, "C", 1, 2
    )
    assert [parse_value(f, w) for w in ("tak", "Igen", "ei", "no")] == [True, True, False, False]


def test_the_workspace_template_keeps_changes_and_custom_fields() -> None:
    changed = merge_template(
        {
            "markets": {"from_tier": "A", "cost": 3},
            "fleet_size": {
                "label": "Fleet size",
                "block": Block.COMPANY,
                "type": FieldType.NUMBER,
                "data_class": DataClass.PROFESSIONAL,
                "from_tier": "B",
                "cost": 2,
                "worth": 4,
            },
        }
    )
    by_key = {f.key: f for f in changed}
    assert (by_key["markets"].from_tier, by_key["markets"].cost) == ("A", 3)
    assert by_key["fleet_size"].custom
    assert changed[-1].key == "fleet_size"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_a_money_value_round_trips_through_its_text(amount: float) -> None:
    assert parse_value(DEFAULTS["purchase_budget"], repr(amount)) == pytest.approx(amount)


_ITEM = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=";"),
    min_size=1,
    max_size=20,
).filter(lambda t: t.strip())


@given(st.lists(_ITEM, min_size=1, max_size=6))
def test_a_list_value_round_trips_through_its_words(items: list[str]) -> None:
    f = DEFAULTS["current_suppliers"]
    stored = parse_value(f, "; ".join(items))
    assert parse_value(f, show_value(stored)) == stored
    assert stored == [" ".join(i.split()) for i in items]
