"""workbench: record versions, saved views, quarantine kept with its import, committee
members that outlive their account

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:30:00

- ``version`` on accounts, contacts, deals, notes and committee members: a save that names
  an older version is refused as a conflict instead of overwriting what someone else saved
  (SQLAlchemy's ``version_id_col`` bumps it on every ORM update);
- ``saved_views``: named filters and sort orders of a list page, per workspace;
- ``import_runs.quarantine_csv``: the rejected rows of an import, so the web can offer
  them for download after the request that imported them;
- ``committee_members.account_id`` may be null: a deal's committee stays with the deal
  when the deal's account is deleted (a member needs an account or a deal).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import buyermap.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("accounts", "contacts", "deals", "notes", "committee_members")


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(
            table,
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        )
    op.add_column("import_runs", sa.Column("quarantine_csv", sa.Text(), nullable=True))
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", buyermap.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", buyermap.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("page", "name", name=op.f("uq_saved_views_page_name")),
    )
    with op.batch_alter_table("committee_members") as batch:
        batch.alter_column("account_id", existing_type=sa.Integer(), nullable=True)
        batch.drop_constraint("fk_committee_members_account_id_accounts", type_="foreignkey")
        batch.create_foreign_key(
            "fk_committee_members_account_id_accounts",
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_check_constraint(
            op.f("ck_committee_members_anchored"), "account_id is not null or deal_id is not null"
        )


def downgrade() -> None:
    with op.batch_alter_table("committee_members") as batch:
        batch.drop_constraint(op.f("ck_committee_members_anchored"), type_="check")
        batch.drop_constraint("fk_committee_members_account_id_accounts", type_="foreignkey")
        batch.create_foreign_key(
            "fk_committee_members_account_id_accounts",
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.execute("delete from committee_members where account_id is null")
    with op.batch_alter_table("committee_members") as batch:
        batch.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("saved_views")
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("quarantine_csv")
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
