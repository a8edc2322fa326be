"""Ties between the members of the demo's buying committees (pure plan): the relationship
map's allies, rivals and informal advisors, beside the reports-to and influences ties the
people plan draws along seniority (demo/people.py). docs/demo-data.md says what is planted.
"""

from __future__ import annotations

from buyermap.demo.common import PlanContext, Row
from buyermap.domain.enums import Attitude, RelationshipKind
from buyermap.domain.relationships import INFORMAL_ADVISOR

PHASE_TIES = 22  # its own stream: planting these ties leaves the rest of the demo alone
ALLY_CHANCE = 0.5  # per account: two supporters on its committees are allies
RIVAL_CHANCE = 0.35  # per account: a supporter and an opponent or sceptic are rivals
ADVISOR_CHANCE = 0.3  # per account: someone advises its most influential member
EVIDENCE = {
    RelationshipKind.ALLIES_WITH.value: "Pushed the pilot together in the steering group",
    RelationshipKind.CONFLICTS_WITH.value: "Openly disagreed on the budget in the last call",
    INFORMAL_ADVISOR: "Asked for an opinion before every decision (lunch talks)",
}


def plan_committee_ties(ctx: PlanContext, committees: list[Row], known: list[Row]) -> list[Row]:
    """Allies (two supporters), rivals (a supporter and an opponent or sceptic) and an
    informal advisor (to the most influential member) among each account's committee
    members; none duplicates a tie in ``known`` (rows with ``_from``, ``_to``, ``kind``)."""
    rng = ctx.rng(PHASE_TIES)
    seen = {(r["_from"], r["_to"], r["kind"]) for r in known}
    by_account: dict[int, dict[int, Row]] = {}
    for m in committees:
        people = by_account.setdefault(m["_account"], {})
        have = people.get(m["_contact"])
        if have is None or m["influence"] > have["influence"]:
            people[m["_contact"]] = m
    rows: list[Row] = []

    def add(a: int, b: int, kind: str) -> None:
        if a != b and (a, b, kind) not in seen:
            seen.add((a, b, kind))
            rows.append(
                {
                    "_from": a,
                    "_to": b,
                    "kind": kind,
                    "strength": int(rng.integers(2, 6)),
                    "evidence": EVIDENCE[kind],
                    "source": "demo",
                }
            )

    for account in sorted(by_account):
        members = by_account[account]
        ids = sorted(members)
        if len(ids) < 2:
            continue
        fans = [c for c in ids if members[c]["attitude"] == Attitude.SUPPORTER.value]
        foes = [
            c
            for c in ids
            if members[c]["attitude"] in (Attitude.OPPONENT.value, Attitude.SKEPTIC.value)
        ]
        if len(fans) >= 2 and rng.random() < ALLY_CHANCE:
            a, b = (fans[int(i)] for i in rng.permutation(len(fans))[:2])
            add(a, b, RelationshipKind.ALLIES_WITH.value)
        if fans and foes and rng.random() < RIVAL_CHANCE:
            add(
                foes[int(rng.integers(len(foes)))],
                fans[int(rng.integers(len(fans)))],
                RelationshipKind.CONFLICTS_WITH.value,
            )
        if rng.random() < ADVISOR_CHANCE:
            top = max(ids, key=lambda c: (members[c]["influence"], -c))
            others = [c for c in ids if c != top]
            add(others[int(rng.integers(len(others)))], top, INFORMAL_ADVISOR)
    return rows
