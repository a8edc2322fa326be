"""Import of account knowledge (``buyermap import knowledge FILE``).

One value per row: ``account_domain``, ``field`` (a template key, or its label in words:
"Purchase budget"), ``value`` and optionally ``contact_email`` (the decision maker a
decision-maker field is about) and ``verified_at`` (default: the import time).

A value is identified by its account, field and contact, so importing the file again
changes nothing and a changed value replaces the kept one. Unknown accounts, fields and
emails, disabled fields (special categories until enabled with a legal basis), values the
field's type does not take and people who are not the account's decision makers are
rejected with the bad value and what would be valid (the importer quarantines those rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select

from buyermap.db.models import Account, Contact, KnowledgeValue
from buyermap.db.types import utcnow
from buyermap.domain.knowledge import FieldDef, parse_value
from buyermap.errors import InvalidValueError
from buyermap.io.bulk import chunks, ids_by_lowered
from buyermap.io.context import Ctx, supersede
from buyermap.services.knowledge import check_subject, decision_makers, template

Key = tuple[int, str, int | None]  # (account id, field key, contact id)


@dataclass
class KnowledgePlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)  # row -> stored value id
    values: dict[int, dict[str, Any]] = field(default_factory=dict)


def _field(text: str, fields: dict[str, FieldDef], by_label: dict[str, FieldDef]) -> FieldDef:
    found = fields.get(text.strip()) or by_label.get(" ".join(text.lower().split()))
    if found is None:
        raise InvalidValueError(
            f"no knowledge field {text!r}: give a key or label of the template "
            f"(buyermap knowledge template), e.g. {', '.join(list(fields)[:4])}"
        )
    return found


def plan_knowledge(ctx: Ctx) -> KnowledgePlan:
    plan = KnowledgePlan()
    fields = {f.key: f for f in template(ctx.session)}
    by_label = {" ".join(f.label.lower().split()): f for f in fields.values()}
    emails = ids_by_lowered(ctx.session, Contact.email, ctx.col("contact_email"))
    domains = ids_by_lowered(ctx.session, Account.domain, ctx.col("account_domain"))
    makers = decision_makers(ctx.session, account_ids=domains.values())
    keys: list[Key | None] = [None] * ctx.n
    rows: list[int] = []
    for i in ctx.valid_rows():
        domain = str(ctx.col("account_domain")[i])
        account_id = domains.get(domain.lower())
        if account_id is None:
            ctx.reject(
                i,
                "account_domain",
                f"no account with domain {domain!r}: import the account first, or fix the domain",
            )
            continue
        try:
            f = _field(str(ctx.col("field")[i]), fields, by_label)
        except InvalidValueError as exc:
            ctx.reject(i, "field", exc.message)
            continue
        email = ctx.col("contact_email")[i]
        contact = None
        if email:
            contact = emails.get(str(email).lower())
            if contact is None:
                ctx.reject(
                    i,
                    "contact_email",
                    f"no contact with email {email!r}: import the contacts first "
                    "(buyermap import contacts), or fix the address",
                )
                continue
        try:
            value = parse_value(f, ctx.col("value")[i])
            check_subject(f, contact_id=contact, makers=makers.get(account_id, []), account=domain)
        except InvalidValueError as exc:
            column = "contact_email" if exc.details.get("field") == "contact" else "value"
            ctx.reject(i, column, exc.message)
            continue
        plan.values[i] = {
            "account_id": account_id,
            "contact_id": contact,
            "field_key": f.key,
            "value": value,
            "verified_at": ctx.col("verified_at")[i],
        }
        keys[i] = (account_id, f.key, contact)
        rows.append(i)
    rows = supersede(ctx, rows, [keys])
    stored: dict[Key, KnowledgeValue] = {}
    for part in chunks(sorted({k[0] for k in keys if k is not None})):
        for v in ctx.session.scalars(
            select(KnowledgeValue).where(KnowledgeValue.account_id.in_(part))
        ):
            stored[(v.account_id, v.field_key, v.contact_id)] = v
    for i in rows:
        key = keys[i]
        assert key is not None
        record = stored.get(key)
        if record is None:
            plan.inserts.append(i)
        elif ctx.on_duplicate == "skip":
            ctx.skipped[i] = "known already (--on-duplicate skip)"
        elif record.value == plan.values[i]["value"] and (
            plan.values[i]["verified_at"] in (None, record.verified_at)
        ):
            ctx.skipped[i] = "unchanged"
        else:
            plan.updates[i] = record.id
    return plan


def write_knowledge(ctx: Ctx, plan: KnowledgePlan) -> None:
    """Inserts in one executemany; updates through the ORM (values are any JSON, not the
    dicts :mod:`buyermap.io.bulk` serialises, and each update bumps the version)."""
    now = utcnow()
    rows = [
        {
            **{k: plan.values[i][k] for k in ("account_id", "contact_id", "field_key", "value")},
            "verified_at": plan.values[i]["verified_at"] or now,
            "source": ctx.system,
            "created_at": now,
            "updated_at": now,
        }
        for i in plan.inserts
    ]
    for batch in chunks(rows):
        ctx.session.execute(insert(KnowledgeValue), list(batch))
    ctx.advance(len(rows))
    by_id = {plan.updates[i]: i for i in plan.updates}
    for part in chunks(sorted(by_id)):
        for record in ctx.session.scalars(
            select(KnowledgeValue).where(KnowledgeValue.id.in_(part))
        ):
            values = plan.values[by_id[record.id]]
            record.value = values["value"]
            record.verified_at = values["verified_at"] or now
            record.source = ctx.system
            record.updated_at = now
    ctx.session.flush()
    ctx.advance(len(plan.updates))
