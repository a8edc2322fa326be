"""Contacts in buying groups, their positions, relationships and survey answers (pure plan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from buyermap.demo.common import PlanContext, Row, ascii_slug, unique
from buyermap.demo.companies import AccountPlan
from buyermap.demo.constants import (
    JOB_CHANGE_SHARE,
    N_CONTACTS,
    SURVEY_NAME,
    SURVEY_SHARE,
    scaled,
    size_band,
)
from buyermap.demo.personas import (
    ACTIVITY_SIGMA,
    BEHAVIOURS,
    CHANNELS,
    LIKERT_ITEMS,
    LIKERT_SD,
    PERSONA_BY_KEY,
    PERSONA_KEYS,
    PERSONAS,
    SENIORITY_RANK,
    Persona,
    Role,
)
from buyermap.demo.text import survey_open_text
from buyermap.domain.enums import RelationshipKind, Seniority

PHASE_CONTACTS, PHASE_RELATIONS, PHASE_SURVEY = 3, 4, 5
TOP = {Seniority.C_LEVEL, Seniority.OWNER}
INFLUENCE_CHANCE = {"operations_champion": 0.6, "technical_evaluator": 0.35}
BUYING_ROLE_NOISE = 0.08  # share of contacts whose buying_role differs from their persona's


@dataclass(frozen=True)
class PeoplePlan:
    contacts: list[Row]  # DB columns plus "_account" (index of the current account)
    personas: list[str]  # planted persona key per contact
    positions: list[Row]  # "_account", "_contact" indexes
    relationships: list[Row]  # "_from", "_to" contact indexes
    by_account: list[list[int]]  # current contact indexes per account


def _eligible(persona: Persona, employees: int) -> list[Role]:
    roles = [r for r in persona.roles if r.min_employees <= employees <= r.max_employees]
    return roles or list(persona.roles)


def _pick_role(
    rng: np.random.Generator, persona: Persona, employees: int, used_top: set[str]
) -> Role | None:
    """A role for the persona at this account; top roles (CEO, CFO, ...) only once each."""
    if persona.key == "founder_ceo" and any(r.title in used_top for r in persona.roles):
        return None
    roles = [
        r for r in _eligible(persona, employees) if not (r.seniority in TOP and r.title in used_top)
    ]
    if not roles:
        return None
    w = np.array([r.weight for r in roles])
    return roles[int(rng.choice(len(roles), p=w / w.sum()))]


def _group_sizes(rng: np.random.Generator, employees: np.ndarray, target: int) -> np.ndarray:
    lam = 0.4 + 0.5 * np.log(employees)
    extra = max(target - len(employees), 0)
    lam = lam * (extra / lam.sum())
    sizes: np.ndarray = np.minimum(1 + rng.poisson(lam), 30)
    return sizes


def plan_people(ctx: PlanContext, accounts: AccountPlan) -> PeoplePlan:
    rng = ctx.rng(PHASE_CONTACTS)
    employees = np.array([int(r["employees"]) for r in accounts.rows])
    sizes = _group_sizes(rng, employees, scaled(N_CONTACTS, ctx.scale, minimum=20))
    taken: set[str] = set()
    contacts: list[Row] = []
    personas: list[str] = []
    positions: list[Row] = []
    by_account: list[list[int]] = []
    n_acc = len(accounts.rows)
    for a, acc in enumerate(accounts.rows):
        band = size_band(int(acc["employees"]))
        mix = np.array([p.mix[band] for p in PERSONAS])
        used_top: set[str] = set()
        members: list[int] = []
        for _ in range(int(sizes[a])):
            persona = PERSONAS[int(rng.choice(len(PERSONAS), p=mix / mix.sum()))]
            role = _pick_role(rng, persona, int(acc["employees"]), used_top)
            if role is None:
                persona = PERSONAS[PERSONA_KEYS.index("end_user_specialist")]
                role = _pick_role(rng, persona, int(acc["employees"]), used_top)
            assert role is not None  # end users have no top roles
            if role.seniority in TOP:
                used_top.add(role.title)
            ci = len(contacts)
            members.append(ci)
            personas.append(persona.key)
            contacts.append(
                _contact_row(ctx, rng, acc, accounts.countries[a].locale, persona, role, taken)
            )
            start = ctx.as_of.date() - timedelta(days=int(rng.integers(60, 3000)))
            positions.append(
                {
                    "_account": a,
                    "_contact": ci,
                    "title": role.title,
                    "start_date": start,
                    "end_date": None,
                    "is_primary": True,
                }
            )
            if n_acc > 1 and rng.random() < JOB_CHANGE_SHARE:
                other = int(rng.integers(n_acc - 1))
                other = other + 1 if other >= a else other
                ended = start - timedelta(days=int(rng.integers(0, 90)))
                positions.append(
                    {
                        "_account": other,
                        "_contact": ci,
                        "title": role.title,
                        "start_date": ended - timedelta(days=int(rng.integers(400, 2500))),
                        "end_date": ended,
                        "is_primary": False,
                    }
                )
        by_account.append(members)
    relationships = _plan_relationships(ctx, contacts, personas, by_account)
    return PeoplePlan(contacts, personas, positions, relationships, by_account)


def _contact_row(
    ctx: PlanContext,
    rng: np.random.Generator,
    account: Row,
    locale: str,
    persona: Persona,
    role: Role,
    taken: set[str],
) -> Row:
    fake = ctx.faker(locale)
    first, last = str(fake.first_name()), str(fake.last_name())
    local = f"{ascii_slug(first, sep='')}.{ascii_slug(last, sep='')}".strip(".") or "contact"
    domain = account["domain"]
    email = unique(f"{local}@{domain}", taken, fmt=f"{local}{{n}}@{domain}")
    activity = float(rng.lognormal(0.0, ACTIVITY_SIGMA))
    custom: Row = {b: int(rng.poisson(persona.behaviour_rates[b] * activity)) for b in BEHAVIOURS}
    buying_role = persona.buying_role
    if rng.random() < BUYING_ROLE_NOISE:
        others = [r for r in ("buyer", "influencer", "end_user") if r != buying_role]
        buying_role = others[int(rng.integers(len(others)))]
    custom["buying_role"] = buying_role
    created = ctx.days_ago(float(rng.uniform(20, 1000)))
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": str(fake.phone_number()),
        "job_title": role.title,
        "department": role.department,
        "seniority": role.seniority.value,
        "custom": custom,
        "extra": {"_planted_persona": persona.key},
        "created_at": created,
        "updated_at": created,
    }


def _plan_relationships(
    ctx: PlanContext, contacts: list[Row], personas: list[str], by_account: list[list[int]]
) -> list[Row]:
    """Reports-to ties to the nearest more senior colleague; champions influence buyers."""
    rng = ctx.rng(PHASE_RELATIONS)
    rows: list[Row] = []
    for members in by_account:
        ranked = sorted(members, key=lambda c: -SENIORITY_RANK[contacts[c]["seniority"]])
        for pos, c in enumerate(ranked):
            rank = SENIORITY_RANK[contacts[c]["seniority"]]
            bosses = [b for b in ranked[:pos] if SENIORITY_RANK[contacts[b]["seniority"]] > rank]
            if bosses and rng.random() < 0.75:
                rows.append(
                    {
                        "_from": c,
                        "_to": bosses[-1],
                        "kind": RelationshipKind.REPORTS_TO.value,
                        "strength": None,
                    }
                )
        buyers = [c for c in members if personas[c] in ("economic_buyer", "founder_ceo")]
        for c in members:
            chance = INFLUENCE_CHANCE.get(personas[c], 0.0)
            if buyers and chance and rng.random() < chance:
                rows.append(
                    {
                        "_from": c,
                        "_to": buyers[int(rng.integers(len(buyers)))],
                        "kind": RelationshipKind.INFLUENCES.value,
                        "strength": int(rng.integers(2, 6)),
                    }
                )
    return rows


def plan_survey(ctx: PlanContext, people: PeoplePlan) -> list[Row]:
    """Long-format answers (one row per question) for about SURVEY_SHARE of contacts."""
    rng = ctx.rng(PHASE_SURVEY)
    rows: list[Row] = []
    for ci, key in enumerate(people.personas):
        if rng.random() >= SURVEY_SHARE:
            continue
        persona = PERSONA_BY_KEY[key]
        at = ctx.days_ago(float(rng.uniform(5, 180)))
        for item in LIKERT_ITEMS:
            value = int(np.clip(round(rng.normal(persona.likert_means[item], LIKERT_SD)), 1, 5))
            rows.append(_answer(ci, item, None, float(value), at))
        probs = np.array(persona.channel_probs)
        channel = CHANNELS[int(rng.choice(len(CHANNELS), p=probs / probs.sum()))]
        rows.append(_answer(ci, "preferred_channel", channel, None, at))
        rows.append(_answer(ci, "open_text", survey_open_text(rng, key), None, at))
    return rows


def _answer(ci: int, question: str, text: str | None, number: float | None, at: object) -> Row:
    return {
        "survey": SURVEY_NAME,
        "question": question,
        "_contact": ci,
        "value_text": text,
        "value_number": number,
        "answered_at": at,
    }
