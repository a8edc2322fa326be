"""Words for the values of the closed vocabularies: the one place a page (or an export)
turns ``c_level`` into "C-level" and ``decision_maker`` into "Decision maker".

:data:`LABELS` holds a word for every value of every enum in :mod:`buyermap.domain.enums`
(a test walks them), :func:`label` looks a value up and falls back to the value with its
underscores as spaces, so a value from an import that no enum knows still reads as words.
Likert answers (1..5) read with their scale (:func:`likert`), influence (1..5) in words
(:func:`influence`).
"""

from __future__ import annotations

from enum import StrEnum

from buyermap.domain.enums import (
    Attitude,
    CommitteeRole,
    CustomFieldType,
    DataClass,
    DealStatus,
    EntityKind,
    NoteKind,
    RelationshipKind,
    Seniority,
    StageKind,
    UserRole,
)

LABELS: dict[type[StrEnum], dict[str, str]] = {
    StageKind: {"open": "Open", "won": "Won", "lost": "Lost"},
    DealStatus: {"open": "Open", "won": "Won", "lost": "Lost"},
    Seniority: {
        "entry": "Entry level",
        "specialist": "Specialist",
        "manager": "Manager",
        "director": "Director",
        "vp": "Vice president",
        "c_level": "C-level",
        "owner": "Owner",
    },
    DataClass: {
        "none": "Not personal",
        "identity": "Identity",
        "professional": "Professional",
        "personal_profile": "Personal profile",
        "special_category": "Special category",
    },
    NoteKind: {
        "note": "Note",
        "interview": "Interview",
        "call": "Call",
        "meeting": "Meeting",
        "email": "Email",
        "survey": "Survey",
    },
    CommitteeRole: {
        "decision_maker": "Decision maker",
        "economic_buyer": "Economic buyer",
        "champion": "Champion",
        "influencer": "Influencer",
        "technical_evaluator": "Technical evaluator",
        "end_user": "End user",
        "gatekeeper": "Gatekeeper",
        "blocker": "Blocker",
        "procurement": "Procurement",
        "legal": "Legal",
        "executive_sponsor": "Executive sponsor",
    },
    Attitude: {
        "supporter": "Supporter",
        "neutral": "Neutral",
        "skeptic": "Sceptic",
        "opponent": "Opponent",
        "unknown": "Attitude not known",
    },
    RelationshipKind: {
        "reports_to": "Reports to",
        "influences": "Influences",
        "allies_with": "Allies with",
        "conflicts_with": "Conflicts with",
    },
    CustomFieldType: {
        "text": "Text",
        "integer": "Whole number",
        "number": "Number",
        "boolean": "Yes or no",
        "date": "Date",
        "choice": "One of a list",
        "multi_choice": "Several of a list",
    },
    EntityKind: {
        "accounts": "Accounts",
        "contacts": "Contacts",
        "deals": "Deals",
        "stage-history": "Stage history",
        "supplier-criteria": "Supplier criteria",
        "committee": "Buying committee",
        "knowledge": "Account knowledge",
        "relationships": "Ties between people",
        "touchpoints": "Touchpoints",
    },
    UserRole: {"owner": "Owner", "member": "Member", "read_only": "Read only"},
}

# Values that are not enum members but come with the demo and common CRM files
# (e.g. a contact's ``buying_role``), read the same way everywhere.
EXTRA: dict[str, str] = {
    "buyer": "Buyer",
    "user": "User",
}

_WORDS: dict[str, str] = {
    value: word for table in LABELS.values() for value, word in table.items()
} | EXTRA

LIKERT_WORDS: dict[int, str] = {
    1: "not important",
    2: "slightly important",
    3: "moderately important",
    4: "important",
    5: "very important",
}

INFLUENCE_WORDS: dict[int, str] = {
    1: "very low",
    2: "low",
    3: "medium",
    4: "high",
    5: "very high",
}


def label(value: object) -> str:
    """The words for an enum value (``c_level`` -> ``C-level``); other text with its
    underscores as spaces, its first letter capitalised; None or "" -> an en dash."""
    if value is None or value == "":
        return "–"
    text = str(value.value if isinstance(value, StrEnum) else value)
    found = _WORDS.get(text)
    if found is not None:
        return found
    spaced = text.replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:]


def likert(value: object, scale: int = 5) -> str:
    """A Likert answer with its scale: ``5`` -> ``5 of 5: very important``; a value
    that is not a whole number from 1 to ``scale`` is returned as it is."""
    try:
        number = int(str(value))
    except ValueError:
        return str(value)
    if not 1 <= number <= scale:
        return str(value)
    words = LIKERT_WORDS.get(number) if scale == 5 else None
    return f"{number} of {scale}: {words}" if words else f"{number} of {scale}"


def influence(value: int | None) -> str:
    """A committee member's influence: ``4`` -> ``4 of 5: high``; None -> not rated."""
    if value is None:
        return "not rated"
    return f"{value} of 5: {INFLUENCE_WORDS.get(value, '')}".rstrip(": ")
