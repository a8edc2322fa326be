"""avatar score indexes: the accounts list's tier filter and fit sort

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-02 14:00:00

- ``ix_avatar_scores_tier`` on ``avatar_scores (avatar_id, tier, account_id)``: the tier
  filter reads one avatar's accounts of one tier from the index alone.
- ``ix_avatar_scores_fit`` on ``avatar_scores (avatar_id, fit, account_id)``: sorting the
  accounts by fit walks one avatar's scores in order.

Other branches add revisions after 0014; this one is rechained onto them when merged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_avatar_scores_tier", "avatar_scores", ["avatar_id", "tier", "account_id"])
    op.create_index("ix_avatar_scores_fit", "avatar_scores", ["avatar_id", "fit", "account_id"])


def downgrade() -> None:
    op.drop_index("ix_avatar_scores_fit", table_name="avatar_scores")
    op.drop_index("ix_avatar_scores_tier", table_name="avatar_scores")
