"""telegram contacts: a record's Telegram user id and username; a summary's forum topic

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain added columns: no table rebuild, so the stage tally triggers on `lead` stay as they are.
    op.add_column("lead", sa.Column("telegram_id", sa.BigInteger(), nullable=True))
    op.add_column("lead", sa.Column("telegram_username", sa.String(length=32), nullable=True))
    op.add_column("group_subscription", sa.Column("message_thread_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("group_subscription", "message_thread_id")
    op.drop_column("lead", "telegram_username")
    op.drop_column("lead", "telegram_id")
