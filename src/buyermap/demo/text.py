"""What demo people say: quotes by persona (goals, frustrations, objections) and note bodies.

Each quote carries the tag it supports (``goal:roi``, ``objection:price``, ...), so the
notes' tags and their text agree and text analytics have something true to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    tag: str


def _q(tag: str, *texts: str) -> tuple[Quote, ...]:
    return tuple(Quote(t, tag) for t in texts)


GOALS: dict[str, tuple[Quote, ...]] = {
    "economic_buyer": _q(
        "goal:roi",
        "I need to see payback inside twelve months, or it does not get past the board.",
        "Show me the ROI model with our numbers, not an industry average.",
        "If this cuts our cost per closed deal, I am interested.",
    )
    + _q(
        "goal:predictability", "What I want is a forecast I can actually put in front of the CFO."
    ),
    "technical_evaluator": _q(
        "goal:integration",
        "It has to sync both ways with our CRM and the warehouse, without a middleware project.",
        "Is there a documented REST API and webhooks? That is the first thing I check.",
        "Single sign-on and SCIM provisioning are must-haves for us.",
    )
    + _q("goal:security", "We need the security questionnaire and a SOC 2 report before a pilot."),
    "operations_champion": _q(
        "goal:speed",
        "We need this live before the next quarter starts, not in six months.",
        "My team cannot wait for a long rollout; we want quick wins in the first weeks.",
        "A colleague at another company had it running in three weeks, that is what sold me.",
    )
    + _q("goal:visibility", "I want one view of the pipeline instead of five spreadsheets."),
    "end_user_specialist": _q(
        "goal:ease_of_use",
        "If it takes more than two clicks to log a call, nobody on the team will use it.",
        "It should just work on my phone between meetings.",
    )
    + _q(
        "goal:support",
        "When something breaks I want a human on chat, not a ticket that sits for a week.",
        "Good onboarding videos would save me a lot of time.",
    ),
    "founder_ceo": _q(
        "goal:innovation",
        "I want the newest thing that gives us an edge, even if it is a bit rough.",
        "We are growing fast; I need tools that grow with us and bring fresh ideas.",
        "I met your team at the conference and liked the vision for AI in sales.",
    )
    + _q("goal:growth", "Help me understand which customers to chase next year."),
}

FRUSTRATIONS: dict[str, tuple[Quote, ...]] = {
    "economic_buyer": _q(
        "frustration:cost",
        "Our tool stack costs keep creeping up and nobody can tell me what we get for it.",
        "Every vendor promises savings; few can prove them afterwards.",
    ),
    "technical_evaluator": _q(
        "frustration:integration",
        "The last tool we bought needed three consultants just to connect to the ERP.",
        "Data ends up in silos and I am the one who has to glue it back together.",
    ),
    "operations_champion": _q(
        "frustration:manual_work",
        "My team spends Fridays copying numbers between systems.",
        "Rollouts always drag on; by the time it is live, the process has changed.",
    ),
    "end_user_specialist": _q(
        "frustration:usability",
        "The current system is clunky; I keep my real notes in a notebook.",
        "Nobody showed us how to use the last tool, so we just stopped using it.",
    ),
    "founder_ceo": _q(
        "frustration:slow_vendors",
        "Big vendors treat us like a small account and move at their own pace.",
        "I hate long sales cycles; just let me try it.",
    ),
}

OBJECTIONS: dict[str, tuple[Quote, ...]] = {
    "Price": _q(
        "objection:price",
        "Honestly, the price is above what we budgeted for this year.",
        "Your competitor came in about thirty percent cheaper.",
        "We cannot justify per-seat pricing for the whole sales team.",
    ),
    "No decision": _q(
        "objection:no_decision",
        "We are not sure this is a priority right now; let us revisit later.",
        "The committee could not agree, so nothing is moving for the moment.",
    ),
    "Competitor": _q(
        "objection:competitor",
        "We already use a competitor's module and switching is a lot of work.",
        "Another vendor offered a bundle with our existing CRM.",
    ),
    "Timing": _q(
        "objection:timing",
        "We are in the middle of a reorganisation, so the timing is bad.",
        "Ask me again after our fiscal year ends.",
    ),
    "Missing feature": _q(
        "objection:missing_feature",
        "Without a native ERP connector this will not work for us.",
        "We need multi-currency forecasting, and you do not have it yet.",
    ),
    "Budget cut": _q(
        "objection:budget",
        "Our budget was frozen last week; everything new is on hold.",
    ),
    "Champion left": _q(
        "objection:champion_left",
        "The person who drove this internally has left the company.",
    ),
}

STAGE_NOTES: dict[str, tuple[str, ...]] = {
    "Lead": (
        "First touch; they downloaded the pipeline guide and asked for a call.",
        "Inbound request via the website form.",
    ),
    "Qualified": (
        "Qualified: budget exists, timeline this half-year, pain is real.",
        "Intro call done, they fit the profile; next step discovery with the team.",
    ),
    "Discovery": (
        "Discovery workshop with the team; mapped their current process.",
        "Walked through their stack and integration needs.",
    ),
    "Proposal": (
        "Sent the proposal with two pricing options.",
        "Proposal reviewed with finance; questions on payment terms.",
    ),
    "Negotiation": (
        "Negotiating discount and contract length.",
        "Legal review of the MSA is under way.",
    ),
    "Closed Won": (
        "Signed. Kick-off scheduled for next week.",
        "Contract signed, onboarding booked.",
    ),
}

OPEN_TEXT_PROMPT = "What would make you switch to a new sales tool?"


def pick(rng: np.random.Generator, items: tuple[Quote, ...]) -> Quote:
    return items[int(rng.integers(len(items)))]


def pick_text(rng: np.random.Generator, items: tuple[str, ...]) -> str:
    return items[int(rng.integers(len(items)))]


def interview_body(rng: np.random.Generator, persona: str, name: str) -> tuple[str, list[str]]:
    """An interview snippet: a goal, a frustration and (often) a second goal, as quotes."""
    goal = pick(rng, GOALS[persona])
    frustration = pick(rng, FRUSTRATIONS[persona])
    lines = [f'{name}: "{goal.text}"', f'{name}: "{frustration.text}"']
    tags = [goal.tag, frustration.tag]
    if rng.random() < 0.5:
        extra = pick(rng, GOALS[persona])
        if extra.text != goal.text:
            lines.append(f'{name}: "{extra.text}"')
            tags.append(extra.tag)
    return "\n".join(lines), sorted(set(tags))


def call_body(
    rng: np.random.Generator,
    *,
    stage: str,
    persona: str,
    name: str,
    objection: str | None,
) -> tuple[str, list[str]]:
    """A call note at a stage: what happened, a quote from the persona, maybe an objection."""
    lines = [pick_text(rng, STAGE_NOTES.get(stage, STAGE_NOTES["Discovery"]))]
    goal = pick(rng, GOALS[persona])
    lines.append(f'{name} said: "{goal.text}"')
    tags = [goal.tag, f"stage:{stage.lower().replace(' ', '_')}"]
    if objection is not None:
        quote = pick(rng, OBJECTIONS[objection])
        lines.append(f'Objection from {name}: "{quote.text}"')
        tags.append(quote.tag)
    return "\n".join(lines), sorted(set(tags))


def survey_open_text(rng: np.random.Generator, persona: str) -> str:
    return pick(rng, GOALS[persona]).text
