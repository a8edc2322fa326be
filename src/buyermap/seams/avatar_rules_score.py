"""Scoring with a rules avatar (:mod:`buyermap.seams.avatar_rules`): the workspace's
accounts (stored, as a learned avatar's scores are) or a prospect file (not imported),
with the learned avatar's columns and :class:`~buyermap.seams.avatar.AvatarScored`
document; the fit calibrated on the workspace's closed accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from buyermap.analytics.avatar.rules import (
    Calibration,
    RulesScore,
    calibration_of,
    no_calibration,
    score_rules,
)
from buyermap.analytics.personas.loading import read_input
from buyermap.db.models import Avatar
from buyermap.domain.avatar_rules import RuleField, RuleSet
from buyermap.errors import AvatarInputError
from buyermap.seams.avatar import AvatarScored, AvatarSource, Scored, TierCount, align
from buyermap.seams.avatar_rules_docs import KIND, ScoredAccountDoc, ScoresDoc, ruleset_from
from buyermap.services import avatars as svc

# -- scoring ------------------------------------------------------------------------------


def workspace_calibration(
    session: Session,
    ruleset: RuleSet,
    fields: list[RuleField],
    accounts: pl.DataFrame | None = None,
) -> Calibration:
    """fit -> win probability on the workspace's closed accounts (``accounts``: the
    accounts table when the caller has it already)."""
    if accounts is None:
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


@dataclass(frozen=True, slots=True)
class ScoredWorkspace:
    """The workspace's accounts scored by a rules avatar (once per save or scoring)."""

    accounts: pl.DataFrame
    scored: RulesScore


def score_workspace(session: Session, ruleset: RuleSet, fields: list[RuleField]) -> ScoredWorkspace:
    accounts = svc.accounts_table(session, lists=True)
    calibration = workspace_calibration(session, ruleset, fields, accounts)
    return ScoredWorkspace(accounts, score_rules(ruleset, fields, accounts, calibration))


def store(session: Session, avatar: Avatar, found: ScoredWorkspace) -> int:
    scored = found.scored
    ids = found.accounts[svc.ACCOUNT_ID].to_list()
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
    if source.path is None and table is None:
        found = score_workspace(session, ruleset, fields)
        scored, calibration = found.scored, found.scored.calibration
        stored = store(session, avatar, found)
        out = pl.concat(
            [found.accounts.select(svc.IDENTITY_COLUMNS), _rows(scored)], how="horizontal"
        )
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
        calibration = workspace_calibration(session, ruleset, fields)
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
            for a, s in svc.stored_scores(session, avatar=avatar, limit=limit)
        ],
    )
