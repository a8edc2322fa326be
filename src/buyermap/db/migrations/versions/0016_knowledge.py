"""knowledge: the account-knowledge template and what we know of accounts

Revision ID: 0016
Revises: 0019
Create Date: 2026-12-02 14:00:00

- ``knowledge_fields``: the workspace's version of a template field (a default it changed,
  or a custom field); a special-category field is enabled only with a legal basis.
- ``knowledge_values``: one value per (account, field, contact); the contact only for
  decision-maker fields.

Other branches add 0015; this one is rechained onto them when merged.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buyermap.db.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "knowledge_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("block", sa.String(20), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("data_class", sa.String(20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("from_tier", sa.String(1), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("worth", sa.Integer(), nullable=False),
        sa.Column("choices", _json(), nullable=False),
        sa.Column("custom", sa.Boolean(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("legal_basis_by", sa.String(200), nullable=True),
        sa.Column("legal_basis_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("cost between 1 and 5", name=op.f("ck_knowledge_fields_cost")),
        sa.CheckConstraint("worth between 1 and 5", name=op.f("ck_knowledge_fields_worth")),
        sa.CheckConstraint(
            "data_class <> 'special_category' or not enabled or legal_basis is not null",
            name=op.f("ck_knowledge_fields_legal_basis"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_fields")),
        sa.UniqueConstraint("key", name=op.f("uq_knowledge_fields_key")),
    )
    op.create_table(
        "knowledge_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("field_key", sa.String(60), nullable=False),
        sa.Column("value", _json(), nullable=False),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_knowledge_values_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_knowledge_values_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_values")),
        sa.UniqueConstraint(
            "account_id",
            "field_key",
            "contact_id",
            name=op.f("uq_knowledge_values_account_id_field_key_contact_id"),
        ),
    )
    op.create_index(op.f("ix_knowledge_values_account_id"), "knowledge_values", ["account_id"])
    op.create_index(op.f("ix_knowledge_values_contact_id"), "knowledge_values", ["contact_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_knowledge_values_contact_id"), table_name="knowledge_values")
    op.drop_index(op.f("ix_knowledge_values_account_id"), table_name="knowledge_values")
    op.drop_table("knowledge_values")
    op.drop_table("knowledge_fields")
