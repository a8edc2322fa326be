"""Planning and writing accounts and contacts: match, compare, bulk insert and update."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from buyermap.db.models import Account, AccountContact, Contact
from buyermap.db.types import utcnow
from buyermap.io.bulk import (
    bulk_insert,
    bulk_update,
    chunks,
    insert_columns_returning_ids,
    insert_returning_ids,
)
from buyermap.io.context import (
    AccountIndex,
    Ctx,
    NaturalKeys,
    Users,
    add_refs,
    first_id,
    load_by_id,
    load_refs,
)

ACCOUNT_FIELDS = (
    "name",
    "domain",
    "industry",
    "employees",
    "annual_revenue",
    "founded_year",
    "country",
    "region",
)
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "department",
    "seniority",
)


@dataclass
class Plan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)  # row -> existing id
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    ext: list[str | None] = field(default_factory=list)
    links: dict[int, int | str] = field(default_factory=dict)  # contacts: row -> account
    # contacts: row -> ids of the current positions that the row's new company ends
    ended: dict[int, list[int]] = field(default_factory=dict)
    positions: dict[tuple[int, int], int] = field(default_factory=dict)  # (account, contact)


def _finish_matches(
    ctx: Ctx,
    plan: Plan,
    model: Any,
    matched: dict[int, int],
    fields: tuple[str, ...],
    users: Users | None,
) -> None:
    stored = load_by_id(ctx.session, model, matched.values())
    owners = ctx.col("owner")
    for i, rid in matched.items():
        if ctx.on_duplicate == "skip":
            ctx.skipped[i] = "exists already (--on-duplicate skip)"
            continue
        record = stored[rid]
        changes = {f: v for f, v in ctx.values(i, fields).items() if getattr(record, f) != v}
        changes.update(ctx.json_changes(i, record))
        if users is not None and owners[i] is not None:
            owner = users.find(owners[i]) or -1  # -1: a new user
            if owner != record.owner_id:
                changes["owner_id"] = owner
        plan.changes[i] = changes
        if changes or i in plan.links:
            plan.updates[i] = rid
        else:
            ctx.skipped[i] = "unchanged"


def plan_accounts(ctx: Ctx) -> Plan:
    s = ctx.session
    plan = Plan(ext=ctx.col("external_id"))
    index = AccountIndex.load(s, system=ctx.system, any_system=False)
    ext, dom, name = plan.ext, ctx.col("domain"), ctx.col("name")

    keys = NaturalKeys(
        ext=ext,
        refs=index.refs,
        unique_field="domain",
        unique=dom,
        by_unique=index.by_domain,
        name=[
            name[i].lower() if name[i] and not (ext[i] or dom[i]) else None for i in range(ctx.n)
        ],
        by_name=index.by_name,
    )
    plan.inserts, matched = keys.match(ctx, ctx.valid_rows())
    _finish_matches(ctx, plan, Account, matched, ACCOUNT_FIELDS, Users(s))
    return plan


def write_accounts(ctx: Ctx, plan: Plan) -> None:
    s, now, users = ctx.session, utcnow(), Users(ctx.session)
    owners = ctx.col("owner")
    columns = ctx.new_records(plan.inserts, ACCOUNT_FIELDS, now)
    columns["owner_id"] = [users.ensure(owners[i]) for i in plan.inserts]
    ids = insert_columns_returning_ids(s, Account, columns, ctx.advance)
    _write_updates(ctx, plan, Account, users, now)
    refs = load_refs(s, entity="account", system=ctx.system)
    pairs = [(plan.ext[i], rid) for i, rid in zip(plan.inserts, ids, strict=True) if plan.ext[i]]
    pairs += [(plan.ext[i], rid) for i, rid in plan.updates.items() if plan.ext[i]]
    add_refs(ctx, [(str(v), rid) for v, rid in pairs], refs)


def _write_updates(ctx: Ctx, plan: Plan, model: Any, users: Users, now: Any) -> None:
    owners = ctx.col("owner")
    batch = []
    for i, rid in plan.updates.items():
        changes = dict(plan.changes.get(i, {}))
        if changes.get("owner_id") == -1:
            changes["owner_id"] = users.ensure(owners[i])
        if changes:
            batch.append({"id": rid, **changes, "updated_at": now})
    bulk_update(ctx.session, model, batch)
    ctx.advance(len(plan.updates))


def plan_contacts(ctx: Ctx) -> Plan:
    s = ctx.session
    plan = Plan(ext=ctx.col("external_id"))
    _split_full_names(ctx)
    refs = load_refs(s, entity="contact", system=ctx.system)
    email = ctx.col("email")
    by_email: dict[str, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    for cid, mail, first_name, last_name in s.execute(
        select(Contact.id, Contact.email, Contact.first_name, Contact.last_name)
    ):
        if mail:
            by_email[mail] = cid
        elif first_name or last_name:
            by_name.setdefault(((first_name or "").lower(), (last_name or "").lower()), cid)
    first, last = ctx.col("first_name"), ctx.col("last_name")
    ext = plan.ext
    for i in ctx.valid_rows():
        if not (first[i] or last[i] or email[i]):
            ctx.reject(
                i,
                "email",
                "a contact needs a name or an email address and this row has neither "
                "(a phone number or a company alone is not a person)",
            )

    def name_key(i: int) -> tuple[str, str] | None:
        if email[i] or not (first[i] or last[i]):
            return None
        return ((first[i] or "").lower(), (last[i] or "").lower())

    keys = NaturalKeys(
        ext=ext,
        refs=refs,
        unique_field="email",
        unique=email,
        by_unique=by_email,
        name=[None if ext[i] else name_key(i) for i in range(ctx.n)],
        by_name=by_name,
    )
    _plan_links(ctx, plan)
    plan.inserts, matched = keys.match(ctx, ctx.valid_rows())
    if matched and plan.links:
        _drop_known_links(ctx, plan, matched)
    _finish_matches(ctx, plan, Contact, matched, CONTACT_FIELDS, None)
    return plan


def _split_full_names(ctx: Ctx) -> None:
    full = ctx.v.columns.pop("full_name", None)
    if full is None:
        return
    first, last = list(ctx.col("first_name")), list(ctx.col("last_name"))
    for i, text in enumerate(full):
        if text and not first[i] and not last[i]:
            head, _, tail = text.rpartition(" ")
            first[i], last[i] = (head, tail) if head else (tail, None)
    ctx.v.columns["first_name"], ctx.v.columns["last_name"] = first, last


def _plan_links(ctx: Ctx, plan: Plan) -> None:
    """Find the company of each row: external id, then domain, then name (created when new).
    The company's id in the file's system is kept, so a later companies file matches it."""
    if not any(ctx.has(f) for f in ("company_external_id", "company_domain", "company_name")):
        return
    index = AccountIndex.load(ctx.session, system=ctx.system, any_system=True)
    cdom, cname = ctx.col("company_domain"), ctx.col("company_name")
    cext = [first_id(v) for v in ctx.col("company_external_id")]
    ctx.v.columns["company_external_id"] = cext
    for i in ctx.valid_rows():
        if not (cext[i] or cdom[i] or cname[i]):
            continue
        aid = index.find(cext[i], cdom[i], cname[i])
        if aid is not None:
            plan.links[i] = aid
        elif cdom[i] or cname[i]:
            plan.links[i] = f"new:d:{cdom[i]}" if cdom[i] else f"new:n:{cname[i].lower()}"
        else:
            ctx.reject(
                i,
                "company_external_id",
                f"no account with {ctx.system} id {cext[i]!r} and no company name or domain "
                "to create it from; import the accounts first",
            )


def _drop_known_links(ctx: Ctx, plan: Plan, matched: dict[int, int]) -> None:
    """Links a matched contact has already are not planned again; a contact now shown at
    another company ends its current positions there (:attr:`Plan.ended`)."""
    current: dict[int, list[int]] = {}
    ids = sorted(set(matched.values()))
    for part in chunks(ids):
        stmt = select(
            AccountContact.id, AccountContact.account_id, AccountContact.contact_id
        ).where(AccountContact.contact_id.in_(part), AccountContact.end_date.is_(None))
        for pid, aid, cid in ctx.session.execute(stmt):
            current.setdefault(cid, []).append(aid)
            plan.positions[(aid, cid)] = pid
    for i, cid in matched.items():
        target = plan.links.get(i)
        if target is None:
            continue
        held = current.get(cid, [])
        if isinstance(target, int) and target in held:
            del plan.links[i]
            continue
        plan.ended[i] = [plan.positions[(aid, cid)] for aid in held]


def write_contacts(ctx: Ctx, plan: Plan) -> None:
    s, now = ctx.session, utcnow()
    columns = ctx.new_records(plan.inserts, CONTACT_FIELDS, now)
    ids = insert_columns_returning_ids(s, Contact, columns, ctx.advance)
    _write_updates(ctx, plan, Contact, Users(s), now)
    contact_of = dict(zip(plan.inserts, ids, strict=True)) | plan.updates
    _write_links(ctx, plan, contact_of, now)
    refs = load_refs(s, entity="contact", system=ctx.system)
    add_refs(ctx, [(str(plan.ext[i]), cid) for i, cid in contact_of.items() if plan.ext[i]], refs)


def _write_links(ctx: Ctx, plan: Plan, contact_of: dict[int, int], now: Any) -> None:
    if not plan.links:
        return
    cdom, cname = ctx.col("company_domain"), ctx.col("company_name")
    new_accounts: dict[str, int] = {}
    pending = [(i, t) for i, t in plan.links.items() if isinstance(t, str) and i in contact_of]
    keys = list(dict.fromkeys(t for _, t in pending))
    first_row = {t: i for i, t in reversed(pending)}
    rows = [
        {
            "name": cname[first_row[k]] or cdom[first_row[k]],
            "domain": cdom[first_row[k]],
            "custom": {},
            "extra": {},
            "created_at": now,
            "updated_at": now,
        }
        for k in keys
    ]
    for k, aid in zip(
        keys, insert_returning_ids(ctx.session, Account, rows, lambda _n: None), strict=True
    ):
        new_accounts[k] = aid
    titles, starts, cext = (
        ctx.col("job_title"),
        ctx.col("position_start"),
        ctx.col("company_external_id"),
    )
    today = now.date()
    links = []
    ends: dict[int, Any] = {}
    company_refs: list[tuple[str, int]] = []
    seen: set[tuple[int, int]] = set()
    for i, target in plan.links.items():
        if i not in contact_of:
            continue
        aid = new_accounts[target] if isinstance(target, str) else target
        if cext[i]:
            company_refs.append((str(cext[i]), aid))
        pair = (aid, contact_of[i])
        if pair in seen:
            continue
        seen.add(pair)
        start = starts[i]
        for pid in plan.ended.get(i, []):
            # The previous job ends when the new one starts (or, unknown, at this import).
            ends[pid] = start or today
        links.append(
            {
                "account_id": aid,
                "contact_id": contact_of[i],
                "title": titles[i],
                "start_date": start,
                "end_date": None,
                "is_primary": True,
            }
        )
    bulk_update(
        ctx.session,
        AccountContact,
        [{"id": pid, "end_date": end, "is_primary": False} for pid, end in ends.items()],
    )
    bulk_insert(ctx.session, AccountContact, links)
    if company_refs:
        known = load_refs(ctx.session, entity="account", system=ctx.system)
        add_refs(ctx, company_refs, known, entity="account")
