"""The demo's account knowledge: part of the template filled, more for valuable accounts,
with gaps and some stale values, plus supplier criteria for the key accounts (see
docs/demo-data.md, "Account knowledge"). Runs after the avatar scored the accounts, so
value tiers see the fit of prospects. Seeded: its own random stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, KnowledgeValue, SupplierCriterion
from buyermap.domain.knowledge import (
    Block,
    FieldDef,
    FieldType,
    parse_value,
    required_fields,
    tier_thresholds,
    value_tier,
)
from buyermap.services import knowledge as svc

PHASE_KNOWLEDGE = 31
FILL_BY_TIER = {"A": 0.7, "B": 0.45, "C": 0.25, "D": 0.08}
"""Share of an account's required fields the demo fills, by value tier."""
STALE_SHARE = 0.12
"""Share of values verified 400-800 days before the demo's day (stale at 365 days)."""
SOURCE = "demo"

SUPPLIERS = ("Pipedrive", "Salesforce", "HubSpot", "Zoho", "Freshsales", "Monday Sales CRM")
CRITERIA = ("price", "local support", "CRM integration", "GDPR compliance", "ISO 27001")
TEXTS: dict[str, tuple[str, ...]] = {
    "org_structure": (
        "functional, sales under the COO",
        "regional units with a central buying office",
    ),
    "history": (
        "family company, second generation",
        "spun out of a larger group",
        "grew by acquisitions",
    ),
    "trends": ("consolidation in the industry", "moving sales online", "pressure on margins"),
    "reputation": ("solid, slow to decide", "innovative, demanding buyer", "price-driven"),
    "decision_process": (
        "the board decides on the CFO's proposal",
        "consensus of the heads of department",
    ),
    "approval": ("CFO signs above 50,000", "the board approves every new supplier"),
    "invoice_approval": ("the head of purchasing", "controlling, then the CFO"),
    "formal_position": ("CFO", "Head of Sales", "COO", "CEO"),
    "real_position": ("de facto decision maker", "owns the budget", "trusted advisor to the CEO"),
    "education": ("MBA", "engineering degree", "economics"),
    "motivation": ("cut costs", "grow the sales team", "fewer tools", "be seen as modern"),
    "attitude_employer": ("loyal", "looking around", "founder's confidant"),
    "attitude_us": ("warm", "neutral", "sceptical after a bad pilot"),
    "prospects": ("next in line for CEO", "stays in the role"),
}
LISTS: dict[str, tuple[str, ...]] = {
    "markets": ("home market", "DACH", "Nordics", "CEE", "UK"),
    "holding": ("a sales subsidiary", "a service company"),
    "competitors": ("two local rivals", "an international group"),
    "their_customers": ("retail chains", "manufacturers", "public sector"),
    "owners": ("the founding family", "a private-equity fund", "management"),
    "dmu_members": ("CFO", "Head of Sales", "IT lead", "purchasing"),
    "previous_jobs": ("a consulting firm", "a competitor", "a bank"),
    "interests": ("cycling", "sailing", "chess"),
    "family_events": ("a daughter's wedding",),
    "networks": ("the chamber of commerce", "a CFO circle"),
    "achievements": ("led a merger", "doubled sales in three years"),
}


@dataclass(frozen=True, slots=True)
class DemoKnowledge:
    values: int
    stale: int
    accounts: int
    criteria: int


def _value(f: FieldDef, rng: np.random.Generator, account: Account, worth: float) -> Any:
    def pick(options: tuple[str, ...]) -> str:
        return options[int(rng.integers(len(options)))]

    employees = account.employees or 50
    numbers: dict[str, float] = {
        "employees_office": round(employees * 0.6),
        "employees_field": round(employees * 0.4),
        "purchase_budget": round(max(worth, 10_000.0) * float(rng.uniform(1.5, 4)), -3),
        "market_share": round(float(rng.uniform(1, 30)), 1),
        "assets": round(max(worth, 50_000.0) * float(rng.uniform(5, 20)), -3),
        "supplier_debts": round(float(rng.uniform(0, 200_000)), -3),
        "tenure": int(rng.integers(1, 20)),
    }
    if f.key in numbers:
        return numbers[f.key]
    if f.key == "current_suppliers":
        return "; ".join(rng.choice(SUPPLIERS, size=2, replace=False).tolist())
    if f.key in ("supplier_criteria", "supplier_preferences"):
        return "; ".join(rng.choice(CRITERIA, size=3, replace=False).tolist())
    if f.type is FieldType.LIST:
        options = LISTS.get(f.key, ("known",))
        size = min(len(options), int(rng.integers(1, 3)))
        return "; ".join(rng.choice(options, size=size, replace=False).tolist())
    if f.type is FieldType.CHOICE:
        return pick(f.choices) if f.choices else "known"
    if f.type is FieldType.DATE:
        return "2027-0" + str(int(rng.integers(1, 10))) + "-15"
    if f.type is FieldType.URL:
        handle = (account.domain or "someone").split(".")[0]
        return f"https://www.linkedin.com/in/{handle}-{int(rng.integers(100, 999))}"
    if f.type is FieldType.YES_NO:
        return "yes" if rng.random() < 0.5 else "no"
    if f.type in (FieldType.NUMBER, FieldType.MONEY):
        return int(rng.integers(1, 100))
    return pick(TEXTS.get(f.key, ("known from a conversation",)))


def build_demo_knowledge(session: Session, *, seed: int, as_of: datetime) -> DemoKnowledge:
    """Fill part of the knowledge template for the demo's accounts (no commit)."""
    rng = np.random.default_rng([seed, PHASE_KNOWLEDGE])
    fields = [f for f in svc.template(session) if f.enabled]
    parts, typical = svc.account_values(session)
    totals = {aid: v.total(typical) for aid, v in parts.items()}
    floors = tier_thresholds(totals.values())
    accounts = list(session.scalars(select(Account).order_by(Account.id)))
    makers = svc.decision_makers(session, account_ids=[a.id for a in accounts])
    rows: list[dict[str, Any]] = []
    criteria: list[dict[str, Any]] = []
    stale = 0
    touched = 0
    for account in accounts:
        tier = value_tier(totals.get(account.id, 0.0), floors)
        people = makers.get(account.id, [])
        required = required_fields(fields, tier, has_decision_maker=bool(people))
        share = FILL_BY_TIER[tier]
        chosen = [f for f in required if rng.random() < share]
        touched += bool(chosen)
        for f in chosen:
            subjects = (
                [p.contact_id for p in people[:2]] if f.block is Block.DECISION_MAKER else [None]
            )
            for contact in subjects:
                old = rng.random() < STALE_SHARE
                days = float(rng.uniform(400, 800) if old else rng.uniform(3, 300))
                stale += old
                rows.append(
                    {
                        "account_id": account.id,
                        "contact_id": contact,
                        "field_key": f.key,
                        "value": parse_value(
                            f, _value(f, rng, account, totals.get(account.id, 0.0))
                        ),
                        "verified_at": as_of - timedelta(days=days),
                        "source": SOURCE,
                        "created_at": as_of,
                        "updated_at": as_of,
                    }
                )
        if tier == "A":
            criteria.extend(
                {
                    "account_id": account.id,
                    "criterion": key,
                    "operator": "includes",
                    "value": value,
                    "weight": weight,
                    "must_have": must,
                    "source": SOURCE,
                    "created_at": as_of,
                    "updated_at": as_of,
                }
                for key, value, weight, must in (
                    ("certifications", "ISO 27001", 2.0, rng.random() < 0.4),
                    ("integrations", str(rng.choice(SUPPLIERS)), 1.0, False),
                    ("regions served", account.country or "Europe", 1.0, False),
                )
            )
    if rows:
        session.execute(insert(KnowledgeValue), rows)
    existing = set(session.scalars(select(SupplierCriterion.account_id)))
    criteria = [c for c in criteria if c["account_id"] not in existing]
    if criteria:
        session.execute(insert(SupplierCriterion), criteria)
    session.flush()
    return DemoKnowledge(values=len(rows), stale=stale, accounts=touched, criteria=len(criteria))
