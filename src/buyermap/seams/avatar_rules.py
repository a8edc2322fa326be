"""The rules-avatar seam: rules avatars saved by name and versioned, accepted from a
learned avatar's proposed rules, imported from and exported to a file, and scored with
the same document and columns as a learned avatar (docs/avatar.md, "Rules avatars").

One request schema (:class:`RulesRequest`) checked by one function
(:func:`ruleset_of`, through :func:`buyermap.domain.avatar_rules.check_rule`); one
document (:class:`RulesAvatarDoc`) the CLI's ``--json``, ``/api/v1/avatars/{name}/rules``
and the rules editor page show.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from buyermap.analytics.avatar.errors import AvatarInputError
from buyermap.analytics.avatar.rules import (
    Calibration,
    RulesScore,
    calibration_of,
    no_calibration,
    score_rules,
)
from buyermap.analytics.base import hash_files
from buyermap.analytics.personas.loading import read_input, table_hash
from buyermap.db.models import Avatar
from buyermap.domain.avatar_rules import (
    OPERATORS,
    Rule,
    RuleField,
    RuleKind,
    RuleSet,
    TierCuts,
    check_rule,
    find_field,
)
from buyermap.errors import ConflictError
from buyermap.io.avatar_rules import RulesFile, read_rules, rules_csv
from buyermap.schemas.common import Text120
from buyermap.seams.avatar import AvatarScored, AvatarSource, Scored, TierCount, align
from buyermap.seams.documents import Doc
from buyermap.services import avatars as svc

FORMAT = 1
KIND = "rules"

REFUSALS = """\
A rules avatar is refused, the same way at every edge (CLI: exit code 2; REST: 422):
1. a rule whose field is unknown (the fields are listed), whose operator does not suit
   the field (the operators that do are named), whose value is empty or not a number
   where one is needed (between: two numbers, the lower first), whose weight is not a
   number from -1000 to 1000, or whose kind is not criterion, must_have or disqualifier;
2. tier cuts that are not fits from 0 to 100 with A > B > C;
3. a name that belongs to a learned avatar (rules go under a name of their own);
4. accepting rules from an avatar that is not learned, or rule numbers it does not have.
An import file's bad rows go to the quarantine with the column and the message; without
``partial`` nothing is saved when any row is bad."""


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


def _field_doc(f: RuleField) -> FieldDoc:
    return FieldDoc(
        key=f.key, label=f.label, kind=f.kind.value, operators=[o.value for o in OPERATORS[f.kind]]
    )


def _label(fields: list[RuleField], key: str) -> str:
    found = find_field(fields, key)
    return found.label if found else key.replace("_", " ")


def rule_doc(rule: Rule, fields: list[RuleField]) -> RuleDoc:
    label = _label(fields, rule.field)
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


def _model(ruleset: RuleSet) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": KIND,
        "rules": [r.to_json() for r in ruleset.rules],
        "tiers": ruleset.tiers.to_json(),
    }


def _probability_words(calibration: Calibration) -> str:
    if calibration.method is None:
        return calibration.why
    return f"probability = {calibration.why}"


def _document(
    session: Session,
    avatar: Avatar,
    *,
    stored: int = 0,
    rejected: list[RejectedDoc] | None = None,
    warnings: list[str] | None = None,
) -> RulesAvatarDoc:
    fields = svc.rule_fields(session)
    ruleset = ruleset_from(avatar.model)
    return RulesAvatarDoc(
        avatar=avatar.name,
        version=avatar.version,
        source=avatar.source,
        rules=[rule_doc(r, fields) for r in ruleset.rules],
        tiers=ruleset.tiers.to_json(),
        versions=[
            VersionDoc(
                version=v.version,
                created_at=v.created_at.isoformat(),
                source=v.source,
                rules=len((v.model or {}).get("rules", [])),
            )
            for v in svc.versions_of(session, name=avatar.name)
        ],
        fields=[_field_doc(f) for f in fields],
        probability=_probability_words(_calibration(session, ruleset, fields)),
        stored_scores=stored,
        rejected=rejected or [],
        warnings=warnings or [],
    )


# -- checking and saving ------------------------------------------------------------------


def ruleset_of(request: RulesRequest, fields: list[RuleField]) -> RuleSet:
    """The request's rules checked; the first problem is refused naming the rule (by
    number), the field and the bad value (422 / exit 2)."""
    rules: list[Rule] = []
    for i, given in enumerate(request.rules, start=1):
        rule, problems = check_rule(
            field=given.field,
            operator=given.operator,
            value=given.text(),
            weight=given.weight,
            kind=given.kind,
            reason=given.reason,
            fields=fields,
        )
        if rule is None:
            name, message = problems[0]
            raise AvatarInputError(
                f"rule {i}: {message}",
                details={"field": f"rules.{i - 1}.{name}", "rule": i, "problems": problems},
            )
        rules.append(rule)
    tiers = TierCuts(a=request.tiers.A, b=request.tiers.B, c=request.tiers.C)
    for name, message in tiers.problems():
        raise AvatarInputError(message, details={"field": name})
    return RuleSet(tuple(rules), tiers)


def _name_for_rules(session: Session, name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise AvatarInputError("the rules avatar needs a name", details={"field": "save"})
    if len(clean) > 120:
        raise AvatarInputError(
            f"the name {clean[:40]!r}... has {len(clean)} characters; at most 120",
            details={"field": "save"},
        )
    existing = svc.find_avatar(session, name=clean)
    if existing is not None and existing.kind != KIND:
        raise ConflictError(
            f"{clean!r} is a {existing.kind} avatar; save the rules under a name of their own "
            f"(e.g. {clean + ' rules'!r})",
            details={"field": "save", "name": clean, "kind": existing.kind},
        )
    return clean


@dataclass(frozen=True, slots=True)
class RulesSaved:
    avatar: Avatar
    document: RulesAvatarDoc


def save_rules(
    session: Session,
    *,
    name: str,
    ruleset: RuleSet,
    source: str,
    source_hash: str = "",
    rejected: list[RejectedDoc] | None = None,
) -> RulesSaved:
    """Save the rules as a new version of ``name`` and rescore every account with it (the
    stored scores are what the accounts list, account pages and mutual fit show)."""
    clean = _name_for_rules(session, name)
    model = _model(ruleset)
    avatar = svc.save_avatar(
        session,
        name=clean,
        kind=KIND,
        source=source,
        source_hash=source_hash or table_hash(pl.DataFrame({"m": [str(model)]})),
        settings={"tiers": ruleset.tiers.to_json()},
        model=model,
        metrics={"rules": len(ruleset.rules)},
    )
    stored = _store(session, avatar, ruleset)
    return RulesSaved(avatar, _document(session, avatar, stored=stored, rejected=rejected))


def put_rules(
    session: Session, *, name: str, request: RulesRequest, source: str = "api"
) -> RulesSaved:
    """Create or replace a rules avatar's rules (a new version)."""
    return save_rules(
        session, name=name, ruleset=ruleset_of(request, svc.rule_fields(session)), source=source
    )


def require_rules(session: Session, *, name: str, version: int | None = None) -> Avatar:
    avatar = svc.require_avatar(session, name=name, version=version)
    if avatar.kind != KIND:
        raise AvatarInputError(
            f"{name!r} is a {avatar.kind} avatar, not a rules avatar; accept its proposed "
            f"rules into one with: buyermap avatar accept-rules --from {name!r} --save NAME",
            details={"name": name, "kind": avatar.kind},
        )
    return avatar


def rules_avatar(session: Session, *, name: str, version: int | None = None) -> RulesAvatarDoc:
    return _document(session, require_rules(session, name=name, version=version))


def proposed_rules(avatar: Avatar) -> list[dict[str, Any]]:
    """A learned avatar's proposed rules, numbered from 1 as they are shown."""
    return list((avatar.metrics or {}).get("rules", []))


def _from_proposal(proposal: dict[str, Any], fields: list[RuleField]) -> tuple[Rule | None, str]:
    operator = str(proposal.get("operator", ""))
    if operator == "under":  # a learned range "under X": at most X
        operator = "at_most"
    values = [str(v) for v in proposal.get("values", [])]
    text = str(proposal.get("text", ""))
    rule, problems = check_rule(
        field=str(proposal.get("field", "")),
        operator=operator,
        value="; ".join(values),
        weight=round(float(proposal.get("weight", 1.0)), 3),
        kind="criterion",
        reason=f"learned: {text.split(': ', 1)[1]}" if ": " in text else "learned",
        fields=fields,
    )
    return rule, "; ".join(m for _, m in problems)


def accept_rules(
    session: Session, *, learned: str, request: AcceptRequest, version: int | None = None
) -> RulesSaved:
    """Make (or add to) the rules avatar ``request.save`` from the learned avatar's
    proposed rules (all, or those numbered); a proposal whose field no account field
    matches (a file's column) is listed in ``rejected``."""
    source = svc.require_avatar(session, name=learned, version=version)
    if source.kind != "learned":
        raise AvatarInputError(
            f"{learned!r} is a {source.kind} avatar; rules are accepted from a learned one",
            details={"field": "from", "kind": source.kind},
        )
    proposals = proposed_rules(source)
    if not proposals:
        raise AvatarInputError(
            f"{learned!r} version {source.version} proposes no rules (no trait was strong enough)",
            details={"field": "from"},
        )
    wanted = request.rules or list(range(1, len(proposals) + 1))
    bad = [n for n in wanted if n > len(proposals)]
    if bad:
        raise AvatarInputError(
            f"{learned!r} proposes rules 1 to {len(proposals)}; there is no rule "
            f"{', '.join(map(str, bad))}",
            details={"field": "rules", "valid": [1, len(proposals)]},
        )
    fields = svc.rule_fields(session)
    name = _name_for_rules(session, request.save)
    existing = svc.find_avatar(session, name=name)
    rules = list(ruleset_from(existing.model).rules) if existing is not None else []
    tiers = ruleset_from(existing.model).tiers if existing is not None else TierCuts()
    rejected: list[RejectedDoc] = []
    for n in wanted:
        rule, why = _from_proposal(proposals[n - 1], fields)
        if rule is None:
            rejected.append(RejectedDoc(row=n, line=n, column="field", reason=why))
        elif not any(
            (r.field, r.operator, r.values) == (rule.field, rule.operator, rule.values)
            for r in rules
        ):
            rules.append(rule)
    if not rules:
        raise AvatarInputError(
            "none of the rules asked for could be accepted: "
            + "; ".join(r.reason for r in rejected),
            details={"rejected": [r.model_dump() for r in rejected]},
        )
    return save_rules(
        session,
        name=name,
        ruleset=RuleSet(tuple(rules), tiers),
        source=f"{source.name} v{source.version}",
        source_hash=source.source_hash,
        rejected=rejected,
    )


@dataclass(frozen=True, slots=True)
class RulesImported:
    file: RulesFile
    saved: RulesSaved | None
    rejected: list[RejectedDoc]


def import_rules(
    session: Session,
    *,
    path: Path,
    name: str,
    partial: bool = False,
    encoding: str | None = None,
    file_name: str | None = None,
) -> RulesImported:
    """Read a rules file; with no bad row (or ``partial``) save its rules as a new version
    of ``name``. The caller writes the quarantine of the bad rows."""
    fields = svc.rule_fields(session)
    found = read_rules(path, fields, encoding=encoding)
    rejected = [RejectedDoc(**asdict(r)) for r in found.rejections]
    if (rejected and not partial) or not found.rules:
        return RulesImported(found, None, rejected)
    saved = save_rules(
        session,
        name=name,
        ruleset=RuleSet(tuple(found.rules)),
        source=file_name or path.name,
        source_hash=hash_files([path]),
        rejected=rejected,
    )
    return RulesImported(found, saved, rejected)


def export_rules(session: Session, *, name: str, version: int | None = None) -> str:
    return rules_csv(
        list(ruleset_from(require_rules(session, name=name, version=version).model).rules)
    )


# -- scoring ------------------------------------------------------------------------------


def _calibration(session: Session, ruleset: RuleSet, fields: list[RuleField]) -> Calibration:
    accounts = svc.accounts_table(session, lists=True)
    if accounts.height == 0:
        return no_calibration("no probability: the workspace has no accounts with outcomes")
    return calibration_of(
        ruleset, fields, accounts, outcome=svc.OUTCOME, positive="won", negative="lost"
    )


def _rows(scored: RulesScore) -> pl.DataFrame:
    probability = [None if np.isnan(p) else round(float(p), 4) for p in scored.probability]
    return pl.DataFrame(
        {
            "fit": np.round(scored.fit, 1),
            "probability": pl.Series(probability, dtype=pl.Float64),
            "tier": pl.Series([str(t) for t in scored.tier], dtype=pl.Utf8),
            "reasons": pl.Series(scored.reasons_text(), dtype=pl.Utf8),
        }
    )


def _store(session: Session, avatar: Avatar, ruleset: RuleSet) -> int:
    fields = svc.rule_fields(session)
    accounts = svc.accounts_table(session, lists=True)
    scored = score_rules(ruleset, fields, accounts, _calibration(session, ruleset, fields))
    ids = accounts[svc.ACCOUNT_ID].to_list()
    rows = [
        {
            "account_id": int(ids[i]),
            "fit": float(scored.fit[i]),
            "probability": None
            if np.isnan(scored.probability[i])
            else round(float(scored.probability[i]), 5),
            "tier": str(scored.tier[i])[:200],
            "reasons": scored.reasons(i),
        }
        for i in range(scored.n)
    ]
    return svc.save_scores(session, avatar=avatar, rows=rows)


def _tiers(scored: RulesScore) -> list[TierCount]:
    n = max(scored.n, 1)
    tiers = [str(t) for t in scored.tier]
    out = [TierCount(tier=t, n=tiers.count(t), share=round(tiers.count(t) / n, 4)) for t in "ABCD"]
    out_n = sum(1 for t in tiers if t.startswith("disqualified"))
    out.append(TierCount(tier="disqualified", n=out_n, share=round(out_n / n, 4)))
    return out


def _drift(scored: RulesScore) -> dict[str, Any]:
    c = scored.calibration
    if c.method is None or scored.n == 0:
        return {}
    base = c.won / max(c.n, 1)
    mean = float(np.mean(scored.probability))
    return {
        "base_rate": round(base, 4),
        "mean_probability": round(mean, 4),
        "shift": round(mean - base, 4),
    }


def score_rules_avatar(
    session: Session, avatar: Avatar, *, source: AvatarSource, table: pl.DataFrame | None
) -> Scored:
    """Score the workspace's accounts (stored) or a file (not imported) with a rules
    avatar: the same columns and document as a learned avatar's scoring."""
    ruleset = ruleset_from(avatar.model)
    fields = svc.rule_fields(session)
    calibration = _calibration(session, ruleset, fields)
    if source.path is None and table is None:
        accounts = svc.accounts_table(session, lists=True)
        scored = score_rules(ruleset, fields, accounts, calibration)
        stored = _store(session, avatar, ruleset)
        out = pl.concat([accounts.select(svc.IDENTITY_COLUMNS), _rows(scored)], how="horizontal")
        origin = "workspace"
        warnings: list[str] = []
    else:
        given = table if table is not None else read_input(source.path)  # type: ignore[arg-type]
        if source.id_column is not None and source.id_column not in given.columns:
            raise AvatarInputError(
                f"the file has no column {source.id_column!r} (given as id_column); its "
                f"columns are {', '.join(map(repr, given.columns[:20]))}",
                details={"parameter": "id_column", "column": source.id_column},
            )
        columns = list(dict.fromkeys(r.field for r in ruleset.rules))
        aligned, warnings = align(columns, given)
        scored = score_rules(ruleset, fields, aligned, calibration)
        stored = 0
        rows = _rows(scored)
        kept = given.drop([c for c in rows.columns if c in given.columns])
        if source.id_column is not None:
            kept = kept.select(source.id_column, pl.exclude(source.id_column))
        out = pl.concat([kept, rows], how="horizontal")
        origin = source.path.name if source.path is not None else "upload"
    document = AvatarScored(
        avatar=avatar.name,
        version=avatar.version,
        kind=KIND,
        source=origin,
        n=scored.n,
        tiers=_tiers(scored),
        mean_fit=round(float(scored.fit.mean()), 2) if scored.n else None,
        drift=_drift(scored),
        calibration=calibration.to_json(),
        warnings=[*warnings, *scored.warnings],
        stored=stored,
    )
    return Scored(document=document, table=out)


def rule_kinds() -> list[str]:
    return [k.value for k in RuleKind]


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


def reasons_words(reasons: list[dict[str, Any]]) -> str:
    """Stored reasons in words: ``industry is Software (+25); missing: employees``."""
    parts = [
        f"{r['value']} ({float(r['effect']):+.0f})"
        for r in reasons
        if r.get("outcome") != "unknown" and "value" in r
    ]
    missing = [str(r["feature"]) for r in reasons if r.get("outcome") == "unknown"]
    if missing:
        parts.append(f"missing: {', '.join(dict.fromkeys(missing))}")
    return "; ".join(parts)


def scores_of(session: Session, *, avatar: Avatar, limit: int = 10) -> ScoresDoc:
    return ScoresDoc(
        tiers=svc.tier_counts(session, avatar=avatar),
        top=[
            ScoredAccountDoc(
                account_id=a.id,
                name=a.name,
                domain=a.domain,
                fit=s.fit,
                probability=s.probability,
                tier=s.tier,
                reasons=reasons_words(list(s.reasons or [])),
            )
            for a, s in svc.scored_accounts(session, avatar=avatar, limit=limit)
        ],
    )
