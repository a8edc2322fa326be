"""rules avatars: a score's probability may be unknown

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:40:00

- ``avatar_scores.probability`` becomes nullable: a rules avatar's fit is a probability
  only once it is calibrated on the workspace's closed accounts; without enough of them
  the probability is unknown (null), never a made-up number. Rules avatars themselves are
  rows of ``avatars`` with kind ``rules`` (the kind's check exists since 0008).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("avatar_scores") as batch:
        batch.alter_column("probability", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE avatar_scores SET probability = 0 WHERE probability IS NULL")
    with op.batch_alter_table("avatar_scores") as batch:
        batch.alter_column("probability", existing_type=sa.Float(), nullable=False)
