"""the update inbox: updates stored on receipt, handled one chat at a time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column(
            "status", sa.Enum("pending", "done", name="inboxstatus", native_enum=False, length=24), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbox_update")),
    )
    op.create_index("ix_inbox_update_chat_pending", "inbox_update", ["chat_key", "status", "update_id"])
    op.create_index(op.f("ix_inbox_update_done_at"), "inbox_update", ["done_at"])
    op.create_table(
        "inbox_chat",
        sa.Column("chat_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("head", sa.BigInteger(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("served_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("chat_key", name=op.f("pk_inbox_chat")),
    )
    op.create_index("ix_inbox_chat_waiting", "inbox_chat", ["served_at", "head"])


def downgrade() -> None:
    op.drop_index("ix_inbox_chat_waiting", table_name="inbox_chat")
    op.drop_table("inbox_chat")
    op.drop_index(op.f("ix_inbox_update_done_at"), table_name="inbox_update")
    op.drop_index("ix_inbox_update_chat_pending", table_name="inbox_update")
    op.drop_table("inbox_update")
