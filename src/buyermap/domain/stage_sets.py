"""The standard stage sets of the CRMs users export from, and matching stage names to them.

Each set is the CRM's out-of-the-box deal pipeline, in order, with its default win
probability as a 0..1 float. Names match by :func:`buyermap.domain.pipeline.norm` (lower
case, letters and digits only), so ``closedwon``, ``Closed Won`` and ``closed-won`` are one
name. A stage can have alternative names (HubSpot's internal values, the ones tools write
into exports): :func:`stage_names` gives them.

* **Salesforce**: the standard opportunity stages and their default probabilities.
* **HubSpot**: the default sales pipeline, by label; its internal values
  (``appointmentscheduled``, ..., ``closedwon``) are alternative names.
* **Pipedrive**: won and lost are a deal *status* there, not stages; the set is the default
  pipeline's open stages followed by "Won" and "Lost" terminal stages. Pipedrive gives
  its stages no default probability, so the open stages have none.
"""

from __future__ import annotations

from collections.abc import Iterable

from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import StageSpec, norm
from buyermap.errors import InvalidValueError

OPEN, WON, LOST = StageKind.OPEN, StageKind.WON, StageKind.LOST

STAGE_SETS: dict[str, tuple[StageSpec, ...]] = {
    "salesforce": (
        StageSpec("Prospecting", OPEN, 0.10),
        StageSpec("Qualification", OPEN, 0.10),
        StageSpec("Needs Analysis", OPEN, 0.20),
        StageSpec("Value Proposition", OPEN, 0.50),
        StageSpec("Id. Decision Makers", OPEN, 0.60),
        StageSpec("Perception Analysis", OPEN, 0.70),
        StageSpec("Proposal/Price Quote", OPEN, 0.75),
        StageSpec("Negotiation/Review", OPEN, 0.90),
        StageSpec("Closed Won", WON, 1.0),
        StageSpec("Closed Lost", LOST, 0.0),
    ),
    "hubspot": (
        StageSpec("Appointment Scheduled", OPEN, 0.20),
        StageSpec("Qualified To Buy", OPEN, 0.40),
        StageSpec("Presentation Scheduled", OPEN, 0.60),
        StageSpec("Decision Maker Bought-In", OPEN, 0.80),
        StageSpec("Contract Sent", OPEN, 0.90),
        StageSpec("Closed Won", WON, 1.0),
        StageSpec("Closed Lost", LOST, 0.0),
    ),
    "pipedrive": (
        StageSpec("Qualified", OPEN),
        StageSpec("Contact Made", OPEN),
        StageSpec("Demo Scheduled", OPEN),
        StageSpec("Proposal Made", OPEN),
        StageSpec("Negotiations Started", OPEN),
        StageSpec("Won", WON, 1.0),
        StageSpec("Lost", LOST, 0.0),
    ),
}

# Alternative names of a stage, by set and stage label (written as the CRM writes them).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {},
    "hubspot": {
        "Appointment Scheduled": ("appointmentscheduled",),
        "Qualified To Buy": ("qualifiedtobuy",),
        "Presentation Scheduled": ("presentationscheduled",),
        "Decision Maker Bought-In": ("decisionmakerboughtin",),
        "Contract Sent": ("contractsent",),
        "Closed Won": ("closedwon",),
        "Closed Lost": ("closedlost",),
    },
    "pipedrive": {},
}


def _set(set_name: str) -> tuple[StageSpec, ...]:
    try:
        return STAGE_SETS[set_name]
    except KeyError:
        valid = ", ".join(STAGE_SETS)
        raise InvalidValueError(f"unknown stage set {set_name!r}; valid sets: {valid}") from None


def stage_names(set_name: str, label: str) -> tuple[str, ...]:
    """The label of a stage of the set and its alternative names (HubSpot internal values)."""
    _set(set_name)
    return (label, *ALIASES[set_name].get(label, ()))


def _keys(set_name: str) -> dict[str, StageSpec]:
    """Every matching key of the set (labels and alternative names) to its stage."""
    return {
        norm(name): spec for spec in _set(set_name) for name in stage_names(set_name, spec.name)
    }


def find_spec(set_name: str, name: str) -> StageSpec | None:
    """The stage of the set that ``name`` means (by label or alternative name), if any."""
    return _keys(set_name).get(norm(name))


def stage_set_matching(names: Iterable[str]) -> str | None:
    """The set most of the distinct ``names`` belong to; None when none match or sets tie.

    A tie (for example only "Closed Won" and "Closed Lost", which Salesforce and HubSpot
    share) says nothing about the source, so it gives None.
    """
    seen = {norm(n) for n in names} - {""}
    scores = {key: len(seen & _keys(key).keys()) for key in STAGE_SETS}
    best = max(scores.values(), default=0)
    winners = [key for key, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def ordered_like(set_name: str, names: Iterable[str]) -> list[str]:
    """``names`` in the set's stage order, each once (the first spelling seen is kept).

    Names the set does not know keep the order they came in and go after the set's open
    stages, before its won and lost stages; so a renamed or added stage stays open.
    """
    keys = _keys(set_name)
    rank = {spec.name: i for i, spec in enumerate(_set(set_name))}
    first_terminal = next(
        (i for i, spec in enumerate(_set(set_name)) if spec.kind is not OPEN), len(rank)
    )
    first: dict[str, str] = {}
    for name in names:
        key = norm(name)
        if key and key not in first:
            first[key] = name
    placed: list[tuple[float, int, str]] = []
    for i, (key, name) in enumerate(first.items()):
        spec = keys.get(key)
        place = rank[spec.name] if spec is not None else first_terminal - 0.5
        placed.append((place, i, name))
    return [name for _, _, name in sorted(placed)]
