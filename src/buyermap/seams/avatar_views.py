"""What the avatar pages and downloads show, over the avatar seam (:mod:`.avatar`): the saved
avatars in a row each, a learned avatar's document, its stored scores as a table, one
account's fit, and a prospect file scored without importing it.

The pages, ``/api/v1/avatars/{name}/scores.csv|.xlsx`` and the CLI read the same functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy.orm import Session

from buyermap.analytics.avatar import AvatarModel
from buyermap.db.models import Avatar
from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.io.prospects import ProspectFile, read_prospects
from buyermap.seams.avatar import AvatarLearned, AvatarSource, Scored, score_avatar
from buyermap.seams.documents import Doc
from buyermap.services import avatars as svc


class AvatarRow(Doc):
    """A saved avatar version as the list of avatars shows it."""

    name: str
    version: int
    kind: str
    source: str
    created_at: datetime
    n: int | None = Field(description="Rows learned from")
    positives: int | None
    auc: float | None
    auc_interval: list[float] | None
    evidence: str | None
    scored: int = Field(description="Accounts scored and stored by this version")
    latest: bool = Field(description="The version whose scores the accounts list shows")


def avatar_rows(session: Session) -> list[AvatarRow]:
    """Every saved avatar version, newest version of each name first."""
    out: list[AvatarRow] = []
    for a in svc.list_avatars(session):
        m: dict[str, Any] = a.metrics or {}
        summary = svc.score_summary(session, avatar=a)
        out.append(
            AvatarRow(
                name=a.name,
                version=a.version,
                kind=a.kind,
                source=a.source,
                created_at=a.created_at,
                n=m.get("n"),
                positives=m.get("positives"),
                auc=m.get("auc"),
                auc_interval=m.get("auc_interval"),
                evidence=m.get("evidence"),
                scored=summary.n,
                latest=summary.latest,
            )
        )
    return out


def learned_document(avatar: Avatar) -> AvatarLearned | None:
    """The learning's document of a learned avatar (None for a rules avatar)."""
    if avatar.kind != "learned" or not avatar.metrics:
        return None
    return AvatarLearned.model_validate(
        avatar.metrics | {"avatar": avatar.name, "version": avatar.version}
    )


@dataclass(frozen=True, slots=True)
class Overview:
    avatar: Avatar
    document: AvatarLearned | None
    scores: svc.ScoreSummary
    versions: list[int]


def overview(session: Session, *, name: str, version: int | None = None) -> Overview:
    avatar = svc.require_avatar(session, name=name, version=version)
    versions = [a.version for a in svc.list_avatars(session) if a.name == avatar.name]
    return Overview(
        avatar=avatar,
        document=learned_document(avatar),
        scores=svc.score_summary(session, avatar=avatar),
        versions=versions,
    )


def _reasons_text(reasons: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{r['value']} ({float(r['effect']):+.2f}, odds x{float(r['ratio']):.2f})" for r in reasons
    )


def scores_frame(session: Session, *, name: str, version: int | None = None) -> pl.DataFrame:
    """The avatar's stored scores of the workspace's accounts, best fit first; an avatar
    that has scored none is refused with how to score."""
    avatar = svc.require_avatar(session, name=name, version=version)
    rows = svc.stored_scores(session, avatar=avatar)
    if not rows:
        raise InvalidValueError(
            f"avatar {avatar.name!r} version {avatar.version} has scored no accounts yet; "
            f"score them first (the 'Score all accounts' button on /avatars/{avatar.name}, "
            f"or buyermap avatar score --avatar {avatar.name} --out FILE.csv)",
            details={"name": avatar.name, "version": avatar.version},
        )
    return pl.DataFrame(
        {
            "account_id": [a.id for a, _ in rows],
            "name": [a.name for a, _ in rows],
            "domain": [a.domain for a, _ in rows],
            "fit": [round(s.fit, 1) for _, s in rows],
            "probability": [
                None if s.probability is None else round(s.probability, 4) for _, s in rows
            ],
            "tier": [s.tier for _, s in rows],
            "reasons": [_reasons_text(s.reasons or []) for _, s in rows],
        },
        schema={
            "account_id": pl.Int64,
            "name": pl.Utf8,
            "domain": pl.Utf8,
            "fit": pl.Float64,
            "probability": pl.Float64,
            "tier": pl.Utf8,
            "reasons": pl.Utf8,
        },
    )


class ReasonDoc(Doc):
    feature: str
    value: str
    effect: float
    ratio: float


class AccountFit(Doc):
    """One account's fit by the avatar that scored the workspace last (its page)."""

    avatar: str = Field(description="The avatar's name")
    version: int
    scored: bool = Field(description="False when that avatar has not scored this account")
    fit: float | None
    probability: float | None
    tier: str | None
    reasons: list[ReasonDoc]
    scored_at: datetime | None


def account_fit(session: Session, *, account_id: int) -> AccountFit | None:
    """None when no avatar has scored the workspace yet."""
    found = svc.latest_score(session, account_id=account_id)
    if found is None:
        return None
    avatar, score = found
    return AccountFit(
        avatar=avatar.name,
        version=avatar.version,
        scored=score is not None,
        fit=None if score is None else round(score.fit, 1),
        probability=None if score is None else score.probability,
        tier=None if score is None else score.tier,
        reasons=[ReasonDoc.model_validate(r) for r in (score.reasons if score else [])],
        scored_at=None if score is None else score.scored_at,
    )


@dataclass(frozen=True, slots=True)
class ProspectPreview:
    file: ProspectFile
    used: list[str]  # the avatar's columns the file has
    missing: list[str]  # the avatar's columns it lacks (scored as empty)


def avatar_columns(avatar: Avatar) -> list[str]:
    """The columns a learned avatar reads (a prospect file's columns should be named so);
    none for a rules avatar."""
    try:
        return AvatarModel.from_json(avatar.model).columns
    except BuyermapError:
        return []


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def preview_prospects(
    session: Session,
    *,
    avatar: str,
    path: Path,
    name: str,
    encoding: str | None = None,
    version: int | None = None,
) -> ProspectPreview:
    """The uploaded prospect file read as the user chose (its columns and first rows), and
    which of the avatar's columns it has (names matched ignoring case and punctuation, as
    scoring matches them; ``founded_year`` gives the years on the market)."""
    found = svc.require_avatar(session, name=avatar, version=version)
    read = read_prospects(path, name=name, encoding=encoding)
    columns = avatar_columns(found)
    have = {_norm(c) for c in read.columns}
    if "founded_year" in have:
        have.add("years_on_market")
    used = [c for c in columns if _norm(c) in have]
    return ProspectPreview(file=read, used=used, missing=[c for c in columns if c not in used])


def score_prospects(
    session: Session,
    *,
    avatar: str,
    path: Path,
    name: str,
    encoding: str | None = None,
    id_column: str | None = None,
    version: int | None = None,
) -> Scored:
    """The prospect file with fit, probability, tier and reasons added (the id column
    first); nothing is imported. Refuses an id column the file lacks (naming its columns)
    and a file without any of the avatar's columns."""
    table = read_prospects(path, name=name, encoding=encoding).frame
    return score_avatar(
        session,
        name=avatar,
        version=version,
        source=AvatarSource(id_column=id_column or None),
        table=table,
    )
