"""relationship map: evidence, source, version and timestamps on contact_relationships

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-02 14:30:00

- ``contact_relationships`` (the ties of the relationship map, docs/committee.md) gets
  ``evidence`` (a note), ``source`` (where it came from), ``version`` (edits with
  versions) and ``created_at`` / ``updated_at``; existing ties keep their type and
  strength (``reports_to``, ``influences``, ``allies_with`` and ``conflicts_with`` are
  the built-in types reports to, influences, ally and rival). Types stay text: a
  workspace's own types are keys checked by the pattern in domain/relationships.py.
- Checks: no tie from a person to themselves; strength 1 to 5 when given. A stored tie
  that breaks them (none the app wrote) is dropped (self) or loses its strength (range)
  before the checks are added.
- An index on ``to_contact_id`` (the map reads ties from both ends).

Other branches add 0015 too; this one is rechained onto them when merged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buyermap.db.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EPOCH = "2026-12-02 00:00:00"


def upgrade() -> None:
    op.execute("delete from contact_relationships where from_contact_id = to_contact_id")
    op.execute(
        "update contact_relationships set strength = null "
        "where strength is not null and (strength < 1 or strength > 5)"
    )
    with op.batch_alter_table("contact_relationships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(120), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "created_at", UTCDateTime(), server_default=sa.text(f"'{_EPOCH}'"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "updated_at", UTCDateTime(), server_default=sa.text(f"'{_EPOCH}'"), nullable=False
            )
        )
        batch_op.create_check_constraint("not_self", "from_contact_id <> to_contact_id")
        batch_op.create_check_constraint(
            "strength", "strength is null or (strength between 1 and 5)"
        )
        batch_op.create_index(
            batch_op.f("ix_contact_relationships_to_contact_id"), ["to_contact_id"]
        )
    # the timestamps' defaults only served the existing rows: new ones get them from the app
    with op.batch_alter_table("contact_relationships", schema=None) as batch_op:
        batch_op.alter_column("created_at", server_default=None)
        batch_op.alter_column("updated_at", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("contact_relationships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_relationships_to_contact_id"))
        batch_op.drop_constraint("strength", type_="check")
        batch_op.drop_constraint("not_self", type_="check")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("created_at")
        batch_op.drop_column("version")
        batch_op.drop_column("source")
        batch_op.drop_column("evidence")
