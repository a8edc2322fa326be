"""journeys: buyer-journey maps per persona, their published versions, the content library

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 07:10:00

- ``personas.origin``: ``discovered`` (from a run) or ``hand_made`` (made by people, e.g. by
  a journey import naming a persona no run has; not backed by data);
- ``journeys``: one map per persona key: template, stages, draft status, last published
  number;
- ``journey_lines``: the draft's lines (stage, kind, key, ref, text, position, evidence);
- ``journey_versions``: published versions, their lines as JSON;
- ``content_assets``: the content library (title, unique URL, type, personas, stages,
  objections answered, channel, inbound/outbound, views and leads where known).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buyermap.db.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("personas") as batch:
        batch.add_column(
            sa.Column(
                "origin", sa.String(20), server_default=sa.text("'discovered'"), nullable=False
            )
        )
    op.create_table(
        "journeys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("persona_key", sa.String(80), nullable=False),
        sa.Column("template", sa.String(20), nullable=False),
        sa.Column("stages", _json(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status in ('draft', 'published')", name=op.f("ck_journeys_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journeys")),
        sa.UniqueConstraint("persona_key", name=op.f("uq_journeys_persona_key")),
    )
    op.create_table(
        "journey_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("ref", sa.String(80), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.String(2000), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_journey_lines_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_lines")),
    )
    op.create_index(op.f("ix_journey_lines_journey_id"), "journey_lines", ["journey_id"])
    op.create_table(
        "journey_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(20), nullable=False),
        sa.Column("stages", _json(), nullable=False),
        sa.Column("lines", _json(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_journey_versions_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_versions")),
        sa.UniqueConstraint(
            "journey_id", "number", name=op.f("uq_journey_versions_journey_id_number")
        ),
    )
    op.create_index(op.f("ix_journey_versions_journey_id"), "journey_versions", ["journey_id"])
    op.create_table(
        "content_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("personas", _json(), nullable=False),
        sa.Column("stages", _json(), nullable=False),
        sa.Column("objections", _json(), nullable=False),
        sa.Column("channel", sa.String(120), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("views", sa.Integer(), nullable=True),
        sa.Column("leads", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_assets")),
        sa.UniqueConstraint("url", name=op.f("uq_content_assets_url")),
    )


def downgrade() -> None:
    op.drop_table("content_assets")
    op.drop_index(op.f("ix_journey_versions_journey_id"), table_name="journey_versions")
    op.drop_table("journey_versions")
    op.drop_index(op.f("ix_journey_lines_journey_id"), table_name="journey_lines")
    op.drop_table("journey_lines")
    op.drop_table("journeys")
    with op.batch_alter_table("personas") as batch:
        batch.drop_column("origin")
