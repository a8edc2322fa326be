"""committee: what the buying committee needs beyond role, positions, influence, attitude

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:40:00

- ``committee_members``: ``relation`` (how the person relates to us), ``evidence`` and
  ``source`` (what it rests on), ``verified_at``, ``added_stage`` (the deal's stage when they
  joined); existing members keep their data, the new columns start empty;
- ``committee_roles``: the workspace's changes to the default role catalogue;
- ``committee_stage_roles``: the roles a pipeline requires from a stage on (none: defaults).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buyermap.db.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("committee_members") as batch:
        batch.add_column(sa.Column("relation", sa.String(200), nullable=True))
        batch.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source", sa.String(120), nullable=True))
        batch.add_column(sa.Column("verified_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("added_stage", sa.String(120), nullable=True))
    op.create_table(
        "committee_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(30), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_roles")),
        sa.UniqueConstraint("key", name=op.f("uq_committee_roles_key")),
    )
    op.create_table(
        "committee_stage_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_committee_stage_roles_pipeline_id_pipelines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["stages.id"],
            name=op.f("fk_committee_stage_roles_stage_id_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_stage_roles")),
        sa.UniqueConstraint(
            "pipeline_id", "role", name=op.f("uq_committee_stage_roles_pipeline_id_role")
        ),
    )
    op.create_index(
        op.f("ix_committee_stage_roles_pipeline_id"), "committee_stage_roles", ["pipeline_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_committee_stage_roles_pipeline_id"), table_name="committee_stage_roles")
    op.drop_table("committee_stage_roles")
    op.drop_table("committee_roles")
    with op.batch_alter_table("committee_members") as batch:
        for name in ("added_stage", "verified_at", "source", "evidence", "relation"):
            batch.drop_column(name)
