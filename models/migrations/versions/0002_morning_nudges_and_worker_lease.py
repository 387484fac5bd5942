"""morning nudges (dedupe key, stall stamps) and the worker lease

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:02:50.336007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_lease")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stall_nudged_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stall_escalated_at", models.base.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=96), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_reminder_dedupe_key"), ["dedupe_key"])


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_reminder_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_column("stall_escalated_at")
        batch_op.drop_column("stall_nudged_at")

    op.drop_table("worker_lease")
