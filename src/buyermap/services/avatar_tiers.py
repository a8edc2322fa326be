"""The avatar tier of each deal: the tier of the deal's account under the avatar that
scored the workspace last (the one :func:`buyermap.services.avatars.latest_fits` picks).
Keyword-only; read-only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Avatar, AvatarScore, Deal
from buyermap.services.avatars import latest_scored_avatar_id

NOT_SCORED = "not scored"
"""The group of deals whose account has no score (or that have no account)."""

TIER_ORDER = ("A", "B", "C", "D")


def latest_scored_avatar(session: Session) -> Avatar | None:
    """The avatar that scored the workspace most recently; None when none has."""
    newest = latest_scored_avatar_id(session)
    return None if newest is None else session.get(Avatar, newest)


def deal_tiers(session: Session) -> tuple[Avatar | None, dict[int, str]]:
    """(the avatar, deal id -> its account's tier); deals whose account that avatar has not
    scored are left out (they are :data:`NOT_SCORED`)."""
    avatar = latest_scored_avatar(session)
    if avatar is None:
        return None, {}
    rows = session.execute(
        select(Deal.id, AvatarScore.tier)
        .join(AvatarScore, AvatarScore.account_id == Deal.account_id)
        .where(AvatarScore.avatar_id == avatar.id)
    )
    return avatar, {int(deal_id): str(tier) for deal_id, tier in rows}
