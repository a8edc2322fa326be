"""The demo's custom fields, declared, so that demo records' ``custom`` can be edited.

Each entry: entity, key, type, label, choices, data class. The values are the ones the
planners write (companies.py, people.py, deals.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from buyermap.demo.companies import CRMS
from buyermap.demo.personas import BEHAVIOURS
from buyermap.domain.enums import CustomFieldType, DataClass
from buyermap.services.custom_fields import define_field, field_schema

T = CustomFieldType
DEMO_FIELDS: tuple[tuple[str, str, CustomFieldType, str, tuple[str, ...], DataClass], ...] = (
    (
        "account",
        "segment",
        T.CHOICE,
        "Segment",
        ("SMB", "Mid-market", "Enterprise"),
        DataClass.NONE,
    ),
    ("account", "crm_in_use", T.CHOICE, "CRM in use", tuple(CRMS), DataClass.NONE),
    (
        "deal",
        "deal_type",
        T.CHOICE,
        "Deal type",
        ("new business", "expansion"),
        DataClass.NONE,
    ),
    (
        "contact",
        "buying_role",
        T.CHOICE,
        "Buying role",
        ("buyer", "influencer", "end_user"),
        DataClass.PROFESSIONAL,
    ),
    *(
        (
            "contact",
            key,
            T.INTEGER,
            key.replace("_", " ").capitalize(),
            (),
            DataClass.PERSONAL_PROFILE,
        )
        for key in BEHAVIOURS
    ),
)


def declare_demo_fields(session: Session) -> None:
    """Declare the demo's custom fields (those not declared yet)."""
    declared = {
        entity: set(field_schema(session, entity=entity)) for entity in {f[0] for f in DEMO_FIELDS}
    }
    for entity, key, type_, label, choices, data_class in DEMO_FIELDS:
        if key in declared[entity]:
            continue
        define_field(
            session,
            entity=entity,
            key=key,
            type=type_,
            label=label,
            choices=list(choices) or None,
            data_class=data_class,
        )
