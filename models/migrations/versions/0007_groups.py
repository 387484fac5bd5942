"""groups belong to a team: the group_link table; existing subscriptions keep their group linked

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_link",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_title", sa.String(length=256), nullable=True),
        sa.Column("linked_by_id", sa.BigInteger(), nullable=True),
        sa.Column("linked_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["member.id"], name=op.f("fk_group_link_linked_by_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_group_link_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_link")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_group_link_chat_id")),
    )
    op.create_index(op.f("ix_group_link_team_id"), "group_link", ["team_id"], unique=False)
    # A subscription was made by a manager of its team in that group: the group stays the team's.
    subscription = sa.table(
        "group_subscription",
        sa.column("team_id", sa.BigInteger()),
        sa.column("chat_id", sa.BigInteger()),
        sa.column("chat_title", sa.String()),
        sa.column("created_by_id", sa.BigInteger()),
        sa.column("created_at", models.base.UTCDateTime(timezone=True)),
    )
    link = sa.table(
        "group_link",
        sa.column("team_id", sa.BigInteger()),
        sa.column("chat_id", sa.BigInteger()),
        sa.column("chat_title", sa.String()),
        sa.column("linked_by_id", sa.BigInteger()),
        sa.column("linked_at", models.base.UTCDateTime(timezone=True)),
    )
    op.execute(
        link.insert().from_select(
            ["team_id", "chat_id", "chat_title", "linked_by_id", "linked_at"],
            sa.select(
                subscription.c.team_id,
                subscription.c.chat_id,
                subscription.c.chat_title,
                subscription.c.created_by_id,
                subscription.c.created_at,
            ),
        )
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_group_link_team_id"), table_name="group_link")
    op.drop_table("group_link")
