"""Closed vocabularies shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Seniority(StrEnum):
    """Seniority bands, from individual contributor to the board."""

    ENTRY = "entry"
    SPECIALIST = "specialist"
    MANAGER = "manager"
    DIRECTOR = "director"
    VP = "vp"
    C_LEVEL = "c_level"
    OWNER = "owner"


class DataClass(StrEnum):
    """How sensitive a personal field is; privacy rules are written against these classes."""

    NONE = "none"  # not personal data (e.g. an account's industry)
    IDENTITY = "identity"  # who the person is: name, email, phone
    PROFESSIONAL = "professional"  # job title, department, seniority
    PERSONAL_PROFILE = "personal_profile"  # opinions, attitudes, private notes about a person
    SPECIAL_CATEGORY = "special_category"  # GDPR art. 9: health, beliefs, ... (never collected)


class NoteKind(StrEnum):
    NOTE = "note"
    INTERVIEW = "interview"
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    SURVEY = "survey"


class CommitteeRole(StrEnum):
    """Roles in a B2B buying committee."""

    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    CHAMPION = "champion"
    INFLUENCER = "influencer"
    TECHNICAL_EVALUATOR = "technical_evaluator"
    END_USER = "end_user"
    GATEKEEPER = "gatekeeper"
    BLOCKER = "blocker"
    PROCUREMENT = "procurement"
    LEGAL = "legal"
    EXECUTIVE_SPONSOR = "executive_sponsor"


class Attitude(StrEnum):
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    SKEPTIC = "skeptic"
    OPPONENT = "opponent"
    UNKNOWN = "unknown"


class RelationshipKind(StrEnum):
    REPORTS_TO = "reports_to"
    INFLUENCES = "influences"
    ALLIES_WITH = "allies_with"
    CONFLICTS_WITH = "conflicts_with"


class CustomFieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"


class EntityKind(StrEnum):
    """What an import or export file holds; the CLI's ``import KIND`` words."""

    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    DEALS = "deals"
    STAGE_HISTORY = "stage-history"
    SUPPLIER_CRITERIA = "supplier-criteria"
    COMMITTEE = "committee"
    KNOWLEDGE = "knowledge"
    TOUCHPOINTS = "touchpoints"
    RELATIONSHIPS = "relationships"


class UserRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"
    READ_ONLY = "read_only"
