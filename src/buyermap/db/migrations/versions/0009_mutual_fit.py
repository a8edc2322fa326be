"""mutual fit: our seller profile and the buyers' supplier criteria

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:30:00

- ``seller_profile``: one row per key of our profile (the "sales persona"), its values;
- ``supplier_criteria``: a buyer account's supplier-selection criteria (criterion,
  operator, value, weight, must-have), deleted with the account.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buyermap.db.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seller_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column(
            "values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_profile")),
        sa.UniqueConstraint("key", name=op.f("uq_seller_profile_key")),
    )
    op.create_table(
        "supplier_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(120), nullable=False),
        sa.Column("operator", sa.String(20), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("must_have", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_supplier_criteria_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_criteria")),
        sa.UniqueConstraint(
            "account_id",
            "criterion",
            "operator",
            name=op.f("uq_supplier_criteria_account_id_criterion_operator"),
        ),
    )
    op.create_index(op.f("ix_supplier_criteria_account_id"), "supplier_criteria", ["account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_supplier_criteria_account_id"), table_name="supplier_criteria")
    op.drop_table("supplier_criteria")
    op.drop_table("seller_profile")
