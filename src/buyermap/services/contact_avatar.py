"""The avatar over people (B2C, docs/avatar.md "Over contacts"): the contacts as a table to
learn from, and how an avatar's top tier splits across the personas of a run.
Keyword-only; read-only; never commits.

The table has one row per contact: its own fields (seniority, department, job title) and
the custom fields of contacts by their declared type, plus ``outcome``: ``won`` when the
contact sits on the buying committee of a won deal, ``lost`` when every deal whose
committee it sits on is lost, empty otherwise (open deals only, or none: scored, not
trained on). Deal fields never become features (no leakage).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    Account,
    AccountContact,
    AvatarScore,
    CommitteeMember,
    Contact,
    CustomFieldDef,
    Deal,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
)
from buyermap.domain.enums import CustomFieldType

CONTACT_ID = "contact_id"
OUTCOME = "outcome"
IDENTITY_COLUMNS = (CONTACT_ID, "name", "email")
LABELS = {"seniority": "seniority", "department": "department", "job_title": "job title"}
_NUMERIC = {CustomFieldType.INTEGER.value, CustomFieldType.NUMBER.value}
_LEVELS = {CustomFieldType.TEXT.value, CustomFieldType.CHOICE.value}


def has_accounts(session: Session) -> bool:
    """True when the workspace has companies (a B2B workspace)."""
    return session.scalar(select(Account.id).limit(1)) is not None


def contact_outcomes(session: Session) -> dict[int, str]:
    """``won`` for contacts on a won deal's committee, ``lost`` for those whose committee
    deals are all lost; the others are absent."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = session.execute(
        select(CommitteeMember.contact_id, Deal.status, func.count())
        .join(Deal, Deal.id == CommitteeMember.deal_id)
        .group_by(CommitteeMember.contact_id, Deal.status)
    )
    for contact_id, status, n in rows:
        counts[int(contact_id)][str(status)] = int(n)
    out: dict[int, str] = {}
    for contact_id, by_status in counts.items():
        if by_status.get("won"):
            out[contact_id] = "won"
        elif by_status.get("lost") and not by_status.get("open"):
            out[contact_id] = "lost"
    return out


def contacts_table(session: Session) -> pl.DataFrame:
    """One row per contact (see the module's docstring)."""
    defs = list(
        session.scalars(
            select(CustomFieldDef)
            .where(CustomFieldDef.entity == "contact")
            .order_by(CustomFieldDef.key)
        )
    )
    outcomes = contact_outcomes(session)
    people = list(session.scalars(select(Contact).order_by(Contact.id)))
    cols: dict[str, list[Any]] = {
        CONTACT_ID: [c.id for c in people],
        "name": [c.full_name for c in people],
        "email": [c.email for c in people],
        "seniority": [c.seniority for c in people],
        "department": [c.department for c in people],
        "job_title": [c.job_title for c in people],
    }
    schema: dict[str, Any] = {CONTACT_ID: pl.Int64} | dict.fromkeys(
        ("name", "email", "seniority", "department", "job_title"), pl.Utf8
    )
    for d in defs:
        name = d.key if d.key not in cols else f"custom_{d.key}"
        values = [(c.custom or {}).get(d.key) for c in people]
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
    cols[OUTCOME] = [outcomes.get(c.id) for c in people]
    schema[OUTCOME] = pl.Utf8
    return pl.DataFrame(cols, schema=schema)


def custom_contact_labels(session: Session) -> dict[str, str]:
    """Words for the contacts' custom fields: their declared label, in lower case."""
    defs = session.scalars(select(CustomFieldDef).where(CustomFieldDef.entity == "contact"))
    return {d.key: d.label.lower() for d in defs}


# -- the top tier across personas ---------------------------------------------------------


def contacts_at_accounts_in_tier(session: Session, *, avatar_id: int, tier: str) -> set[int]:
    """Contacts with a current position (no end date) at an account the avatar version
    ``avatar_id`` has stored in ``tier``."""
    rows = session.scalars(
        select(AccountContact.contact_id)
        .join(AvatarScore, AvatarScore.account_id == AccountContact.account_id)
        .where(
            AvatarScore.avatar_id == avatar_id,
            AvatarScore.tier == tier,
            AccountContact.end_date.is_(None),
        )
        .distinct()
    )
    return {int(c) for c in rows}


def stored_account_scores(session: Session, *, avatar_id: int) -> int:
    """How many account scores the avatar version has stored."""
    return int(
        session.scalar(
            select(func.count()).select_from(AvatarScore).where(AvatarScore.avatar_id == avatar_id)
        )
        or 0
    )


def persona_split(
    session: Session, *, run: PersonaRun, top: Collection[int], scored: Collection[int] | None
) -> list[dict[str, Any]]:
    """Per persona of ``run``: its contacts (among ``scored`` when given: the contacts the
    avatar scored), how many are in ``top``, that share of the persona, and the persona's
    share of the top tier (the split; the shares add up to 1 over personas)."""
    names: Mapping[str, str] = {
        p.key: p.name
        for p in session.scalars(select(PersonaRow).where(PersonaRow.run_id == run.id))
    }
    members: dict[str, list[int]] = defaultdict(list)
    for contact_id, key in session.execute(
        select(PersonaAssignment.contact_id, PersonaAssignment.persona_key).where(
            PersonaAssignment.run_id == run.id
        )
    ):
        if scored is None or contact_id in scored:
            members[str(key)].append(int(contact_id))
    top_set = set(top)
    in_top = {k: sum(1 for c in v if c in top_set) for k, v in members.items()}
    total_top = sum(in_top.values())
    rows = [
        {
            "persona": key,
            "name": names.get(key, key),
            "contacts": len(ids),
            "top_tier": in_top[key],
            "share_in_top_tier": round(in_top[key] / len(ids), 4) if ids else 0.0,
            "share_of_top_tier": round(in_top[key] / total_top, 4) if total_top else 0.0,
        }
        for key, ids in members.items()
    ]
    return sorted(rows, key=lambda r: (-r["share_of_top_tier"], -r["contacts"], r["persona"]))
