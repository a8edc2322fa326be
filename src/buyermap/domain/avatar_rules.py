"""The rules avatar: the ideal customer written down as criteria over account fields.

A rule is a field (an account field such as industry, employees, years on the market,
region, part of a holding, or a custom field by its declared type), an operator of the
criteria family (:mod:`buyermap.domain.criteria`: ``in``, ``equals``, ``includes``,
``at_least``, ``at_most``, ``between``), one or more values, a weight and a kind:

* a **criterion** counts for the fit with its weight (a negative weight counts against:
  the account scores when it does *not* meet it);
* a **must-have** disqualifies an account that does not meet it;
* a **disqualifier** disqualifies an account that meets it.

Must-haves and disqualifiers carry a reason in words, shown as the tier
(``disqualified: <reason>``). Evaluating an account gives its **fit** 0-100: the weighted
share of the known criteria it meets (a criterion whose field is empty is *unknown*:
counted apart, not against, and said: ``missing: employees``); its **tier** by the fit
cuts (A from 75, B from 50, C from 25 unless the avatar sets its own); and its
**reasons**, the criteria that moved it most in words with the points they gave or
cost (``industry is Software (+25)``). A disqualified account has fit 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from buyermap.domain.criteria import (
    NUMERIC,
    Operator,
    check,
    fold,
    is_placeholder,
    parse_number,
    split_values,
    yes_no,
)
from buyermap.domain.mutual import Outcome

RULE_WEIGHTS = (-1000.0, 1000.0)
REASONS = 3
TIERS = ("A", "B", "C", "D")


class FieldKind(StrEnum):
    NUMBER = "number"
    TEXT = "text"
    YES_NO = "yes_no"
    LIST = "list"


class RuleKind(StrEnum):
    CRITERION = "criterion"
    MUST_HAVE = "must_have"
    DISQUALIFIER = "disqualifier"


OPERATORS: dict[FieldKind, tuple[Operator, ...]] = {
    FieldKind.NUMBER: (
        Operator.AT_LEAST,
        Operator.AT_MOST,
        Operator.BETWEEN,
        Operator.EQUALS,
        Operator.IN,
    ),
    FieldKind.TEXT: (Operator.IN, Operator.EQUALS, Operator.INCLUDES),
    FieldKind.YES_NO: (Operator.EQUALS,),
    FieldKind.LIST: (Operator.INCLUDES, Operator.IN, Operator.EQUALS),
}


@dataclass(frozen=True, slots=True)
class RuleField:
    """A field a rule can judge: its key (the accounts table's column), words, kind."""

    key: str
    label: str
    kind: FieldKind


ACCOUNT_FIELDS: tuple[RuleField, ...] = (
    RuleField("industry", "industry", FieldKind.TEXT),
    RuleField("employees", "employees", FieldKind.NUMBER),
    RuleField("annual_revenue", "annual revenue", FieldKind.NUMBER),
    RuleField("years_on_market", "years on the market", FieldKind.NUMBER),
    RuleField("country", "country", FieldKind.TEXT),
    RuleField("region", "region", FieldKind.TEXT),
    RuleField("part_of_holding", "part of a holding", FieldKind.YES_NO),
)

CUSTOM_KINDS: dict[str, FieldKind] = {
    "integer": FieldKind.NUMBER,
    "number": FieldKind.NUMBER,
    "boolean": FieldKind.YES_NO,
    "text": FieldKind.TEXT,
    "choice": FieldKind.TEXT,
    "multi_choice": FieldKind.LIST,
}


def _field_key(text: str) -> str:
    return fold(text).replace("_", " ").replace("-", " ")


def find_field(fields: Sequence[RuleField], name: str) -> RuleField | None:
    """The field named by its key or its words, case, ``_`` and ``-`` ignored."""
    wanted = _field_key(name)
    return next(
        (f for f in fields if wanted in (_field_key(f.key), _field_key(f.label))),
        None,
    )


def _number_words(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Rule:
    field: str
    operator: Operator
    values: tuple[str, ...]
    weight: float = 1.0
    kind: RuleKind = RuleKind.CRITERION
    reason: str = ""

    def numbers(self) -> list[float]:
        return [n for n in (parse_number(v) for v in self.values) if n is not None]

    def words(self, label: str, *, negated: bool = False) -> str:
        """``industry is Software``; negated: what an account that does not meet it is."""
        op, vals = self.operator, self.values
        if op in NUMERIC or (op in (Operator.EQUALS, Operator.IN) and _all_numbers(vals)):
            nums = [_number_words(n) for n in self.numbers()]
            if op is Operator.AT_LEAST:
                return f"{label} {'under' if negated else 'at least'} {nums[0]}"
            if op is Operator.AT_MOST:
                return f"{label} {'over' if negated else 'at most'} {nums[0]}"
            if op is Operator.BETWEEN:
                return f"{label} {'not ' if negated else ''}between {nums[0]} and {nums[1]}"
        if op is Operator.INCLUDES:
            verb = "does not include" if negated else "includes"
            return f"{label} {verb} {', '.join(vals)}"
        if len(vals) == 1:
            return f"{label} is {'not ' if negated else ''}{vals[0]}"
        return f"{label} is {'none' if negated else 'one'} of {', '.join(vals)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "operator": self.operator.value,
            "values": list(self.values),
            "weight": self.weight,
            "kind": self.kind.value,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Rule:
        return cls(
            field=str(doc["field"]),
            operator=Operator(doc["operator"]),
            values=tuple(str(v) for v in doc["values"]),
            weight=float(doc.get("weight", 1.0)),
            kind=RuleKind(doc.get("kind", RuleKind.CRITERION.value)),
            reason=str(doc.get("reason", "")),
        )


def _all_numbers(values: Sequence[str]) -> bool:
    return bool(values) and all(parse_number(v) is not None for v in values)


@dataclass(frozen=True, slots=True)
class TierCuts:
    """The fit from which an account is tier A, B and C (below the last: D)."""

    a: float = 75.0
    b: float = 50.0
    c: float = 25.0

    def problems(self) -> list[tuple[str, str]]:
        cuts = (self.a, self.b, self.c)
        if not all(math.isfinite(x) and 0 <= x <= 100 for x in cuts):
            return [("tiers", f"tier cuts {cuts} must be fits from 0 to 100")]
        if not self.a > self.b > self.c:
            return [("tiers", f"tier cuts A {self.a:g}, B {self.b:g}, C {self.c:g}: A > B > C")]
        return []

    def tier(self, fit: float) -> str:
        return "A" if fit >= self.a else "B" if fit >= self.b else "C" if fit >= self.c else "D"

    def to_json(self) -> dict[str, float]:
        return {"A": self.a, "B": self.b, "C": self.c}


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    tiers: TierCuts = field(default_factory=TierCuts)


# -- checking what a user wrote -----------------------------------------------------------

_KINDS = {
    "criterion": RuleKind.CRITERION,
    "": RuleKind.CRITERION,
    "must_have": RuleKind.MUST_HAVE,
    "must": RuleKind.MUST_HAVE,
    "disqualifier": RuleKind.DISQUALIFIER,
    "disqualify": RuleKind.DISQUALIFIER,
}


def kind_of(text: str) -> RuleKind | None:
    return _KINDS.get(fold(text).replace(" ", "_").replace("-", "_"))


def check_rule(
    *,
    field: str,
    operator: str,
    value: str,
    weight: float | str | None,
    kind: str,
    reason: str,
    fields: Sequence[RuleField],
) -> tuple[Rule | None, list[tuple[str, str]]]:
    """One rule as written, checked by the criteria family's checker against the field's
    kind; the problems name the bad value and what would be valid."""
    found = find_field(fields, field)
    if found is None:
        names = ", ".join(f.key for f in fields)
        return None, [("field", f"unknown field {field!r}; the fields are {names}")]
    problems: list[tuple[str, str]] = []
    w: float | None
    if isinstance(weight, str):
        w = None if not weight.strip() else parse_number(weight)
        if weight.strip() and w is None:
            problems.append(("weight", f"weight {weight!r} is not a number (e.g. 1, 2.5, -1)"))
            w = 1.0
    else:
        w = weight
    checked = check(
        operator,
        value,
        w,
        operators=OPERATORS[found.kind],
        weights=RULE_WEIGHTS,
        numeric=found.kind is FieldKind.NUMBER,
        empty=f"the value is empty; give what {found.label} should be",
    )
    problems.extend(
        (name, f"{found.label}: {message}" if name == "operator" else message)
        for name, message in checked.problems
    )
    values = checked.values
    if found.kind is FieldKind.YES_NO and values:
        read = [yes_no(v) for v in values]
        if None in read or len(values) != 1:
            problems.append(("value", f"{found.label} is yes or no, not {'; '.join(values)!r}"))
        else:
            values = ("yes" if read[0] else "no",)
    rule_kind = kind_of(kind)
    if rule_kind is None:
        problems.append(("kind", f"kind {kind!r} is not one of criterion, must_have, disqualifier"))
    if len(reason) > 300:
        problems.append(("reason", f"the reason has {len(reason)} characters; at most 300"))
    if problems or checked.operator is None or rule_kind is None:
        return None, problems
    return (
        Rule(
            field=found.key,
            operator=checked.operator,
            values=values,
            weight=checked.weight,
            kind=rule_kind,
            reason=" ".join(reason.split()),
        ),
        [],
    )


# -- evaluating an account ----------------------------------------------------------------


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and (not value.strip() or is_placeholder(value)):
        return True
    return isinstance(value, list | tuple) and not value


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return parse_number(str(value))


def _as_list(value: Any) -> set[str]:
    if isinstance(value, list | tuple):
        return {fold(str(v)) for v in value if str(v).strip()}
    return {fold(v) for v in split_values(str(value))}


def meets(rule: Rule, kind: FieldKind, value: Any) -> bool | None:
    """Whether the value meets the rule; None when it is empty or cannot be compared."""
    if _empty(value):
        return None
    op = rule.operator
    if kind is FieldKind.NUMBER:
        x = _as_number(value)
        nums = rule.numbers()
        if x is None or not nums:
            return None
        if op is Operator.AT_LEAST:
            return x >= nums[0]
        if op is Operator.AT_MOST:
            return x <= nums[0]
        if op is Operator.BETWEEN:
            return nums[0] <= x <= nums[1]
        return any(x == n for n in nums)
    if kind is FieldKind.YES_NO:
        b = value if isinstance(value, bool) else yes_no(str(value))
        return None if b is None else ("yes" if b else "no") == rule.values[0]
    wanted = {fold(v) for v in rule.values}
    if kind is FieldKind.LIST:
        have = _as_list(value)
        if not have:
            return None
        if op is Operator.INCLUDES:
            return wanted <= have
        if op is Operator.IN:
            return bool(have & wanted)
        return have == wanted
    text = fold(str(value))
    if op is Operator.INCLUDES:
        return all(w in text for w in wanted)
    return text in wanted


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    rule: Rule
    label: str
    outcome: Outcome
    points: float = 0.0  # criteria: fit points given (+) or cost (-)

    @property
    def words(self) -> str:
        if self.outcome is Outcome.UNKNOWN:
            return f"missing: {self.label}"
        met = self.outcome is Outcome.MET
        return self.rule.words(self.label, negated=not met)

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.rule.field,
            "feature": self.label,
            "kind": self.rule.kind.value,
            "outcome": self.outcome.value,
            "value": self.words,
            "effect": round(self.points, 1),
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    fit: float
    tier: str
    disqualified: str | None
    verdicts: tuple[RuleVerdict, ...]
    reasons: tuple[RuleVerdict, ...]

    @property
    def unknown(self) -> tuple[RuleVerdict, ...]:
        return tuple(v for v in self.verdicts if v.outcome is Outcome.UNKNOWN)

    def reasons_text(self) -> str:
        """``industry is Software (+25); missing: employees``: the criteria that moved the
        fit most, then the unknown ones."""
        parts = []
        if self.disqualified:
            parts.append(f"disqualified: {self.disqualified}")
        parts += [f"{v.words} ({v.points:+.0f})" for v in self.reasons]
        missing = [v.label for v in self.unknown]
        if missing:
            parts.append(f"missing: {', '.join(dict.fromkeys(missing))}")
        return "; ".join(parts)

    def reasons_json(self) -> list[dict[str, Any]]:
        out = [v.to_json() for v in self.reasons]
        out += [v.to_json() for v in self.unknown]
        return out


def _reason(rule: Rule, label: str) -> str:
    if rule.reason:
        return rule.reason
    if rule.kind is RuleKind.MUST_HAVE:
        return f"must have {rule.words(label)}"
    return rule.words(label)


def evaluate(
    ruleset: RuleSet, row: Mapping[str, Any], fields: Sequence[RuleField], *, reasons: int = REASONS
) -> Evaluation:
    """One account (its fields by key) against the rules; see the module docstring."""
    by_key = {f.key: f for f in fields}
    verdicts: list[RuleVerdict] = []
    disqualified: str | None = None
    criteria: list[tuple[Rule, str, bool | None]] = []
    for rule in ruleset.rules:
        spec = by_key.get(rule.field)
        label = spec.label if spec else rule.field.replace("_", " ")
        kind = spec.kind if spec else FieldKind.TEXT
        result = meets(rule, kind, row.get(rule.field))
        if rule.kind is RuleKind.CRITERION:
            criteria.append((rule, label, result))
            continue
        outcome = Outcome.UNKNOWN if result is None else Outcome.MET if result else Outcome.UNMET
        verdicts.append(RuleVerdict(rule, label, outcome))
        blocks = (rule.kind is RuleKind.MUST_HAVE and result is False) or (
            rule.kind is RuleKind.DISQUALIFIER and result is True
        )
        if blocks and disqualified is None:
            disqualified = _reason(rule, label)
    known = sum(abs(r.weight) for r, _, res in criteria if res is not None)
    good = 0.0
    bad = 0
    scored: list[RuleVerdict] = []
    for rule, label, result in criteria:
        if result is None:
            verdicts.append(RuleVerdict(rule, label, Outcome.UNKNOWN))
            continue
        ok = result if rule.weight >= 0 else not result
        share = 100.0 * abs(rule.weight) / known if known else 0.0
        good += share if ok else 0.0
        bad += 0 if ok else 1
        verdict = RuleVerdict(
            rule, label, Outcome.MET if result else Outcome.UNMET, share if ok else -share
        )
        verdicts.append(verdict)
        scored.append(verdict)
    # nothing judged: 0; only criteria of weight 0: 100 when all are good, else 0
    fit = round(good, 1) if known else 100.0 if scored and not bad else 0.0
    if disqualified is not None:
        fit = 0.0
    top = sorted(scored, key=lambda v: -abs(v.points))[:reasons]
    tier = f"disqualified: {disqualified}" if disqualified else ruleset.tiers.tier(fit)
    return Evaluation(fit, tier, disqualified, tuple(verdicts), tuple(top))
