"""Buying committees per deal and the notes people leave behind (pure plan)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from buyermap.demo.common import PlanContext, Row, minute
from buyermap.demo.constants import OPEN_STAGES
from buyermap.demo.deals import DealPlan
from buyermap.demo.people import PeoplePlan
from buyermap.demo.personas import INFLUENCE_BY_SENIORITY, PERSONA_BY_KEY
from buyermap.demo.text import call_body, interview_body
from buyermap.domain.enums import Attitude, CommitteeRole, NoteKind

PHASE_COMMITTEES, PHASE_NOTES = 7, 8
PHASE_VERIFIED = 21  # its own stream: planting verification dates leaves the rest alone
OPEN = frozenset(OPEN_STAGES)
VERIFIED_SHARE = 0.6  # share of members whose committee facts carry a verification date
INTERVIEW_SHARE = 0.10  # share of contacts with an interview note
CALL_NOTE_SHARE = 0.6  # chance that a stage visit has a call note

ATTITUDES = (Attitude.SUPPORTER, Attitude.NEUTRAL, Attitude.SKEPTIC, Attitude.OPPONENT)
ATTITUDE_BY_FATE: dict[str, tuple[float, ...]] = {
    "won": (0.55, 0.30, 0.12, 0.03),
    "lost": (0.20, 0.35, 0.30, 0.15),
    "abandoned": (0.15, 0.45, 0.30, 0.10),
}
REAL_POSITIONS = (
    "de facto decision maker",
    "owns the budget",
    "trusted advisor to the CEO",
    "veto on anything touching IT",
    "little real say",
    "informal leader of the sales team",
)
# Which persona voices each lost reason in the notes.
OBJECTION_VOICE: dict[str, str] = {
    "Price": "economic_buyer",
    "Budget cut": "economic_buyer",
    "Missing feature": "technical_evaluator",
    "Competitor": "technical_evaluator",
    "Timing": "operations_champion",
    "No decision": "founder_ceo",
    "Champion left": "operations_champion",
}


def plan_committees(ctx: PlanContext, deals: DealPlan, people: PeoplePlan) -> list[Row]:
    """2-6 people of the account per deal, with a role, influence, attitude and positions."""
    rng = ctx.rng(PHASE_COMMITTEES)
    checks = ctx.rng(PHASE_VERIFIED)
    rows: list[Row] = []
    for d, deal in enumerate(deals.rows):
        members = people.by_account[deal["_account"]]
        size = min(len(members), 2 + int(rng.poisson(1.5)), 6)
        chosen = [members[int(i)] for i in rng.permutation(len(members))[:size]]
        p_att = np.array(ATTITUDE_BY_FATE[deals.fates[d]])
        for c in chosen:
            persona = PERSONA_BY_KEY[people.personas[c]]
            roles = [r for r, _ in persona.committee_roles]
            w = np.array([w for _, w in persona.committee_roles])
            role = roles[int(rng.choice(len(roles), p=w / w.sum()))]
            contact = people.contacts[c]
            influence = INFLUENCE_BY_SENIORITY[contact["seniority"]] + int(rng.integers(-1, 2))
            attitude = ATTITUDES[int(rng.choice(len(ATTITUDES), p=p_att))]
            if role == CommitteeRole.BLOCKER and rng.random() < 0.7:
                attitude = Attitude.OPPONENT
            if rng.random() < 0.07:
                attitude = Attitude.UNKNOWN
            real = contact["job_title"]
            if rng.random() < 0.2:
                real = REAL_POSITIONS[int(rng.integers(len(REAL_POSITIONS)))]
            at = minute(deal["opened_at"] + timedelta(days=float(rng.uniform(0, 10))))
            # the stage the deal was in when the person joined its committee
            added = next(
                (m.stage for m in reversed(deals.moves[d]) if m.at <= at and m.stage in OPEN),
                None,
            )
            verified = None
            if checks.random() < VERIFIED_SHARE:
                span = max((ctx.as_of - at).total_seconds() / 86400, 0.0)
                verified = minute(at + timedelta(days=float(checks.uniform(0, span))))
            rows.append(
                {
                    "_account": deal["_account"],
                    "_deal": d,
                    "_contact": c,
                    "role": role.value,
                    "formal_position": contact["job_title"],
                    "real_position": real,
                    "influence": int(np.clip(influence, 1, 5)),
                    "attitude": attitude.value,
                    "added_stage": added or deals.moves[d][0].stage,
                    "verified_at": verified,
                    "created_at": at,
                    "updated_at": at,
                }
            )
    return rows


def plan_notes(
    ctx: PlanContext,
    people: PeoplePlan,
    deals: DealPlan,
    committees: list[Row],
) -> list[Row]:
    """Call notes per stage visit (with objections that match lost reasons) and interviews."""
    rng = ctx.rng(PHASE_NOTES)
    by_deal: dict[int, list[int]] = {}
    for row in committees:
        by_deal.setdefault(row["_deal"], []).append(row["_contact"])
    rows: list[Row] = []
    for d, deal in enumerate(deals.rows):
        moves = deals.moves[d]
        members = by_deal.get(d) or people.by_account[deal["_account"]]
        reason = deal["_lost_reason"]
        for k, move in enumerate(moves):
            if move.stage in ("Closed Lost",):
                continue
            lost_next = reason is not None and k == len(moves) - 2
            if not lost_next and rng.random() >= CALL_NOTE_SHARE:
                continue
            objection = reason if lost_next else None
            if objection is None and move.stage in ("Proposal", "Negotiation"):
                objection = "Price" if rng.random() < 0.25 else None
            speaker = _speaker(rng, members, people.personas, objection)
            end = moves[k + 1].at if k + 1 < len(moves) else ctx.as_of
            span = max((end - move.at).total_seconds() / 86400, 0.01)
            at = minute(move.at + timedelta(days=float(rng.uniform(0, span))))
            contact = people.contacts[speaker]
            body, tags = call_body(
                rng,
                stage=move.stage,
                persona=people.personas[speaker],
                name=f"{contact['first_name']} {contact['last_name']}",
                objection=objection,
            )
            kind = NoteKind.CALL if rng.random() < 0.7 else NoteKind.MEETING
            rows.append(
                _note(kind, f"{kind.value.title()}: {move.stage}", body, at, "crm", tags)
                | {"_account": deal["_account"], "_contact": speaker, "_deal": d}
            )
    current = {p["_contact"]: p["_account"] for p in people.positions if p["end_date"] is None}
    for c, contact in enumerate(people.contacts):
        if rng.random() >= INTERVIEW_SHARE:
            continue
        name = f"{contact['first_name']} {contact['last_name']}"
        body, tags = interview_body(rng, people.personas[c], name)
        at = ctx.days_ago(float(rng.uniform(10, 400)))
        title = f"Interview: {contact['job_title']}"
        rows.append(
            _note(NoteKind.INTERVIEW, title, body, at, "customer interviews 2026", tags)
            | {"_account": current.get(c), "_contact": c, "_deal": None}
        )
    return rows


def _speaker(
    rng: np.random.Generator, members: list[int], personas: list[str], objection: str | None
) -> int:
    if objection is not None:
        voice = OBJECTION_VOICE[objection]
        matching = [c for c in members if personas[c] == voice]
        if matching:
            return matching[int(rng.integers(len(matching)))]
    return members[int(rng.integers(len(members)))]


def _note(kind: NoteKind, title: str, body: str, at: object, source: str, tags: list[str]) -> Row:
    return {
        "kind": kind.value,
        "title": title,
        "body": body,
        "occurred_at": at,
        "source": source,
        "tags": tags,
        "created_at": at,
        "updated_at": at,
    }
