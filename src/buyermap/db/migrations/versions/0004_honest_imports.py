"""honest imports: unknown opening dates, snapshot stage changes, closed pipelines and
stages, ids never reused

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00

- ``deals.opened_at`` may be null (the source did not say when the deal was opened);
- ``stage_changes.is_snapshot``: the change only records the stage a deal was in when a
  file was imported;
- ``pipelines.closed_at`` and ``stages.closed_at``: closed (retired) pipelines and stages;
- ``deal_contacts``: the people a deal involves, from CRM associations;
- on SQLite, accounts, contacts and deals are rebuilt with AUTOINCREMENT, so the id of a
  deleted record is never handed to a new one (PostgreSQL sequences never reuse ids).
  The rebuild keeps every row and id; :mod:`buyermap.db.migrations.env` turns foreign-key
  enforcement off around migrations on SQLite, so dropping the old table cascades nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import buyermap.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REBUILT = ("accounts", "contacts", "deals")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("deals") as batch:
        batch.alter_column(
            "opened_at", existing_type=buyermap.db.types.UTCDateTime(), nullable=True
        )
    op.add_column(
        "stage_changes",
        sa.Column("is_snapshot", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("pipelines", sa.Column("closed_at", buyermap.db.types.UTCDateTime()))
    op.add_column("stages", sa.Column("closed_at", buyermap.db.types.UTCDateTime()))
    op.create_table(
        "deal_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_deal_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_contacts_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_contacts")),
        sa.UniqueConstraint(
            "deal_id", "contact_id", name=op.f("uq_deal_contacts_deal_id_contact_id")
        ),
    )
    with op.batch_alter_table("deal_contacts") as batch:
        batch.create_index(batch.f("ix_deal_contacts_contact_id"), ["contact_id"], unique=False)
        batch.create_index(batch.f("ix_deal_contacts_deal_id"), ["deal_id"], unique=False)
    if sqlite:
        for table in REBUILT:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass


def downgrade() -> None:
    op.drop_table("deal_contacts")
    with op.batch_alter_table("stages") as batch:
        batch.drop_column("closed_at")
    with op.batch_alter_table("pipelines") as batch:
        batch.drop_column("closed_at")
    with op.batch_alter_table("stage_changes") as batch:
        batch.drop_column("is_snapshot")
