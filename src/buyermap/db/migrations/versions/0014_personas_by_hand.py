"""personas by hand: hand-made personas and the words teams give discovered ones

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 07:00:00

- ``persona_profiles``: a persona in words (name, description, picture, demographics,
  goals, frustrations, behaviour online and offline, buyer or end user, messages,
  channels, objections with our answers, support questions). ``origin`` says whether it
  was made by hand (no run: not backed by data) or names a discovered persona of a run
  (``run_id``, ``persona_key``; deleted with the run).

Other branches add 0010-0013; this one is rechained onto them when merged.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buyermap.db.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "persona_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("persona_key", sa.String(80), nullable=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("demographics", sa.Text(), nullable=False),
        sa.Column("goals", _json(), nullable=False),
        sa.Column("frustrations", _json(), nullable=False),
        sa.Column("behaviour_online", sa.Text(), nullable=False),
        sa.Column("behaviour_offline", sa.Text(), nullable=False),
        sa.Column("channels", _json(), nullable=False),
        sa.Column("messages", _json(), nullable=False),
        sa.Column("objections", _json(), nullable=False),
        sa.Column("questions", _json(), nullable=False),
        sa.Column("picture", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "origin in ('hand_made', 'discovered')", name=op.f("ck_persona_profiles_origin")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["persona_runs.id"],
            name=op.f("fk_persona_profiles_run_id_persona_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persona_profiles")),
        sa.UniqueConstraint("key", name=op.f("uq_persona_profiles_key")),
        sa.UniqueConstraint(
            "run_id", "persona_key", name=op.f("uq_persona_profiles_run_id_persona_key")
        ),
    )
    op.create_index(op.f("ix_persona_profiles_run_id"), "persona_profiles", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_persona_profiles_run_id"), table_name="persona_profiles")
    op.drop_table("persona_profiles")
