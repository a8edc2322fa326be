"""Import of buying committees (``buyermap import committee FILE``).

One member per row: ``deal_id`` (ours; it wins when both are given) or ``deal_external_id``
(the CRM's id) for a deal's committee, or ``account_domain`` alone for the account's
standing decision group;
``contact_email`` (a contact the workspace knows), ``role`` (a catalogue key or its label in
words: "Economic buyer"), ``influence`` (1-5), ``attitude`` (supporter, neutral, skeptic,
opponent, unknown, or words like "sceptical"), ``formal_position``, ``real_position`` and
optionally ``relation``, ``notes`` (the evidence), ``source`` and ``verified_at``.

A member is identified by its committee and contact, so importing the file again changes
nothing and a changed role or attitude updates the member. Unknown deals, accounts and
emails, roles outside the catalogue and bad attitudes or influences are rejected with the
bad value and what would be valid (the importer quarantines those rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from buyermap.db.models import Account, CommitteeMember, Contact, Deal, Stage
from buyermap.db.types import utcnow
from buyermap.domain.committee import attitude_choices, check_influence, resolve_attitude
from buyermap.errors import InvalidValueError
from buyermap.io.bulk import bulk_update, chunks, ids_by_lowered, insert_columns
from buyermap.io.context import Ctx, load_refs, supersede
from buyermap.services.committee import check_role, role_catalogue

TEXTS = ("formal_position", "real_position", "relation", "source")
Key = tuple[str, int, int]  # ("deal" | "account", its id, contact id)


@dataclass
class CommitteePlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)  # row -> stored member id
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    values: dict[int, dict[str, Any]] = field(default_factory=dict)  # row -> member fields
    anchor: dict[int, tuple[int | None, int | None, int]] = field(default_factory=dict)
    stage: dict[int, str | None] = field(default_factory=dict)  # row -> the deal's stage
    ext: list[str | None] = field(default_factory=list)


def _deals(ctx: Ctx, ids: set[int]) -> dict[int, tuple[int | None, str | None]]:
    out: dict[int, tuple[int | None, str | None]] = {}
    for part in chunks(sorted(ids)):
        for did, aid, stage in ctx.session.execute(
            select(Deal.id, Deal.account_id, Stage.name)
            .outerjoin(Stage, Stage.id == Deal.stage_id)
            .where(Deal.id.in_(part))
        ):
            out[did] = (aid, stage)
    return out


def _fields(ctx: Ctx, i: int, catalogue: dict[str, str]) -> dict[str, Any] | None:
    """Row ``i``'s member fields, or None after rejecting it."""
    ok = True
    role_text = str(ctx.col("role")[i])
    role = None
    try:
        role = check_role(role_text, catalogue)
    except InvalidValueError as exc:  # its message lists the catalogue
        ctx.reject(i, "role", exc.message)
        ok = False
    raw_attitude = ctx.col("attitude")[i]
    attitude = resolve_attitude(None if raw_attitude is None else str(raw_attitude))
    if attitude is None:
        ctx.reject(i, "attitude", f"attitude {raw_attitude!r} is not one of {attitude_choices()}")
        ok = False
    influence = ctx.col("influence")[i]
    problem = check_influence(influence)
    if problem:
        ctx.reject(i, "influence", problem)
        ok = False
    if not ok or role is None or attitude is None:
        return None
    values: dict[str, Any] = {
        "role": role,
        "attitude": attitude.value,
        "influence": None if influence is None else int(influence),
        "evidence": ctx.col("notes")[i],
        "verified_at": ctx.col("verified_at")[i],
    }
    for name in TEXTS:
        value = ctx.col(name)[i]
        values[name] = None if value is None else " ".join(str(value).split()) or None
    return values


def plan_committee(ctx: Ctx) -> CommitteePlan:
    plan = CommitteePlan()
    catalogue = role_catalogue(ctx.session)
    emails = ids_by_lowered(ctx.session, Contact.email, ctx.col("contact_email"))
    domains = ids_by_lowered(ctx.session, Account.domain, ctx.col("account_domain"))
    refs = load_refs(ctx.session, entity="deal", system=ctx.system, any_system=True)
    wanted: set[int] = set()
    by_row: dict[int, int] = {}
    for i in ctx.valid_rows():
        ext, did = ctx.col("deal_external_id")[i], ctx.col("deal_id")[i]
        if did is not None:  # our id first: unambiguous within the workspace
            by_row[i] = int(did)
        elif ext:
            found = refs.get(str(ext))
            if found is None:
                ctx.reject(
                    i,
                    "deal_external_id",
                    f"no deal with external id {ext!r}: import the deals first, or fix the id",
                )
                continue
            by_row[i] = found
        wanted.update(by_row.values())
    deals = _deals(ctx, wanted)
    rows: list[int] = []
    keys: list[Key | None] = [None] * ctx.n
    for i in ctx.valid_rows():
        contact = emails.get(str(ctx.col("contact_email")[i]).lower())
        if contact is None:
            ctx.reject(
                i,
                "contact_email",
                f"no contact with email {ctx.col('contact_email')[i]!r}: import the contacts "
                "first (buyermap import contacts), or fix the address",
            )
        deal_id, account_id = by_row.get(i), None
        if deal_id is not None:
            if deal_id not in deals:
                ctx.reject(
                    i, "deal_id", f"no deal with id {deal_id}: give one of this workspace's deals"
                )
                continue
            account_id, plan.stage[i] = deals[deal_id]
        else:
            domain = ctx.col("account_domain")[i]
            if not domain:
                ctx.reject(
                    i,
                    "deal_external_id",
                    "the row names no committee: give deal_external_id or deal_id (a deal's "
                    "committee) or account_domain (the account's standing group)",
                )
                continue
            account_id = domains.get(str(domain).lower())
            if account_id is None:
                ctx.reject(
                    i,
                    "account_domain",
                    f"no account with domain {domain!r}: import the account first, or fix "
                    "the domain",
                )
                continue
        values = _fields(ctx, i, catalogue)
        if values is None or contact is None:
            continue
        plan.values[i] = values
        plan.anchor[i] = (deal_id, account_id, contact)
        keys[i] = (
            ("deal", deal_id, contact)
            if deal_id is not None
            else ("account", account_id or 0, contact)
        )
        rows.append(i)
    rows = supersede(ctx, rows, [keys])
    stored: dict[Key, CommitteeMember] = {}
    deal_ids = sorted({k[1] for k in keys if k is not None and k[0] == "deal"})
    account_ids = sorted({k[1] for k in keys if k is not None and k[0] == "account"})
    for part in chunks(deal_ids):
        for m in ctx.session.scalars(
            select(CommitteeMember).where(CommitteeMember.deal_id.in_(part))
        ):
            stored[("deal", m.deal_id or 0, m.contact_id)] = m
    for part in chunks(account_ids):
        for m in ctx.session.scalars(
            select(CommitteeMember).where(
                CommitteeMember.account_id.in_(part), CommitteeMember.deal_id.is_(None)
            )
        ):
            stored[("account", m.account_id or 0, m.contact_id)] = m
    for i in rows:
        key = keys[i]
        assert key is not None
        record = stored.get(key)
        if record is None:
            plan.inserts.append(i)
            continue
        if ctx.on_duplicate == "skip":
            ctx.skipped[i] = "on the committee already (--on-duplicate skip)"
            continue
        # a blank cell keeps what is stored (the file may not know everything)
        changes = {
            k: v for k, v in plan.values[i].items() if v is not None and getattr(record, k) != v
        }
        if changes:
            plan.updates[i] = record.id
            plan.changes[i] = changes
        else:
            ctx.skipped[i] = "unchanged"
    return plan


def write_committee(ctx: Ctx, plan: CommitteePlan) -> None:
    now = utcnow()
    rows = [plan.values[i] for i in plan.inserts]
    names = ("role", "attitude", "influence", "evidence", "verified_at", *TEXTS)
    columns: dict[str, list[Any]] = {name: [r[name] for r in rows] for name in names}
    columns["source"] = [r["source"] or ctx.system for r in rows]
    columns["deal_id"] = [plan.anchor[i][0] for i in plan.inserts]
    columns["account_id"] = [plan.anchor[i][1] for i in plan.inserts]
    columns["contact_id"] = [plan.anchor[i][2] for i in plan.inserts]
    columns["added_stage"] = [plan.stage.get(i) for i in plan.inserts]
    columns["created_at"] = columns["updated_at"] = [now] * len(rows)
    insert_columns(ctx.session, CommitteeMember, columns)
    ctx.advance(len(rows))
    bulk_update(
        ctx.session,
        CommitteeMember,
        [{"id": rid, **plan.changes[i], "updated_at": now} for i, rid in plan.updates.items()],
    )
    ctx.advance(len(plan.updates))
