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
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from buyermap.analytics.avatar.rules import Calibration
from buyermap.analytics.base import hash_files
from buyermap.analytics.personas.loading import table_hash
from buyermap.db.models import Avatar
from buyermap.domain.avatar_rules import Rule, RuleField, RuleSet, TierCuts, check_rule
from buyermap.errors import AvatarInputError, ConflictError
from buyermap.io.avatar_rules import RulesFile, read_rules, rules_csv
from buyermap.seams.avatar_rules_docs import (
    KIND,
    AcceptRequest,
    FieldDoc,
    RejectedDoc,
    RuleDoc,
    RuleIn,
    RulesAvatarDoc,
    RulesRequest,
    ScoresDoc,
    TiersIn,
    VersionDoc,
    field_doc,
    rule_doc,
    rules_model,
    ruleset_from,
)
from buyermap.seams.avatar_rules_score import (
    score_rules_avatar,
    score_workspace,
    scores_of,
    store,
    workspace_calibration,
)
from buyermap.services import avatars as svc

__all__ = [
    "REFUSALS",
    "AcceptRequest",
    "FieldDoc",
    "RejectedDoc",
    "RuleDoc",
    "RuleIn",
    "RulesAvatarDoc",
    "RulesRequest",
    "ScoresDoc",
    "TiersIn",
    "VersionDoc",
    "accept_rules",
    "export_rules",
    "import_rules",
    "proposed_rules",
    "put_rules",
    "rules_avatar",
    "ruleset_of",
    "save_rules",
    "score_rules_avatar",
    "scores_of",
]

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
    calibration: Calibration | None = None,
) -> RulesAvatarDoc:
    fields = svc.rule_fields(session)
    ruleset = ruleset_from(avatar.model)
    if calibration is None:
        calibration = workspace_calibration(session, ruleset, fields)
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
        fields=[field_doc(f) for f in fields],
        probability=_probability_words(calibration),
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
    model = rules_model(ruleset)
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
    found = score_workspace(session, ruleset, svc.rule_fields(session))
    stored = store(session, avatar, found)
    return RulesSaved(
        avatar,
        _document(
            session,
            avatar,
            stored=stored,
            rejected=rejected,
            calibration=found.scored.calibration,
        ),
    )


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
