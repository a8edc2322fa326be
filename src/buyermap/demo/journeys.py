"""The demo's journey maps (b2b6) for its personas and a content library of about 150
assets, with planted gaps (docs/demo-data.md, "Journeys and content"):

1. the first persona's ``consensus`` stage has no content at all;
2. the second persona's objection ``security_review`` (validation) has neither an answer
   nor content;
3. the third persona's ``supplier_selection`` has outbound content only;
4. the fourth persona's question at ``requirements_building`` is answered by nobody (no
   content, no answer line there; its objection ``too_complex`` is answered by content at
   ``supplier_selection``);
5. the fifth persona's objection ``lock_in`` is answered by content only (no answer line).

Everything else is covered: each other objection has an answer line, each other cell at
least one inbound asset. Seeded: the same seed gives the same library.
"""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from buyermap.domain.journeys import TEMPLATES, Line
from buyermap.services import content as content_svc
from buyermap.services import journeys as svc

STAGES = list(TEMPLATES["b2b6"])
TYPES = ("blog post", "case study", "webinar", "whitepaper", "video", "calculator", "e-mail")
CHANNELS = ("search", "YouTube", "webinars", "conferences", "our site", "peers", "LinkedIn")
ASSETS = 150

TASKS = {
    "problem_identification": "Put a number on what the problem costs",
    "solution_exploration": "List the ways others solved it",
    "requirements_building": "Write the requirements with the team",
    "supplier_selection": "Ask three suppliers for a quick quote",
    "validation": "Check references in our industry",
    "consensus": "Get finance, IT and the users to agree",
}
QUESTIONS = {
    "problem_identification": "why do our deals take so long",
    "solution_exploration": "what can be done about it",
    "requirements_building": "what must a tool like this do",
    "supplier_selection": "who is credible in our industry",
    "validation": "who already uses it like we would",
    "consensus": "how do we convince the board",
}
OBJECTIONS = {
    "problem_identification": ("not_now", "It is not a priority this year"),
    "solution_exploration": ("diy", "We could build it ourselves"),
    "requirements_building": ("too_complex", "It looks complicated to set up"),
    "supplier_selection": ("price", "Too expensive for a company our size"),
    "validation": ("security_review", "Our security review will take months"),
    "consensus": ("lock_in", "We would be locked in to one vendor"),
}


def _lines(position: int) -> list[Line]:
    lines: list[Line] = []
    for stage in STAGES:
        lines.append(
            Line(stage, "task", TASKS[stage], evidence="demo interviews", evidence_count=3)
        )
        lines.append(Line(stage, "question", QUESTIONS[stage]))
        lines.append(Line(stage, "channel", CHANNELS[(STAGES.index(stage) + position) % 7]))
        key, text = OBJECTIONS[stage]
        lines.append(Line(stage, "objection", text, key=key, evidence_count=2))
        planted = (
            (position == 1 and key == "security_review")
            or (position == 3 and key == "too_complex")
            or (position == 4 and key == "lock_in")
        )
        if not planted:
            lines.append(
                Line(stage, "answer", f"Our answer: {text.lower()}? See how others did", ref=key)
            )
    return lines


def _asset_cells(personas: list[str]) -> list[tuple[str, str, str]]:
    """(persona, stage, direction) cells that get content, with the planted holes."""
    cells: list[tuple[str, str, str]] = []
    for position, persona in enumerate(personas):
        for stage in STAGES:
            if position == 0 and stage == "consensus":
                continue  # gap 1
            if position == 3 and stage == "requirements_building":
                continue  # gap 4
            direction = "outbound" if position == 2 and stage == "supplier_selection" else "inbound"
            cells.append((persona, stage, direction))  # gap 3: outbound only
    return cells


def build_journeys(session: Session, *, seed: int = 7) -> tuple[int, int]:
    """Journey maps for (up to) five of the shown run's personas, else the demo's planted
    persona keys (made by hand), and the content library; returns (maps, assets)."""
    from buyermap.demo.personas import PERSONA_KEYS

    keys = [p.key for p in svc.personas(session)][:5] or list(PERSONA_KEYS)
    rng = random.Random(seed)
    for position, key in enumerate(keys):
        journey = svc.ensure_journey(session, persona=key, template="b2b6")
        svc.replace_lines(session, journey=journey, lines=_lines(position))
    cells = _asset_cells(keys)
    n = 0
    while n < ASSETS:
        persona, stage, direction = cells[n % len(cells)]
        objections = []
        if len(keys) > 4 and persona == keys[4] and stage == "consensus":
            objections = ["lock_in"]  # gap 5: answered by content only
        if len(keys) > 3 and persona == keys[3] and stage == "supplier_selection":
            objections = ["too_complex"]  # gap 4's objection: answered by content elsewhere
        kind = rng.choice(TYPES)
        content_svc.add_asset(
            session,
            data={
                "title": f"{kind.capitalize()} {n + 1}: {QUESTIONS[stage]}",
                "url": f"https://demo.buyermap.example/content/{n + 1}",
                "type": kind,
                "personas": [persona],
                "stages": [stage],
                "objections": objections,
                "channel": rng.choice(CHANNELS),
                "direction": direction,
                "views": rng.randint(40, 4000),
                "leads": rng.randint(0, 60),
            },
        )
        n += 1
    return len(keys), n
