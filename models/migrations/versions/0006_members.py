"""members come and go: a removed member keeps their row, with the Telegram id given back

A removed member's `telegram_user_id` becomes minus the row id and the real one moves to
`former_telegram_user_id` (see models.team.Member): the existing unique constraint then holds
among current members only, without rebuilding the member table on SQLite (dropping it there, with
foreign keys on, would cascade into reminders, flows and drafts). Both columns are added in place.
Records of a removed member that were not handed over keep `lead.owner_id` on the removed row:
"unassigned" means owned by a removed member (managers see them and hand them over later).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("former_telegram_user_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("former_telegram_user_id")
        batch_op.drop_column("removed_at")
