"""touchpoints: who touched which content when, and the journey-to-funnel mapping

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 14:20:00

- ``touchpoints``: a contact's touch of a content asset (``at``, ``channel``), unique per
  contact, asset and moment (importing a file again changes nothing).
- ``journey_funnel_mappings``: per pipeline, the funnel stages (names) a journey stage
  corresponds to; a pipeline without rows uses the default mapping.

Other branches add 0015-0016; this one is rechained onto them when merged.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buyermap.db.types import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "touchpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(120), nullable=False),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_touchpoints_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["content_assets.id"],
            name=op.f("fk_touchpoints_asset_id_content_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touchpoints")),
        sa.UniqueConstraint(
            "contact_id", "asset_id", "at", name=op.f("uq_touchpoints_contact_id_asset_id_at")
        ),
    )
    op.create_index(op.f("ix_touchpoints_contact_id"), "touchpoints", ["contact_id"])
    op.create_index(op.f("ix_touchpoints_asset_id"), "touchpoints", ["asset_id"])
    op.create_table(
        "journey_funnel_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("journey_stage", sa.String(80), nullable=False),
        sa.Column("funnel_stages", _json(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
            name=op.f("fk_journey_funnel_mappings_pipeline_id_pipelines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_funnel_mappings")),
        sa.UniqueConstraint(
            "pipeline_id",
            "journey_stage",
            name=op.f("uq_journey_funnel_mappings_pipeline_id_journey_stage"),
        ),
    )


def downgrade() -> None:
    op.drop_table("journey_funnel_mappings")
    op.drop_index(op.f("ix_touchpoints_asset_id"), table_name="touchpoints")
    op.drop_index(op.f("ix_touchpoints_contact_id"), table_name="touchpoints")
    op.drop_table("touchpoints")
