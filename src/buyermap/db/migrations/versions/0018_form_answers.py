"""form answers: conversations as evidence for journey maps

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-02 14:30:00

- ``form_answers``: one open answer of a form response (respondent, contact matched by
  email, persona, question, answer, when, file and line; where it was accepted as evidence).
- ``form_question_maps``: the stage and objection the answers to a question belong to.
- ``form_keywords``: keyword rules filing answers under a stage or an objection's key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buyermap.db.types import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(500), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(320), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("persona_key", sa.String(80), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.Column("stage", sa.String(80), nullable=False),
        sa.Column("objection", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_form_answers_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_answers")),
        sa.UniqueConstraint(
            "source_file",
            "line",
            "question",
            name=op.f("uq_form_answers_source_file_line_question"),
        ),
    )
    op.create_index(op.f("ix_form_answers_contact_id"), "form_answers", ["contact_id"])
    op.create_index(op.f("ix_form_answers_persona_key"), "form_answers", ["persona_key"])
    op.create_table(
        "form_question_maps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("stage", sa.String(80), nullable=False),
        sa.Column("objection", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_question_maps")),
        sa.UniqueConstraint("question", name=op.f("uq_form_question_maps_question")),
    )
    op.create_table(
        "form_keywords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("word", sa.String(80), nullable=False),
        sa.CheckConstraint("kind in ('stage', 'objection')", name=op.f("ck_form_keywords_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_keywords")),
        sa.UniqueConstraint("kind", "key", "word", name=op.f("uq_form_keywords_kind_key_word")),
    )


def downgrade() -> None:
    op.drop_table("form_keywords")
    op.drop_table("form_question_maps")
    op.drop_index(op.f("ix_form_answers_persona_key"), table_name="form_answers")
    op.drop_index(op.f("ix_form_answers_contact_id"), table_name="form_answers")
    op.drop_table("form_answers")
