"""The relationship map's rules: tie types (built-in and a workspace's own), the words people
write for them, and how a map is laid out and drawn (node size from the influence share,
colour from the attitude, each type its own colour and dash). Pure functions; the seam
(seams/relationship_map.py) loads the people and ties, charts/relationship_map.py draws.

Rules, in words (docs/committee.md, "Relationship map", says the same):

* a tie is directed, from one person to another (never to themselves), of one type;
* built-in types: reports to, influences, ally, rival, informal advisor; any other type is
  the workspace's own, stored as a key (letters, digits and _; 2 to 30, starting with a
  letter: :data:`TYPE_PATTERN`) made from its words (``Golf partner`` -> ``golf_partner``);
* a node's radius is ``RADIUS_MIN + RADIUS_SPAN * share`` pixels (share: the person's
  influence over the map's rated total; unrated people get ``RADIUS_MIN``);
* the layout is networkx's spring layout with a fixed seed (:data:`LAYOUT_SEED`): the same
  people and ties always give the same picture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from buyermap.domain.committee import fold, role_key
from buyermap.domain.enums import Attitude, RelationshipKind

TYPE_KEY_MAX = 30  # the length of contact_relationships.kind
TYPE_PATTERN = re.compile(r"^[^\W\d_]\w{1,29}$")
LAYOUT_SEED = 11
RADIUS_MIN = 14.0
RADIUS_SPAN = 26.0


@dataclass(frozen=True, slots=True)
class TieType:
    key: str
    label: str
    colour: str
    dash: str  # an SVG stroke-dasharray ("" solid)
    symmetric: bool  # drawn without caring for direction in words (ally, rival)


INFORMAL_ADVISOR = "informal_advisor"
BUILT_IN: tuple[TieType, ...] = (
    TieType(RelationshipKind.REPORTS_TO.value, "reports to", "#1d2330", "", False),
    TieType(RelationshipKind.INFLUENCES.value, "influences", "#2f5bd3", "6 3", False),
    TieType(RelationshipKind.ALLIES_WITH.value, "ally of", "#1f9d63", "", True),
    TieType(RelationshipKind.CONFLICTS_WITH.value, "rival of", "#c8453b", "2 3", True),
    TieType(INFORMAL_ADVISOR, "informal advisor to", "#8a4fbf", "8 3 2 3", False),
)
BUILT_IN_BY_KEY: dict[str, TieType] = {t.key: t for t in BUILT_IN}
# the workspace's own types share a colour and a dash, and say their name in the legend
OWN_COLOUR, OWN_DASH = "#687083", "1 2"

# Words people write for the built-in types (English, and our markets' languages).
TYPE_WORDS: dict[str, str] = {
    "reports to": RelationshipKind.REPORTS_TO.value,
    "reports": RelationshipKind.REPORTS_TO.value,
    "manager": RelationshipKind.REPORTS_TO.value,
    "boss": RelationshipKind.REPORTS_TO.value,
    "podlega": RelationshipKind.REPORTS_TO.value,
    "raportuje do": RelationshipKind.REPORTS_TO.value,
    "przelozony": RelationshipKind.REPORTS_TO.value,
    "podrizeny": RelationshipKind.REPORTS_TO.value,
    "beosztott": RelationshipKind.REPORTS_TO.value,
    "influences": RelationshipKind.INFLUENCES.value,
    "influence": RelationshipKind.INFLUENCES.value,
    "influencer": RelationshipKind.INFLUENCES.value,
    "wplywa na": RelationshipKind.INFLUENCES.value,
    "ovlivnuje": RelationshipKind.INFLUENCES.value,
    "befolyasolja": RelationshipKind.INFLUENCES.value,
    "ally": RelationshipKind.ALLIES_WITH.value,
    "allies": RelationshipKind.ALLIES_WITH.value,
    "ally of": RelationshipKind.ALLIES_WITH.value,
    "allies with": RelationshipKind.ALLIES_WITH.value,
    "sojusznik": RelationshipKind.ALLIES_WITH.value,
    "spojenec": RelationshipKind.ALLIES_WITH.value,
    "szovetseges": RelationshipKind.ALLIES_WITH.value,
    "aliat": RelationshipKind.ALLIES_WITH.value,
    "rival": RelationshipKind.CONFLICTS_WITH.value,
    "rivals": RelationshipKind.CONFLICTS_WITH.value,
    "rival of": RelationshipKind.CONFLICTS_WITH.value,
    "conflicts with": RelationshipKind.CONFLICTS_WITH.value,
    "conflict": RelationshipKind.CONFLICTS_WITH.value,
    "rywal": RelationshipKind.CONFLICTS_WITH.value,
    "rivalis": RelationshipKind.CONFLICTS_WITH.value,
    "informal advisor": INFORMAL_ADVISOR,
    "informal adviser": INFORMAL_ADVISOR,
    "advisor": INFORMAL_ADVISOR,
    "adviser": INFORMAL_ADVISOR,
    "informal advisor to": INFORMAL_ADVISOR,
    "doradca": INFORMAL_ADVISOR,
    "nieformalny doradca": INFORMAL_ADVISOR,
    "doradca nieformalny": INFORMAL_ADVISOR,
    "neformalni poradce": INFORMAL_ADVISOR,
    "informalis tanacsado": INFORMAL_ADVISOR,
}
_FOLDED_WORDS = {fold(w): k for w, k in TYPE_WORDS.items()}

ATTITUDE_COLOURS: dict[str, str] = {
    Attitude.SUPPORTER.value: "#1f9d63",
    Attitude.NEUTRAL.value: "#9aa3b5",
    Attitude.SKEPTIC.value: "#d98e04",
    Attitude.OPPONENT.value: "#c8453b",
    Attitude.UNKNOWN.value: "#e2e5ea",
}


# the built-in types in the words of the issue (for messages and forms)
TYPE_NAMES: dict[str, str] = {
    RelationshipKind.REPORTS_TO.value: "reports to",
    RelationshipKind.INFLUENCES.value: "influences",
    RelationshipKind.ALLIES_WITH.value: "ally",
    RelationshipKind.CONFLICTS_WITH.value: "rival",
    INFORMAL_ADVISOR: "informal advisor",
}


def type_choices() -> str:
    return ", ".join(f"{TYPE_NAMES[t.key]} ({t.key})" for t in BUILT_IN)


def resolve_type(text: str | None, own: Sequence[str] = ()) -> str | None:
    """The type key ``text`` names: a built-in type by key or by words in any case and
    accents (``Reports to``, ``reports_to``, ``sojusznik``), else the workspace's own type
    made from the words (``Golf partner`` -> ``golf_partner``); None when the text cannot be
    a type (empty, no letter first, too long, signs other than spaces, - and _)."""
    if text is None:
        return None
    words = " ".join(text.strip().split())
    if not words:
        return None
    folded = fold(words)
    for t in BUILT_IN:
        if fold(t.key) == folded or fold(t.label) == folded:
            return t.key
    found = _FOLDED_WORDS.get(folded)
    if found is not None:
        return found
    if re.search(r"[^\w \-]", words):
        return None
    key = role_key(words)
    if len(words) > TYPE_KEY_MAX or not TYPE_PATTERN.match(key):
        return None
    for mine in own:
        if fold(mine) == fold(key):
            return mine
    return key


def type_label(key: str) -> str:
    t = BUILT_IN_BY_KEY.get(key)
    return t.label if t is not None else key.replace("_", " ")


def type_style(key: str) -> tuple[str, str]:
    """The colour and dash a type is drawn with."""
    t = BUILT_IN_BY_KEY.get(key)
    return (t.colour, t.dash) if t is not None else (OWN_COLOUR, OWN_DASH)


def radius(share: float | None) -> float:
    """A node's radius in pixels from the person's share of the map's influence."""
    return RADIUS_MIN + RADIUS_SPAN * (share or 0.0)


def attitude_colour(attitude: str) -> str:
    return ATTITUDE_COLOURS.get(attitude, ATTITUDE_COLOURS[Attitude.UNKNOWN.value])


def layout(
    nodes: Sequence[int], edges: Sequence[tuple[int, int]], *, seed: int = LAYOUT_SEED
) -> dict[int, tuple[float, float]]:
    """Each node's place in the unit square (0-1 both ways), by networkx's spring layout
    with a fixed seed over the nodes in id order; one node sits in the middle."""
    import networkx as nx

    ordered = sorted(set(nodes))
    if not ordered:
        return {}
    if len(ordered) == 1:
        return {ordered[0]: (0.5, 0.5)}
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(ordered)
    graph.add_edges_from(sorted({(a, b) for a, b in edges if a in graph and b in graph}))
    # from a circle, so people without ties keep their distance instead of flying off
    start = nx.circular_layout(graph)
    raw = nx.spring_layout(graph, pos=start, seed=seed, iterations=30, k=2 / len(ordered) ** 0.5)
    xs = [float(raw[n][0]) for n in ordered]
    ys = [float(raw[n][1]) for n in ordered]
    # one scale both ways (a chain stays a chain, not a diagonal), centred in the square
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        n: (
            round(0.5 + (float(raw[n][0]) - mid_x) / span, 4),
            round(0.5 + (float(raw[n][1]) - mid_y) / span, 4),
        )
        for n in ordered
    }
