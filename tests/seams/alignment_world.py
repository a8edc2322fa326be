"""A small hand-built journey-against-funnel case with known answers (docs/journeys.md).

Content: /why (problem awareness), /compare (concept search and concept choice: two
stages), /guide (education), /pricing (purchase). Pipeline Sales: Lead, Qualified, Demo,
Proposal (open), Won, Lost. The default mapping: problem awareness -> Lead, concept
search -> Qualified, education -> Demo, concept choice -> Proposal, purchase -> Proposal
and Won.

- Anna Wójcik (persona ``it``), deal D1 (Lead 2 Jan, Qualified 10 Jan, Demo 20 Jan,
  Proposal 1 Feb, won 15 Feb): touches /why 2 Jan, /compare 5 Jan, /guide 12 Jan, /why
  22 Jan (back), /guide 25 Jan, /compare 3 Feb (a tie: the earlier stage), /pricing
  10 Feb, /pricing 1 Mar (after the deal closed: no deal).
- Cyril Dvořák (``it``), on D1's committee: /why 3 Jan, /guide 7 Jan.
- Bořek Šťastný (``fin``), deal D2 (Lead 1 Jan, Qualified 15 Jan): /why 3 Jan, /guide
  13 Jan (skips concept search), /pricing 23 Jan.
- Žofie Nováková (no persona, no deal): /why 5 Jan.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from buyermap.db.models import (
    CommitteeMember,
    Contact,
    ContentAsset,
    Deal,
    DealContact,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
    Pipeline,
    Stage,
    StageChange,
    Touchpoint,
)

ROWS = ["problem_awareness", "concept_search", "education", "concept_choice", "purchase"]
COLUMNS = ["Lead", "Qualified", "Demo", "Proposal", "Won", "Lost"]
COUNTS = [
    [3, 0, 1, 0, 0, 0],
    [1, 0, 0, 1, 0, 0],
    [2, 1, 1, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 1, 0, 1, 0, 0],
]
OFF_SHARE = round(7 / 12, 4)
ASSETS = {
    "why": ("Why downtime costs", ["problem_awareness"]),
    "compare": ("Approaches compared", ["concept_search", "concept_choice"]),
    "guide": ("The migration guide", ["education"]),
    "pricing": ("Pricing", ["purchase"]),
}
PEOPLE = {
    "anna": ("Anna", "Wójcik", "anna.wojcik@zabka.pl", "it"),
    "cyril": ("Cyril", "Dvořák", "cyril@skoda.cz", "it"),
    "borek": ("Bořek", "Šťastný", "borek@skoda.cz", "fin"),
    "zofie": ("Žofie", "Nováková", "zofie@ezust.hu", None),
}
TOUCHES = [
    ("anna", "why", "2026-01-02"),
    ("anna", "compare", "2026-01-05"),
    ("anna", "guide", "2026-01-12"),
    ("anna", "why", "2026-01-22"),
    ("anna", "guide", "2026-01-25"),
    ("anna", "compare", "2026-02-03"),
    ("anna", "pricing", "2026-02-10"),
    ("anna", "pricing", "2026-03-01"),
    ("cyril", "why", "2026-01-03"),
    ("cyril", "guide", "2026-01-07"),
    ("borek", "why", "2026-01-03"),
    ("borek", "guide", "2026-01-13"),
    ("borek", "pricing", "2026-01-23"),
    ("zofie", "why", "2026-01-05"),
]


def url(key: str) -> str:
    return f"https://example.com/{key}"


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


def seed_world(session: Session, *, touches: bool = True) -> dict[str, int]:
    """The case above; returns the contacts' ids by key."""
    for key, (title, stages) in ASSETS.items():
        session.add(ContentAsset(title=title, url=url(key), stages=stages))
    pipeline = Pipeline(name="Sales", is_default=True)
    kinds = ["open"] * 4 + ["won", "lost"]
    pipeline.stages = [
        Stage(name=n, position=i, kind=k)
        for i, (n, k) in enumerate(zip(COLUMNS, kinds, strict=True))
    ]
    session.add(pipeline)
    session.flush()
    stage = {s.name: s.id for s in pipeline.stages}
    contacts: dict[str, int] = {}
    for key, (first, last, email, _) in PEOPLE.items():
        c = Contact(first_name=first, last_name=last, email=email)
        session.add(c)
        session.flush()
        contacts[key] = c.id
    deals = {}
    for name, opened, closed, moves in (
        (
            "D1",
            "2026-01-01",
            "2026-02-15",
            [
                ("Lead", "2026-01-01"),
                ("Qualified", "2026-01-10"),
                ("Demo", "2026-01-20"),
                ("Proposal", "2026-02-01"),
                ("Won", "2026-02-15"),
            ],
        ),
        ("D2", "2026-01-01", None, [("Lead", "2026-01-01"), ("Qualified", "2026-01-15")]),
    ):
        deal = Deal(
            name=name,
            pipeline_id=pipeline.id,
            stage_id=stage[moves[-1][0]],
            opened_at=d(opened),
            closed_at=d(closed) if closed else None,
            status="won" if closed else "open",
        )
        session.add(deal)
        session.flush()
        deals[name] = deal.id
        for to, at in moves:
            session.add(StageChange(deal_id=deal.id, to_stage_id=stage[to], changed_at=d(at)))
    session.add(DealContact(deal_id=deals["D1"], contact_id=contacts["anna"]))
    session.add(DealContact(deal_id=deals["D2"], contact_id=contacts["borek"]))
    session.add(CommitteeMember(deal_id=deals["D1"], contact_id=contacts["cyril"], role="user"))
    run = PersonaRun(run_key="run-1", inputs_hash="0" * 64, version="test", k=2, n=3)
    run.is_active = True
    session.add(run)
    session.flush()
    for key, name in (("it", "IT director"), ("fin", "Finance head")):
        session.add(PersonaRow(run_id=run.id, key=key, name=name, title=name, size=1, share=0.5))
    for key, (*_, persona) in PEOPLE.items():
        if persona:
            session.add(
                PersonaAssignment(
                    run_id=run.id, contact_id=contacts[key], persona_key=persona, probability=0.9
                )
            )
    session.flush()
    if touches:
        assets = {a.url: a.id for a in session.query(ContentAsset)}
        for who, what, at in TOUCHES:
            session.add(Touchpoint(contact_id=contacts[who], asset_id=assets[url(what)], at=d(at)))
        session.flush()
    return contacts
