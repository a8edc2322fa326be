"""Account knowledge: the template of what is worth knowing about an account, its value
tier, completeness against that tier and the next best thing to learn. No I/O.

The template has three blocks: the company, its decision-making group and the decision
maker (a person: those values are kept per contact). Each field has a type, a data class
(:class:`buyermap.domain.enums.DataClass`: later team modes mask ``personal_profile`` and
``special_category`` by role), an effort ``cost`` (1 a minute's look, 5 days of work), a
``worth`` (1-5, how much it helps a sale) and the lowest value tier it is worth collecting
from (``from_tier``). Special-category fields (health, religious or political views) are
in the template only as disabled entries: enabling one needs a recorded legal basis.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from buyermap.domain.enums import DataClass
from buyermap.errors import InvalidValueError

TIERS = ("A", "B", "C", "D")
TIER_WORDS = {"A": "A (key account)", "B": "B", "C": "C", "D": "D"}
DEFAULT_QUANTILES = (0.9, 0.6, 0.3)
"""An account is A from the 90th percentile of the workspace's account values, B from the
60th, C from the 30th, else D; an account worth nothing is always D."""


class Block(StrEnum):
    COMPANY = "company"
    DECISION_GROUP = "decision_group"
    DECISION_MAKER = "decision_maker"


BLOCK_WORDS = {
    Block.COMPANY: "The company",
    Block.DECISION_GROUP: "How they decide",
    Block.DECISION_MAKER: "The decision maker",
}


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    LIST = "list"
    URL = "url"
    YES_NO = "yes_no"


TYPE_WORDS = {
    FieldType.TEXT: "words",
    FieldType.NUMBER: "a number",
    FieldType.MONEY: "an amount of money",
    FieldType.DATE: "a date (YYYY-MM-DD)",
    FieldType.CHOICE: "one of a list",
    FieldType.LIST: "a list (separated by ; or new lines)",
    FieldType.URL: "a web address (https://...)",
    FieldType.YES_NO: "yes or no",
}
COST_WORDS = {
    1: "a minute's look",
    2: "some research",
    3: "a question in a conversation",
    4: "a conversation of its own",
    5: "trust built over time",
}
KNOWLEDGE_CLASSES = (
    DataClass.IDENTITY,
    DataClass.PROFESSIONAL,
    DataClass.PERSONAL_PROFILE,
    DataClass.SPECIAL_CATEGORY,
)


@dataclass(frozen=True, slots=True)
class FieldDef:
    key: str
    label: str
    block: Block
    type: FieldType
    data_class: DataClass
    from_tier: str
    cost: int
    worth: int
    enabled: bool = True
    choices: tuple[str, ...] = ()
    custom: bool = False
    legal_basis: str | None = None
    legal_basis_by: str | None = None
    legal_basis_at: datetime | None = None


def _f(
    key: str,
    label: str,
    block: Block,
    kind: FieldType = FieldType.TEXT,
    data_class: DataClass = DataClass.PROFESSIONAL,
    from_tier: str = "C",
    cost: int = 2,
    worth: int = 3,
    choices: tuple[str, ...] = (),
) -> FieldDef:
    enabled = data_class is not DataClass.SPECIAL_CATEGORY
    return FieldDef(key, label, block, kind, data_class, from_tier, cost, worth, enabled, choices)


C, G, M = Block.COMPANY, Block.DECISION_GROUP, Block.DECISION_MAKER
T = FieldType
PRO, PROF, SPEC, IDN = (
    DataClass.PROFESSIONAL,
    DataClass.PERSONAL_PROFILE,
    DataClass.SPECIAL_CATEGORY,
    DataClass.IDENTITY,
)
DEFAULT_FIELDS: tuple[FieldDef, ...] = (
    # the company
    _f("markets", "Markets they sell in", C, T.LIST, from_tier="D", cost=1, worth=3),
    _f("org_structure", "Organisational structure", C, from_tier="B", cost=3, worth=3),
    _f("history", "Company history", C, from_tier="C", cost=1, worth=2),
    _f("employees_office", "Employees in offices", C, T.NUMBER, from_tier="C", cost=2, worth=2),
    _f("employees_field", "Employees in the field", C, T.NUMBER, from_tier="C", cost=2, worth=2),
    _f("holding", "Holding and subsidiaries", C, T.LIST, from_tier="B", cost=2, worth=3),
    _f("purchase_budget", "Purchase budget", C, T.MONEY, from_tier="C", cost=4, worth=5),
    _f("current_suppliers", "Current suppliers", C, T.LIST, from_tier="D", cost=3, worth=5),
    _f(
        "supplier_criteria",
        "How they choose suppliers",
        C,
        T.LIST,
        from_tier="C",
        cost=3,
        worth=5,
    ),
    _f(
        "payment_form",
        "Preferred form of payment",
        C,
        T.CHOICE,
        from_tier="C",
        cost=3,
        worth=2,
        choices=("bank transfer", "card", "leasing", "instalments", "prepayment"),
    ),
    _f("trends", "Market and industry trends", C, from_tier="B", cost=2, worth=3),
    _f("competitors", "Their competitors", C, T.LIST, from_tier="C", cost=2, worth=3),
    _f("their_customers", "Their customers", C, T.LIST, from_tier="B", cost=2, worth=3),
    _f("market_share", "Market share (%)", C, T.NUMBER, from_tier="B", cost=3, worth=2),
    _f("reputation", "Reputation", C, from_tier="B", cost=2, worth=2),
    _f("owners", "Owners and shareholders", C, T.LIST, from_tier="B", cost=2, worth=3),
    _f("assets", "Assets", C, T.MONEY, from_tier="A", cost=3, worth=2),
    _f("supplier_debts", "Debts to suppliers", C, T.MONEY, from_tier="A", cost=4, worth=3),
    # the decision-making group
    _f("dmu_members", "Who takes part in decisions", G, T.LIST, from_tier="C", cost=3, worth=5),
    _f("decision_process", "How decisions are made", G, from_tier="C", cost=3, worth=5),
    _f("approval", "How decisions are approved", G, from_tier="B", cost=3, worth=4),
    _f("decision_timeline", "When they decide", G, T.DATE, from_tier="C", cost=3, worth=4),
    _f("invoice_approval", "Who approves invoices", G, from_tier="B", cost=3, worth=3),
    # the decision maker (per person)
    _f("formal_position", "Position on paper", M, from_tier="D", cost=1, worth=3),
    _f("real_position", "Position in practice", M, data_class=PROF, from_tier="B", cost=4),
    _f("tenure", "Years in the company", M, T.NUMBER, from_tier="B", cost=2, worth=2),
    _f("previous_jobs", "Previous jobs", M, T.LIST, from_tier="B", cost=1, worth=2),
    _f("education", "Education", M, from_tier="A", cost=1, worth=1),
    _f("motivation", "What motivates them", M, data_class=PROF, from_tier="B", cost=4, worth=5),
    _f(
        "attitude_employer",
        "Attitude to their employer",
        M,
        data_class=PROF,
        from_tier="A",
        cost=5,
        worth=3,
    ),
    _f("attitude_us", "Attitude to us", M, data_class=PROF, from_tier="C", cost=3, worth=5),
    _f(
        "supplier_preferences",
        "Their supplier preferences",
        M,
        T.LIST,
        from_tier="B",
        cost=3,
        worth=4,
    ),
    _f("interests", "Interests and hobbies", M, T.LIST, PROF, from_tier="A", cost=4, worth=2),
    _f("family_events", "Family events they mention", M, T.LIST, PROF, "A", cost=5, worth=1),
    _f("social_profile", "Social profile", M, T.URL, IDN, from_tier="C", cost=1, worth=2),
    _f("networks", "Networks and associations", M, T.LIST, from_tier="A", cost=2, worth=2),
    _f("achievements", "Achievements", M, T.LIST, from_tier="A", cost=2, worth=2),
    _f("prospects", "Their career prospects", M, data_class=PROF, from_tier="A", cost=4),
    # special categories (GDPR art. 9): present only as disabled entries
    _f("health", "Health", M, data_class=SPEC, from_tier="A", cost=5, worth=1),
    _f("religious_views", "Religious views", M, data_class=SPEC, from_tier="A", cost=5, worth=1),
    _f("political_views", "Political views", M, data_class=SPEC, from_tier="A", cost=5, worth=1),
)
DEFAULTS = {f.key: f for f in DEFAULT_FIELDS}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


# -- checks -----------------------------------------------------------------------------------


def check_tier(text: str, *, field: str = "from_tier") -> str:
    tier = text.strip().upper()
    if tier not in TIERS:
        raise InvalidValueError(
            f"tier {text!r} is not one of {', '.join(TIERS)} (A: key accounts)",
            details={"field": field, "valid": list(TIERS)},
        )
    return tier


def check_cost(value: int, *, field: str = "cost") -> int:
    if not 1 <= value <= 5:
        raise InvalidValueError(
            f"cost {value} is outside 1-5 (1: {COST_WORDS[1]}, 5: {COST_WORDS[5]})",
            details={"field": field},
        )
    return value


def check_key(text: str) -> str:
    key = text.strip()
    if not KEY_PATTERN.match(key):
        raise InvalidValueError(
            f"field key {text!r} is not a key: use lower-case letters, digits and _ "
            "(starting with a letter, at most 60), e.g. fleet_size",
            details={"field": "key"},
        )
    return key


def enum_value(cls: type[StrEnum], text: str, field: str) -> Any:
    try:
        return cls(text.strip().lower())
    except ValueError:
        raise InvalidValueError(
            f"{field} {text!r} is not one of {', '.join(m.value for m in cls)}",
            details={"field": field, "valid": [m.value for m in cls]},
        ) from None


_YES = {"yes", "y", "true", "1", "tak", "ano", "igen", "já", "kyllä", "da"}
_NO = {"no", "n", "false", "0", "nie", "ne", "nem", "nei", "ei", "nu"}


def _number(text: str, label: str) -> float:
    clean = text.replace("\u00a0", "").replace(" ", "")
    if "," in clean and "." not in clean:
        clean = clean.replace(",", ".")
    clean = clean.replace(",", "")
    try:
        number = float(clean)
    except ValueError:
        raise InvalidValueError(
            f"{label}: {text!r} is not a number; give digits, e.g. 1250 or 12,5",
            details={"field": "value"},
        ) from None
    if not math.isfinite(number):
        raise InvalidValueError(f"{label}: {text!r} is not a finite number")
    return number


def parse_value(field: FieldDef, raw: Any) -> Any:
    """The stored form of ``raw`` for ``field`` (JSON-safe), or InvalidValueError naming the
    value and what the field takes. A disabled field takes no value."""
    if not field.enabled:
        hint = (
            f" (a special category: buyermap knowledge enable {field.key} --legal-basis TEXT)"
            if field.data_class is DataClass.SPECIAL_CATEGORY
            else f" (buyermap knowledge enable {field.key})"
        )
        raise InvalidValueError(
            f"field {field.key!r} is disabled and takes no values{hint}",
            details={"field": field.key},
        )
    if isinstance(raw, list) and field.type is not FieldType.LIST:
        raise InvalidValueError(
            f"{field.label} ({field.key}): a list was given; the field takes "
            f"{TYPE_WORDS[field.type]}",
            details={"field": "value"},
        )
    text = raw if isinstance(raw, str) else "" if raw is None else str(raw)
    text = text.strip()
    label = f"{field.label} ({field.key})"
    if not text:
        raise InvalidValueError(
            f"{label}: the value is empty; give {TYPE_WORDS[field.type]}",
            details={"field": "value"},
        )
    if field.type in (FieldType.NUMBER, FieldType.MONEY):
        if isinstance(raw, bool):
            raise InvalidValueError(f"{label}: {raw!r} is not a number")
        return raw if isinstance(raw, int | float) and math.isfinite(raw) else _number(text, label)
    if field.type is FieldType.DATE:
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise InvalidValueError(
                f"{label}: {text!r} is not a date; give YYYY-MM-DD, e.g. 2027-03-31",
                details={"field": "value"},
            ) from None
    if field.type is FieldType.YES_NO:
        low = text.lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
        raise InvalidValueError(f"{label}: {text!r} is not yes or no", details={"field": "value"})
    if field.type is FieldType.URL:
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", text):
            raise InvalidValueError(
                f"{label}: {text!r} is not a web address; give https://..., "
                "e.g. https://www.linkedin.com/in/name",
                details={"field": "value"},
            )
        return text
    if field.type is FieldType.CHOICE:
        match = {c.lower(): c for c in field.choices}.get(text.lower())
        if field.choices and match is None:
            raise InvalidValueError(
                f"{label}: {text!r} is not one of {', '.join(field.choices)}",
                details={"field": "value", "valid": list(field.choices)},
            )
        return match or text
    if field.type is FieldType.LIST:
        items = raw if isinstance(raw, list) else re.split(r"[;\n]", text)
        out = [" ".join(str(i).split()) for i in items if str(i).strip()]
        if not out:
            raise InvalidValueError(f"{label}: the list is empty", details={"field": "value"})
        return out
    return " ".join(text.split()) if "\n" not in text else text


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", "\u00a0")
    return str(value)


# -- value tiers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountValue:
    """What an account is worth: won revenue, the expected value of its open deals and (for
    a prospect without won revenue) the avatar's fit, 0-1, times the typical customer's
    won revenue."""

    won: float
    expected: float
    fit: float | None = None

    def total(self, typical_won: float) -> float:
        potential = self.fit * typical_won if self.won <= 0 and self.fit is not None else 0.0
        return round(self.won + self.expected + potential, 2)


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default) of sorted values."""
    pos = (len(sorted_values) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def tier_thresholds(
    values: Iterable[float], quantiles: tuple[float, float, float] = DEFAULT_QUANTILES
) -> tuple[float, float, float]:
    """The A, B and C floors: quantiles of the positive values (all zero: nothing is above D)."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return (math.inf, math.inf, math.inf)
    a, b, c = (_quantile(positive, q) for q in quantiles)
    return (a, b, c)


def value_tier(value: float, thresholds: tuple[float, float, float]) -> str:
    if value <= 0:
        return "D"
    for tier, floor in zip(TIERS, thresholds, strict=False):
        if value >= floor:
            return tier
    return "D"


def tier_reaches(account_tier: str, from_tier: str) -> bool:
    """True when an account of ``account_tier`` is valuable enough for a field from
    ``from_tier`` (A is the highest)."""
    return TIERS.index(account_tier) <= TIERS.index(from_tier)


# -- completeness and what to learn next ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NextBest:
    key: str
    label: str
    score: float
    why: str


def required_fields(
    fields: Sequence[FieldDef], tier: str, *, has_decision_maker: bool
) -> list[FieldDef]:
    """Enabled fields worth collecting for an account of ``tier``; decision-maker fields only
    when the account has a known decision maker (there is no one to learn them about)."""
    return [
        f
        for f in fields
        if f.enabled
        and tier_reaches(tier, f.from_tier)
        and (has_decision_maker or f.block is not Block.DECISION_MAKER)
    ]


def completeness(required: Sequence[FieldDef], filled: Iterable[str]) -> float | None:
    """Filled over required, 0-1 (None: nothing required)."""
    if not required:
        return None
    have = set(filled)
    return round(sum(1 for f in required if f.key in have) / len(required), 4)


def next_best(
    required: Sequence[FieldDef], filled: Iterable[str], tier: str, *, limit: int = 5
) -> list[NextBest]:
    """The missing required fields, best first: worth (1-5) over effort cost (1-5), a tenth
    more for each tier the account is above the field's floor (a field worth having from
    tier D is a little more pressing on an A account); ties by the template's order."""
    have = set(filled)
    out: list[tuple[float, int, NextBest]] = []
    for place, f in enumerate(required):
        if f.key in have:
            continue
        margin = TIERS.index(f.from_tier) - TIERS.index(tier)
        score = round(f.worth * (1 + 0.1 * margin) / f.cost, 3)
        floor = (
            f"worth collecting from tier {f.from_tier} on, and this account is tier "
            f"{TIER_WORDS[tier]}"
            if margin
            else f"worth collecting for tier {TIER_WORDS[tier]} accounts like this one"
        )
        why = (
            f"{f.label}: helps a sale {f.worth}/5 and takes {COST_WORDS[f.cost]} "
            f"(cost {f.cost}/5); {floor}"
        )
        out.append((-score, place, NextBest(f.key, f.label, score, why)))
    out.sort(key=lambda t: (t[0], t[1]))
    return [n for _, _, n in out[:limit]]


def merge_template(
    stored: Mapping[str, Mapping[str, Any]], defaults: Sequence[FieldDef] = DEFAULT_FIELDS
) -> list[FieldDef]:
    """The defaults with the workspace's changes applied, then its custom fields."""
    out: list[FieldDef] = []
    for f in defaults:
        change = stored.get(f.key)
        out.append(replace(f, **{k: v for k, v in change.items() if k != "key"}) if change else f)
    for key, change in stored.items():
        if key not in DEFAULTS:
            out.append(FieldDef(key=key, custom=True, **change))
    return out
