"""The rules avatar's requests and documents (:mod:`buyermap.seams.avatar_rules`): what a
user writes (:class:`RulesRequest`, :class:`AcceptRequest`) and what every edge shows
(:class:`RulesAvatarDoc`, :class:`ScoresDoc`), with the model JSON a rules avatar is
stored as."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from buyermap.domain.avatar_rules import (
    OPERATORS,
    Rule,
    RuleField,
    RuleSet,
    TierCuts,
    find_field,
)
from buyermap.schemas.common import Text120
from buyermap.seams.documents import Doc

FORMAT = 1
KIND = "rules"


class RuleIn(BaseModel):
    """One rule as a user writes it (REST body, editor form, a file's row)."""

    model_config = ConfigDict(extra="forbid")

    field: Text120 = Field(description="An account field or custom field (key or words)")
    operator: Annotated[str, Field(max_length=40)] = Field(
        description="in, equals, includes, at_least, at_most, between"
    )
    value: Annotated[str, Field(max_length=2000)] | list[Text120] = Field(
        description="The value; several separated by ';' (or a list)"
    )
    weight: float | Annotated[str, Field(max_length=40)] | None = Field(
        1.0, description="-1000 to 1000 (a number, or text such as '2,5'); negative counts against"
    )
    kind: Annotated[str, Field(max_length=40)] = Field(
        "criterion", description="criterion, must_have or disqualifier"
    )
    reason: Annotated[str, Field(max_length=300)] = Field("", description="Why, in words")

    def text(self) -> str:
        return "; ".join(self.value) if isinstance(self.value, list) else self.value


class TiersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    A: float = 75.0
    B: float = 50.0
    C: float = 25.0


class RulesRequest(BaseModel):
    """A rules avatar's rules and tier cuts (``PUT /api/v1/avatars/{name}/rules``)."""

    model_config = ConfigDict(extra="forbid")

    rules: Annotated[list[RuleIn], Field(min_length=1, max_length=200)]
    tiers: TiersIn = Field(default_factory=TiersIn)


class AcceptRequest(BaseModel):
    """Which proposed rules of a learned avatar to accept, and under which name."""

    model_config = ConfigDict(extra="forbid")

    save: Text120 = Field(description="The rules avatar to make, or to add the rules to")
    rules: Annotated[list[Annotated[int, Field(ge=1, le=1000)]], Field(max_length=200)] = Field(
        default_factory=list, description="Proposed rules by number (1 = first); empty: all"
    )


# -- documents ----------------------------------------------------------------------------


class RuleDoc(Doc):
    field: str
    feature: str = Field(description="The field in words")
    operator: str
    values: list[str]
    weight: float
    kind: str
    reason: str
    text: str = Field(description="The rule in words: 'industry is Software'")


class FieldDoc(Doc):
    key: str
    label: str
    kind: str
    operators: list[str]


class VersionDoc(Doc):
    version: int
    created_at: str
    source: str
    rules: int


class RejectedDoc(Doc):
    row: int
    line: int
    column: str | None
    reason: str


class RulesAvatarDoc(Doc):
    """A rules avatar (``buyermap avatar rules show --json``, ``GET .../rules``)."""

    avatar: str
    version: int
    kind: str = KIND
    source: str
    rules: list[RuleDoc]
    tiers: dict[str, float] = Field(description="Fit from which an account is tier A, B, C")
    versions: list[VersionDoc] = Field(description="Every version, newest first")
    fields: list[FieldDoc] = Field(description="The fields rules can judge")
    probability: str = Field(description="What the probability of this avatar's scores means")
    stored_scores: int = Field(0, description="Accounts rescored and stored by this save")
    rejected: list[RejectedDoc] = Field(default_factory=list, description="Rows not accepted")
    warnings: list[str] = Field(default_factory=list)


def field_doc(f: RuleField) -> FieldDoc:
    return FieldDoc(
        key=f.key, label=f.label, kind=f.kind.value, operators=[o.value for o in OPERATORS[f.kind]]
    )


def label_of(fields: list[RuleField], key: str) -> str:
    found = find_field(fields, key)
    return found.label if found else key.replace("_", " ")


def rule_doc(rule: Rule, fields: list[RuleField]) -> RuleDoc:
    label = label_of(fields, rule.field)
    return RuleDoc(
        field=rule.field,
        feature=label,
        operator=rule.operator.value,
        values=list(rule.values),
        weight=rule.weight,
        kind=rule.kind.value,
        reason=rule.reason,
        text=rule.words(label),
    )


def ruleset_from(model: dict[str, Any]) -> RuleSet:
    tiers = model.get("tiers") or {}
    return RuleSet(
        rules=tuple(Rule.from_json(r) for r in model.get("rules", [])),
        tiers=TierCuts(
            a=float(tiers.get("A", 75.0)),
            b=float(tiers.get("B", 50.0)),
            c=float(tiers.get("C", 25.0)),
        ),
    )


def rules_model(ruleset: RuleSet) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": KIND,
        "rules": [r.to_json() for r in ruleset.rules],
        "tiers": ruleset.tiers.to_json(),
    }


class ScoredAccountDoc(Doc):
    account_id: int
    name: str
    domain: str | None
    fit: float
    probability: float | None
    tier: str
    reasons: str


class ScoresDoc(Doc):
    """The accounts as the avatar version scored them (its stored scores)."""

    tiers: dict[str, int]
    top: list[ScoredAccountDoc]
