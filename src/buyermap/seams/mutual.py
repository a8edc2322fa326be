"""The mutual-fit seam: how well we fit each buyer's supplier criteria, beside how well
the buyer fits us.

One document (:class:`MutualDocument`) for ``buyermap avatar mutual --json``,
``GET /api/v1/avatar/mutual`` and the pages; the judgement is
:func:`buyermap.domain.mutual.mutual_fit`, the data :mod:`buyermap.services.mutual`.
``fit`` and ``tier`` (they fit us: the customer avatar's score) come from the avatar that
scored the workspace most recently (``avatar`` names it), else null.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from buyermap.db.models import Account
from buyermap.domain.mutual import MutualFit, Verdict
from buyermap.services import mutual as svc
from buyermap.services.avatars import latest_fits


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionVerdict(_Doc):
    id: int | None = Field(description="The stored criterion's id")
    criterion: str = Field(description="The seller-profile key the buyer judges us on")
    operator: str = Field(description="includes, equals, at_least or at_most")
    value: str = Field(description="What the buyer asks for (several values: ';')")
    weight: float
    must_have: bool
    ours: list[str] = Field(description="Our profile's values for the key")
    why: str = Field(description="The judgement in words")


class AccountMutual(_Doc):
    account_id: int
    domain: str | None
    name: str
    fit: float | None = Field(description="How well they fit us, 0-100 (the avatar's score)")
    tier: str | None = Field(description="The avatar's tier, when scored")
    we_fit_them: float | None = Field(
        description="The weighted share of their known criteria we meet, 0-100; "
        "0 when a must-have is unmet; null when none of their criteria is known"
    )
    met: list[CriterionVerdict]
    unmet: list[CriterionVerdict]
    unknown: list[CriterionVerdict] = Field(description="Criteria our profile does not answer")
    must_have_unmet: list[str]


class MutualDocument(_Doc):
    accounts: list[AccountMutual]
    avatar: str | None = Field(
        description="The avatar whose fit is shown (NAME vN: the one that scored the "
        "workspace last); null when none has (buyermap avatar score --avatar NAME)"
    )
    profile_keys: int = Field(description="How many keys our seller profile has")


def _verdict(v: Verdict) -> CriterionVerdict:
    c = v.criterion
    return CriterionVerdict(
        id=c.id,
        criterion=c.criterion,
        operator=c.operator.value,
        value=c.value,
        weight=c.weight,
        must_have=c.must_have,
        ours=list(v.ours),
        why=v.why,
    )


def _account(account: Account, fit: MutualFit, scored: tuple[float, str] | None) -> AccountMutual:
    return AccountMutual(
        account_id=account.id,
        domain=account.domain,
        name=account.name,
        fit=None if scored is None else scored[0],
        tier=None if scored is None else scored[1],
        we_fit_them=fit.we_fit_them,
        met=[_verdict(v) for v in fit.met],
        unmet=[_verdict(v) for v in fit.unmet],
        unknown=[_verdict(v) for v in fit.unknown],
        must_have_unmet=list(fit.must_have_unmet),
    )


def mutual(session: Session, *, account: str | None = None) -> MutualDocument:
    """Every account with supplier criteria, or the one with domain ``account``."""
    ids = None if account is None else [svc.find_account(session, domain=account).id]
    pairs = svc.mutual_fits(session, account_ids=ids)
    avatar, scored = latest_fits(session, account_ids=[a.id for a, _ in pairs])
    return MutualDocument(
        accounts=[_account(a, f, scored.get(a.id)) for a, f in pairs],
        avatar=None if avatar is None else f"{avatar.name} v{avatar.version}",
        profile_keys=len(svc.seller_profile(session)),
    )


def account_mutual(session: Session, *, account_id: int) -> AccountMutual | None:
    """One account's mutual fit (for its page); None when it has no criteria."""
    pairs = svc.mutual_fits(session, account_ids=[account_id])
    if not pairs or not (pairs[0][1].met or pairs[0][1].unmet or pairs[0][1].unknown):
        return None
    _, scored = latest_fits(session, account_ids=[account_id])
    return _account(*pairs[0], scored.get(account_id))
