"""The fields a file of each kind can feed: their types, limits and header aliases.

A header is matched after normalising it (lower case, no punctuation or spaces), so
``Company Domain Name``, ``company_domain_name`` and ``COMPANY-DOMAIN-NAME`` are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from buyermap.domain.enums import EntityKind
from buyermap.io.local_headers import local_aliases


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One target field. ``kind`` picks the coercion; ``derived`` fields are read, not written."""

    name: str
    kind: str = "text"
    required: bool = False
    max_len: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    derived: bool = False


def norm(header: str) -> str:
    """``Company Domain Name`` -> ``companydomainname``."""
    return re.sub(r"[\W_]+", "", header.lower())


INT32 = 2_147_483_647.0

_ACCOUNT = (
    FieldSpec(
        "external_id",
        "key",
        max_len=200,
        aliases=(
            "external id",
            "record id",
            "account id",
            "company id",
            "organization id",
            "organisation id",
            "org id",
            "id",
        ),
    ),
    FieldSpec(
        "name",
        required=True,
        max_len=300,
        aliases=(
            "name",
            "company name",
            "account name",
            "company",
            "account",
            "organization name",
            "organization",
            "organisation",
        ),
    ),
    FieldSpec(
        "domain",
        "domain",
        aliases=(
            "domain",
            "company domain name",
            "company domain",
            "website",
            "website url",
            "web site",
            "url",
            "organization website",
        ),
    ),
    FieldSpec("industry", max_len=120, aliases=("industry", "sector")),
    FieldSpec(
        "employees",
        "int",
        minimum=0,
        maximum=INT32,
        aliases=(
            "employees",
            "number of employees",
            "employee count",
            "headcount",
            "no of employees",
        ),
    ),
    FieldSpec("annual_revenue", "number", minimum=0, aliases=("annual revenue", "revenue")),
    FieldSpec(
        "founded_year",
        "int",
        minimum=1600,
        maximum=2100,
        aliases=("founded year", "year founded", "founded", "year established", "established"),
    ),
    FieldSpec(
        "country",
        max_len=80,
        aliases=("country", "country/region", "billing country", "country region"),
    ),
    FieldSpec(
        "region",
        max_len=120,
        aliases=("region", "state/region", "state", "billing state", "billing state/province"),
    ),
    FieldSpec(
        "owner",
        "user",
        max_len=200,
        aliases=("owner", "account owner", "company owner", "owner id", "owner email"),
    ),
    FieldSpec("created_at", "datetime", derived=True, aliases=("created at", "updated at")),
)
_CONTACT = (
    FieldSpec(
        "external_id",
        "key",
        max_len=200,
        aliases=(
            "external id",
            "record id",
            "record id - contact",
            "contact id",
            "contact record id",
            "person id",
            "lead id",
            "id",
        ),
    ),
    FieldSpec("first_name", max_len=120, aliases=("first name", "firstname", "given name")),
    FieldSpec(
        "last_name", max_len=120, aliases=("last name", "lastname", "surname", "family name")
    ),
    FieldSpec(
        "full_name",
        "full_name",
        max_len=240,
        aliases=("full name", "name", "contact name", "person name"),
    ),
    FieldSpec(
        "email", "email", max_len=320, aliases=("email", "e-mail", "email address", "work email")
    ),
    FieldSpec(
        "phone",
        max_len=60,
        aliases=(
            "phone",
            "phone number",
            "mobile",
            "mobile phone",
            "mobile phone number",
            "business phone",
            "telephone",
        ),
    ),
    FieldSpec("job_title", max_len=200, aliases=("job title", "title", "position", "job")),
    FieldSpec("department", max_len=120, aliases=("department", "dept")),
    FieldSpec("seniority", "seniority", aliases=("seniority", "seniority level", "level")),
    FieldSpec(
        "company_external_id",
        "key",
        max_len=200,
        aliases=(
            "company external id",
            "associated company id",
            "associated company ids",
            "record id - company",
            "company record id",
            "account external id",
            "company id",
            "account id",
            "organization id",
        ),
    ),
    FieldSpec(
        "company_domain",
        "domain",
        aliases=(
            "company domain",
            "company domain name",
            "associated company domain",
            "account domain",
            "company website",
            "website",
            "domain",
        ),
    ),
    FieldSpec(
        "company_name",
        max_len=300,
        aliases=(
            "company",
            "company name",
            "associated company",
            "account name",
            "account",
            "organization",
            "organization name",
        ),
    ),
    FieldSpec(
        "position_start",
        "date",
        aliases=("position start", "position start date", "started at company", "joined company"),
    ),
    FieldSpec("created_at", "datetime", derived=True, aliases=("created at", "updated at")),
)
_DEAL = (
    FieldSpec(
        "external_id",
        "key",
        max_len=200,
        aliases=(
            "external id",
            "record id",
            "record id - deal",
            "deal id",
            "deal record id",
            "opportunity id",
            "id",
        ),
    ),
    FieldSpec(
        "name",
        required=True,
        max_len=300,
        aliases=(
            "name",
            "deal name",
            "deal",
            "opportunity name",
            "opportunity",
            "title",
            "deal title",
        ),
    ),
    FieldSpec(
        "account_external_id",
        "key",
        max_len=200,
        aliases=(
            "account external id",
            "account id",
            "company id",
            "associated company id",
            "associated company ids",
            "record id - company",
            "organization id",
        ),
    ),
    FieldSpec(
        "account_domain",
        "domain",
        aliases=(
            "account domain",
            "company domain",
            "company domain name",
            "associated company domain",
            "domain",
            "website",
        ),
    ),
    FieldSpec(
        "account_name",
        max_len=300,
        aliases=(
            "account name",
            "account",
            "company",
            "company name",
            "associated company",
            "organization",
            "organization name",
        ),
    ),
    FieldSpec(
        "contact_external_id",
        "key",
        max_len=200,
        aliases=(
            "contact external id",
            "associated contact id",
            "associated contact ids",
            "record id - contact",
            "contact id",
            "primary contact id",
        ),
    ),
    FieldSpec(
        "contact_email",
        "email",
        max_len=320,
        aliases=("contact email", "associated contact email", "primary contact email"),
    ),
    FieldSpec(
        "amount",
        "number",
        minimum=0,
        aliases=("amount", "value", "deal value", "deal amount", "close value", "closed amount"),
    ),
    FieldSpec(
        "currency",
        "currency",
        aliases=(
            "currency",
            "currency code",
            "amount currency",
            "deal currency code",
            "opportunity currency",
        ),
    ),
    FieldSpec("pipeline", max_len=120, aliases=("pipeline", "pipeline name")),
    FieldSpec("stage", "stage", aliases=("stage", "deal stage", "stage name", "status stage")),
    FieldSpec(
        "opened_at",
        "datetime",
        aliases=(
            "opened at",
            "create date",
            "created date",
            "created at",
            "created",
            "deal created",
            "add time",
            "deal created on",
            "engage date",
            "engaged at",
            "open date",
            "opened",
            "date created",
        ),
    ),
    FieldSpec(
        "expected_close",
        "date",
        aliases=("expected close", "close date", "expected close date", "closing date"),
    ),
    FieldSpec(
        "owner",
        "user",
        max_len=200,
        aliases=(
            "owner",
            "deal owner",
            "opportunity owner",
            "owner id",
            "sales agent",
            "sales rep",
            "salesperson",
            "account executive",
        ),
    ),
    FieldSpec(
        "source", max_len=120, aliases=("source", "lead source", "original source", "deal source")
    ),
    FieldSpec("channel", max_len=120, aliases=("channel", "marketing channel")),
    FieldSpec(
        "lost_reason",
        max_len=200,
        aliases=("lost reason", "closed lost reason", "loss reason", "reason lost"),
    ),
    FieldSpec("status", "status", aliases=("status", "deal status", "outcome")),
    FieldSpec("is_won", "boolean", aliases=("is won", "won")),
    FieldSpec("is_closed", "boolean", aliases=("is closed", "closed")),
    FieldSpec(
        "closed_at",
        "datetime",
        aliases=(
            "closed at",
            "won time",
            "lost time",
            "close time",
            "date closed",
            "closed date",
            "actual close date",
        ),
    ),
)
_STAGE_HISTORY = (
    FieldSpec(
        "deal",
        "key",
        required=True,
        max_len=200,
        aliases=(
            "deal",
            "deal id",
            "deal external id",
            "opportunity id",
            "deal record id",
            "external id",
        ),
    ),
    FieldSpec(
        "stage",
        "stage",
        required=True,
        aliases=("stage", "to stage", "stage name", "new stage", "new value", "deal stage"),
    ),
    FieldSpec(
        "changed_at",
        "datetime",
        required=True,
        aliases=(
            "changed at",
            "date",
            "change date",
            "timestamp",
            "created date",
            "moved at",
            "entered at",
        ),
    ),
    FieldSpec("amount", "number", minimum=0, aliases=("amount", "value")),
    FieldSpec(
        "changed_by",
        "user",
        max_len=200,
        aliases=(
            "changed by",
            "user",
            "created by",
            "created by id",
            "last modified by",
            "modified by",
        ),
    ),
    FieldSpec("is_snapshot", "boolean", aliases=("is snapshot", "snapshot")),
    FieldSpec("opened_at", "datetime", derived=True, aliases=("opened at", "deal opened at")),
    FieldSpec("from_stage", derived=True, aliases=("from stage", "old value", "previous stage")),
    FieldSpec("id", derived=True, aliases=("id", "change id")),
)


# A buyer's supplier-selection criteria (domain/mutual.py): the columns of the CLI contract
# ``account_domain,criterion,operator,value,weight,must_have``.
_SUPPLIER_CRITERIA = (
    FieldSpec(
        "account_domain",
        "domain",
        required=True,
        aliases=("account domain", "domain", "company domain", "website", "buyer domain"),
    ),
    FieldSpec("criterion", required=True, max_len=120, aliases=("criterion", "key", "requirement")),
    FieldSpec("operator", required=True, max_len=20, aliases=("operator", "op", "comparison")),
    FieldSpec("value", required=True, max_len=500, aliases=("value", "values", "threshold")),
    FieldSpec("weight", "number", minimum=0, maximum=1000, aliases=("weight", "importance")),
    FieldSpec("must_have", "boolean", aliases=("must have", "must", "required", "mandatory")),
)


# A buying committee (domain/committee.py): one member per row, on a deal's committee
# (deal_external_id or deal_id) or an account's standing group (account_domain alone).
_COMMITTEE = (
    FieldSpec(
        "deal_external_id",
        "key",
        max_len=200,
        aliases=("deal external id", "opportunity id", "deal record id", "crm deal id"),
    ),
    FieldSpec("deal_id", "number", minimum=1, aliases=("deal id", "buyermap deal id")),
    FieldSpec("account_domain", "domain", aliases=("account domain", "company domain", "domain")),
    FieldSpec(
        "contact_email",
        "email",
        required=True,
        aliases=("contact email", "email", "e-mail", "person email", "member email"),
    ),
    FieldSpec(
        "role", required=True, max_len=120, aliases=("role", "committee role", "buying role")
    ),
    FieldSpec("influence", "number", aliases=("influence", "influence 1-5", "say")),
    FieldSpec("attitude", max_len=40, aliases=("attitude", "attitude to us", "stance")),
    FieldSpec("formal_position", max_len=200, aliases=("formal position", "title", "job title")),
    FieldSpec("real_position", max_len=200, aliases=("real position", "position in practice")),
    FieldSpec("relation", max_len=200, aliases=("relation", "relation to us", "how we know them")),
    FieldSpec("notes", max_len=20_000, aliases=("notes", "note", "evidence", "comment")),
    FieldSpec("source", max_len=120, aliases=("source", "evidence source")),
    FieldSpec("verified_at", "datetime", aliases=("verified at", "verified", "last verified")),
)


# Account knowledge (domain/knowledge.py): one value per row, the columns of the CLI contract
# ``account_domain,field,value[,contact_email,verified_at]``.
_KNOWLEDGE = (
    FieldSpec(
        "account_domain",
        "domain",
        required=True,
        aliases=("account domain", "domain", "company domain", "website"),
    ),
    FieldSpec("field", required=True, max_len=200, aliases=("field", "key", "knowledge field")),
    FieldSpec("value", required=True, max_len=20_000, aliases=("value", "what we know")),
    FieldSpec(
        "contact_email",
        "email",
        aliases=("contact email", "email", "e-mail", "decision maker email", "person email"),
    ),
    FieldSpec("verified_at", "datetime", aliases=("verified at", "verified", "last verified")),
)


# Touchpoints (docs/journeys.md, journey against funnel): who touched which content asset
# (by its URL in the content library), when and through which channel.
_TOUCHPOINTS = (
    FieldSpec(
        "contact_email",
        "email",
        required=True,
        aliases=("contact email", "email", "e-mail", "person email", "visitor email"),
    ),
    FieldSpec(
        "url",
        required=True,
        max_len=2000,
        aliases=("url", "content url", "page url", "asset url", "link", "page"),
    ),
    FieldSpec(
        "at",
        "datetime",
        required=True,
        aliases=("at", "when", "date", "timestamp", "touched at", "visited at", "time"),
    ),
    FieldSpec("channel", max_len=120, aliases=("channel", "source", "medium", "utm medium")),
)


# Ties between people (domain/relationships.py): one directed tie per row.
_RELATIONSHIPS = (
    FieldSpec(
        "from_email",
        "email",
        required=True,
        aliases=("from email", "from", "person email", "who", "source email"),
    ),
    FieldSpec(
        "to_email", "email", required=True, aliases=("to email", "to", "whom", "target email")
    ),
    FieldSpec(
        "type", required=True, max_len=60, aliases=("type", "tie", "tie type", "relationship")
    ),
    FieldSpec("evidence", max_len=2000, aliases=("evidence", "note", "notes", "comment")),
    FieldSpec("strength", "number", aliases=("strength", "strength 1-5")),
    FieldSpec("source", max_len=120, aliases=("source", "evidence source")),
)


def _localised(kind: EntityKind, specs: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    return tuple(replace(f, aliases=f.aliases + local_aliases(kind.value, f.name)) for f in specs)


FIELDS: dict[EntityKind, tuple[FieldSpec, ...]] = {
    kind: _localised(kind, specs)
    for kind, specs in (
        (EntityKind.ACCOUNTS, _ACCOUNT),
        (EntityKind.CONTACTS, _CONTACT),
        (EntityKind.DEALS, _DEAL),
        (EntityKind.STAGE_HISTORY, _STAGE_HISTORY),
        (EntityKind.SUPPLIER_CRITERIA, _SUPPLIER_CRITERIA),
        (EntityKind.COMMITTEE, _COMMITTEE),
        (EntityKind.KNOWLEDGE, _KNOWLEDGE),
        (EntityKind.TOUCHPOINTS, _TOUCHPOINTS),
        (EntityKind.RELATIONSHIPS, _RELATIONSHIPS),
    )
}
# The custom_field_defs / external_refs word for each kind of file.
ENTITY_WORD = {
    EntityKind.ACCOUNTS: "account",
    EntityKind.CONTACTS: "contact",
    EntityKind.DEALS: "deal",
    EntityKind.STAGE_HISTORY: "stage_change",
    EntityKind.SUPPLIER_CRITERIA: "supplier_criterion",
    EntityKind.COMMITTEE: "committee_member",
    EntityKind.KNOWLEDGE: "knowledge_value",
    EntityKind.TOUCHPOINTS: "touchpoint",
    EntityKind.RELATIONSHIPS: "relationship",
}


def field_specs(entity: EntityKind) -> dict[str, FieldSpec]:
    return {f.name: f for f in FIELDS[entity]}
