"""one store of hand-made personas: the journeys' hand-made run moved to persona profiles

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-04 18:20:00

- Each persona of the ``hand-made`` run (made by a journeys import naming a persona no run
  has) becomes a hand-made ``persona_profiles`` row with the same key (the journey maps
  refer to it) and name; a key a persona profile has already (the same persona, made in
  the editor) keeps that profile.
- The run's persona rows are deleted; the run itself too unless contacts are placed in
  its personas (``persona_assignments``), which stay where they are.

Downgrade leaves the data as it is: the moved personas stay persona profiles.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAND_MADE_RUN = "'hand-made'"


def upgrade() -> None:
    empty = "cast('[]' as jsonb)" if op.get_bind().dialect.name == "postgresql" else "'[]'"
    op.execute(
        "insert into persona_profiles (key, origin, name, description, demographics, goals,"
        " frustrations, behaviour_online, behaviour_offline, channels, messages, objections,"
        " questions, version, created_at, updated_at)"
        f" select p.key, 'hand_made', p.name, '', '', {empty}, {empty}, '', '', {empty},"
        f" {empty}, {empty}, {empty}, 1, r.created_at, r.created_at"
        " from personas p join persona_runs r on r.id = p.run_id"
        f" where r.run_key = {HAND_MADE_RUN}"
        " and p.key not in (select key from persona_profiles)"
    )
    op.execute(
        "delete from personas where run_id in"
        f" (select id from persona_runs where run_key = {HAND_MADE_RUN})"
    )
    op.execute(f"update persona_runs set k = 0 where run_key = {HAND_MADE_RUN}")
    op.execute(
        f"delete from persona_runs where run_key = {HAND_MADE_RUN} and not exists"
        " (select 1 from persona_assignments a where a.run_id = persona_runs.id)"
    )


def downgrade() -> None:
    pass
