"""Customer avatars in the workspace: the accounts as a table to learn from, saved avatars
(a name, a version per save) and the accounts' scores. Keyword-only; never commits.

The table has one row per account: its fields (industry, employees, annual revenue,
years on the market from the founded year, country, region, part of a holding = has a
parent account) and its custom fields by their declared type, plus ``outcome``: ``won``
when the account has a won deal, ``lost`` when it has deals and every one is lost, empty
otherwise (open deals only, or none: scored, not trained on). Deal outcomes never become
features (no leakage): only the account's own fields do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, Avatar, AvatarScore, CustomFieldDef, Deal
from buyermap.domain.avatar_rules import ACCOUNT_FIELDS, CUSTOM_KINDS, RuleField
from buyermap.domain.enums import CustomFieldType
from buyermap.errors import NotFoundError

ACCOUNT_ID = "account_id"
OUTCOME = "outcome"
IDENTITY_COLUMNS = (ACCOUNT_ID, "name", "domain")
LABELS = {
    "industry": "industry",
    "employees": "employees",
    "annual_revenue": "annual revenue",
    "years_on_market": "years on the market",
    "country": "country",
    "region": "region",
    "part_of_holding": "part of a holding",
}
_NUMERIC = {CustomFieldType.INTEGER.value, CustomFieldType.NUMBER.value}
_LEVELS = {CustomFieldType.TEXT.value, CustomFieldType.CHOICE.value}


def _outcomes(session: Session) -> dict[int, str]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = session.execute(
        select(Deal.account_id, Deal.status, func.count())
        .where(Deal.account_id.is_not(None))
        .group_by(Deal.account_id, Deal.status)
    )
    for account_id, status, n in rows:
        if account_id is not None:
            counts[int(account_id)][str(status)] = int(n)
    out: dict[int, str] = {}
    for account_id, by_status in counts.items():
        if by_status.get("won"):
            out[account_id] = "won"
        elif by_status.get("lost") and not by_status.get("open"):
            out[account_id] = "lost"
    return out


def accounts_table(
    session: Session, *, year: int | None = None, lists: bool = False
) -> pl.DataFrame:
    """One row per account (see the module's docstring); ``year`` for the years on the
    market (default: this year); ``lists`` adds the multiple-choice custom fields as
    ``a; b`` text (rules judge them; a learned avatar does not use them)."""
    this_year = year or datetime.now(UTC).year
    defs = list(
        session.scalars(
            select(CustomFieldDef)
            .where(CustomFieldDef.entity == "account")
            .order_by(CustomFieldDef.key)
        )
    )
    outcomes = _outcomes(session)
    accounts = list(session.execute(select(Account).order_by(Account.id)).scalars())
    cols: dict[str, list[Any]] = {
        ACCOUNT_ID: [a.id for a in accounts],
        "name": [a.name for a in accounts],
        "domain": [a.domain for a in accounts],
        "industry": [a.industry for a in accounts],
        "employees": [a.employees for a in accounts],
        "annual_revenue": [a.annual_revenue for a in accounts],
        "years_on_market": [
            None if a.founded_year is None else max(0, this_year - a.founded_year) for a in accounts
        ],
        "country": [a.country for a in accounts],
        "region": [a.region for a in accounts],
        "part_of_holding": ["yes" if a.parent_id is not None else "no" for a in accounts],
    }
    schema: dict[str, Any] = {
        ACCOUNT_ID: pl.Int64,
        "name": pl.Utf8,
        "domain": pl.Utf8,
        "industry": pl.Utf8,
        "employees": pl.Float64,
        "annual_revenue": pl.Float64,
        "years_on_market": pl.Float64,
        "country": pl.Utf8,
        "region": pl.Utf8,
        "part_of_holding": pl.Utf8,
    }
    for d in defs:
        name = d.key if d.key not in cols else f"custom_{d.key}"
        values = [(a.custom or {}).get(d.key) for a in accounts]
        if d.type in _NUMERIC:
            cols[name] = [
                v if isinstance(v, int | float) and not isinstance(v, bool) else None
                for v in values
            ]
            schema[name] = pl.Float64
        elif d.type == CustomFieldType.BOOLEAN.value:
            cols[name] = [None if not isinstance(v, bool) else "yes" if v else "no" for v in values]
            schema[name] = pl.Utf8
        elif d.type in _LEVELS:
            cols[name] = [None if v is None or v == "" else str(v) for v in values]
            schema[name] = pl.Utf8
        elif lists and d.type == CustomFieldType.MULTI_CHOICE.value:
            cols[name] = [
                "; ".join(str(x) for x in v) if isinstance(v, list) and v else None for v in values
            ]
            schema[name] = pl.Utf8
    cols[OUTCOME] = [outcomes.get(a.id) for a in accounts]
    schema[OUTCOME] = pl.Utf8
    return pl.DataFrame(cols, schema=schema)


def rule_fields(session: Session) -> list[RuleField]:
    """The fields a rules avatar can judge: the account's own, then the custom fields of
    accounts by their declared type (named as in :func:`accounts_table`; dates are not
    judged)."""
    out = list(ACCOUNT_FIELDS)
    own = {f.key for f in out} | set(IDENTITY_COLUMNS)
    defs = session.scalars(
        select(CustomFieldDef)
        .where(CustomFieldDef.entity == "account")
        .order_by(CustomFieldDef.key)
    )
    for d in defs:
        kind = CUSTOM_KINDS.get(d.type)
        if kind is not None:
            key = d.key if d.key not in own else f"custom_{d.key}"
            out.append(RuleField(key, d.label.lower(), kind))
    return out


def custom_labels(session: Session) -> dict[str, str]:
    """Words for the custom fields' columns: their declared label, in lower case."""
    defs = session.scalars(select(CustomFieldDef).where(CustomFieldDef.entity == "account"))
    return {d.key: d.label.lower() for d in defs}


# -- saved avatars ------------------------------------------------------------------------


def save_avatar(
    session: Session,
    *,
    name: str,
    kind: str,
    source: str,
    source_hash: str,
    settings: dict[str, Any],
    model: dict[str, Any],
    metrics: dict[str, Any],
) -> Avatar:
    """Save an avatar under ``name``: version 1, or one more than the newest of that name."""
    latest = session.scalar(select(func.max(Avatar.version)).where(Avatar.name == name))
    avatar = Avatar(
        name=name,
        version=int(latest or 0) + 1,
        kind=kind,
        source=source[:500],
        source_hash=source_hash,
        settings=settings,
        model=model,
        metrics=metrics,
    )
    session.add(avatar)
    session.flush()
    return avatar


def find_avatar(session: Session, *, name: str, version: int | None = None) -> Avatar | None:
    query = select(Avatar).where(Avatar.name == name)
    if version is not None:
        query = query.where(Avatar.version == version)
    return session.scalar(query.order_by(Avatar.version.desc()).limit(1))


def require_avatar(session: Session, *, name: str, version: int | None = None) -> Avatar:
    """The avatar (newest version unless ``version``); not found names the saved ones."""
    found = find_avatar(session, name=name, version=version)
    if found is not None:
        return found
    names = sorted(set(session.scalars(select(Avatar.name))))
    which = f"{name!r} version {version}" if version is not None else repr(name)
    saved = ", ".join(map(repr, names)) if names else "none yet (learn one with --save NAME)"
    raise NotFoundError(
        f"no avatar {which} in this workspace; saved avatars: {saved}",
        details={"name": name, "version": version, "avatars": names},
    )


def versions_of(session: Session, *, name: str) -> list[Avatar]:
    """Every version of one avatar, newest first."""
    return list(
        session.scalars(select(Avatar).where(Avatar.name == name).order_by(Avatar.version.desc()))
    )


def list_avatars(session: Session) -> list[Avatar]:
    """Every saved avatar version, by name, newest version first."""
    return list(session.scalars(select(Avatar).order_by(Avatar.name, Avatar.version.desc())))


def save_scores(session: Session, *, avatar: Avatar, rows: list[dict[str, Any]]) -> int:
    """Replace the avatar's scores with ``rows`` (``account_id``, ``fit``, ``probability``,
    ``tier``, ``reasons``); returns how many were stored."""
    session.execute(delete(AvatarScore).where(AvatarScore.avatar_id == avatar.id))
    now = datetime.now(UTC).replace(tzinfo=None)
    if rows:
        session.execute(
            insert(AvatarScore), [r | {"avatar_id": avatar.id, "scored_at": now} for r in rows]
        )
    session.flush()
    return len(rows)


def scores_of(session: Session, *, avatar: Avatar) -> list[AvatarScore]:
    return list(
        session.scalars(
            select(AvatarScore)
            .where(AvatarScore.avatar_id == avatar.id)
            .order_by(AvatarScore.account_id)
        )
    )


def latest_scored_avatar_id(session: Session) -> int | None:
    """The avatar that scored the workspace most recently (its scores are the newest rows:
    :func:`save_scores` replaces an avatar's rows), or None; one look-up by primary key."""
    return session.scalar(select(AvatarScore.avatar_id).order_by(AvatarScore.id.desc()).limit(1))


def latest_scored_subquery() -> Any:
    """:func:`latest_scored_avatar_id` as a scalar subquery (SQL NULL when none), to join
    on or filter by without a statement of its own."""
    return select(AvatarScore.avatar_id).order_by(AvatarScore.id.desc()).limit(1).scalar_subquery()


@dataclass(frozen=True, slots=True)
class PageFits:
    """The fit and tier of a page of accounts, and which avatar version they are by."""

    fits: dict[int, tuple[float, str]]
    avatar: tuple[str, int] | None  # (name, version); None when none of them is scored


def page_fits(session: Session, *, account_ids: list[int]) -> PageFits:
    """The (fit, tier) of these accounts by the avatar that scored the workspace last, in
    one statement (a list page's rows: no query per row)."""
    if not account_ids:
        return PageFits(fits={}, avatar=None)
    rows = session.execute(
        select(
            AvatarScore.account_id, AvatarScore.fit, AvatarScore.tier, Avatar.name, Avatar.version
        )
        .join(Avatar, Avatar.id == AvatarScore.avatar_id)
        .where(
            AvatarScore.avatar_id == latest_scored_subquery(),
            AvatarScore.account_id.in_(account_ids),
        )
    ).all()
    avatar = (str(rows[0][3]), int(rows[0][4])) if rows else None
    return PageFits(fits={int(r[0]): (float(r[1]), str(r[2])) for r in rows}, avatar=avatar)


def latest_fits(
    session: Session, *, account_ids: list[int]
) -> tuple[Avatar | None, dict[int, tuple[float, str]]]:
    """The avatar scored most recently and its (fit, tier) of these accounts; (None, {})
    when no avatar has scored the workspace yet."""
    newest = latest_scored_avatar_id(session)
    if newest is None:
        return None, {}
    avatar = session.get(Avatar, newest)
    if not account_ids:
        return avatar, {}
    rows = session.execute(
        select(AvatarScore.account_id, AvatarScore.fit, AvatarScore.tier).where(
            AvatarScore.avatar_id == newest, AvatarScore.account_id.in_(account_ids)
        )
    )
    return avatar, {aid: (fit, tier) for aid, fit, tier in rows}


def latest_score(session: Session, *, account_id: int) -> tuple[Avatar, AvatarScore | None] | None:
    """The avatar that scored the workspace last and its score of this account (None when
    that avatar has not scored it: added since); None when no avatar has scored yet."""
    newest = latest_scored_avatar_id(session)
    if newest is None:
        return None
    avatar = session.get(Avatar, newest)
    assert avatar is not None
    found = session.scalar(
        select(AvatarScore).where(
            AvatarScore.avatar_id == newest, AvatarScore.account_id == account_id
        )
    )
    return avatar, found


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """What an avatar version's stored scores are: how many, when, per tier."""

    n: int
    scored_at: datetime | None
    tiers: dict[str, int]
    latest: bool  # the avatar whose scores the accounts list and pages show


def score_summary(session: Session, *, avatar: Avatar) -> ScoreSummary:
    rows = session.execute(
        select(AvatarScore.tier, func.count(), func.max(AvatarScore.scored_at))
        .where(AvatarScore.avatar_id == avatar.id)
        .group_by(AvatarScore.tier)
    ).all()
    tiers = {str(t): int(n) for t, n, _ in rows}
    when = max((w for _, _, w in rows if w is not None), default=None)
    return ScoreSummary(
        n=sum(tiers.values()),
        scored_at=when,
        tiers=tiers,
        latest=latest_scored_avatar_id(session) == avatar.id,
    )


def stored_scores(
    session: Session, *, avatar: Avatar, limit: int | None = None
) -> list[tuple[Account, AvatarScore]]:
    """The avatar's stored scores with their accounts, best fit first (the first ``limit``)."""
    query = (
        select(Account, AvatarScore)
        .join(AvatarScore, AvatarScore.account_id == Account.id)
        .where(AvatarScore.avatar_id == avatar.id)
        .order_by(AvatarScore.fit.desc(), Account.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(a, s) for a, s in session.execute(query).tuples()]


def tier_counts(session: Session, *, avatar: Avatar) -> dict[str, int]:
    """How many accounts the avatar's stored scores put in each tier ("disqualified: ..."
    counted as one)."""
    out: dict[str, int] = {}
    rows = session.execute(
        select(AvatarScore.tier, func.count())
        .where(AvatarScore.avatar_id == avatar.id)
        .group_by(AvatarScore.tier)
    )
    for tier, n in rows:
        key = "disqualified" if str(tier).startswith("disqualified") else str(tier)
        out[key] = out.get(key, 0) + int(n)
    return out
