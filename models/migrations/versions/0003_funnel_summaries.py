"""funnel summaries: time in stage, summary indexes, last snapshot of a group subscription

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 00:19:21.187892
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base  # noqa: F401  (UTC timestamps and money)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_snapshot",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",  # existing subscriptions start without a snapshot
            )
        )

    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.alter_column("last_snapshot", server_default=None)

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index("ix_lead_team_id_created_at", ["team_id", "created_at", "owner_id"], unique=False)
        batch_op.create_index(
            "ix_lead_team_stage_parked_activity", ["team_id", "stage", "parked", "last_activity_at"], unique=False
        )

    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seconds_in_stage", sa.BigInteger(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_stage_change_team_id_at"))
        batch_op.create_index(
            "ix_stage_change_team_at_moves",
            ["team_id", "at", "event", "from_stage", "to_stage", "member_id", "seconds_in_stage"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_change_team_at_moves")
        batch_op.create_index(batch_op.f("ix_stage_change_team_id_at"), ["team_id", "at"], unique=False)
        batch_op.drop_column("seconds_in_stage")

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_stage_parked_activity")
        batch_op.drop_index("ix_lead_team_id_created_at")

    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.drop_column("last_snapshot")
