"""event costs, and the indexes the by-source, forecast and by-event figures read

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLOSES = ["team_id", "stage", "expected_close_date", "currency", "deal_amount", "probability"]
SOURCES = ["team_id", "created_at", "source", "stage", "score", "deal_amount", "currency", "lost_reason", "closed_at"]


def upgrade() -> None:
    op.create_table(
        "event_cost",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", models.base.Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("set_by_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["member.id"], name=op.f("fk_event_cost_set_by_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_event_cost_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_cost")),
        sa.UniqueConstraint("team_id", "name_key", name=op.f("uq_event_cost_team_id_name_key")),
    )
    op.create_index("ix_lead_team_created_sources", "lead", SOURCES)
    op.create_index("ix_lead_team_source_created", "lead", ["team_id", "source", "created_at", "source_detail"])
    op.create_index("ix_lead_team_stage_closes", "lead", CLOSES)


def downgrade() -> None:
    op.drop_index("ix_lead_team_stage_closes", table_name="lead")
    op.drop_index("ix_lead_team_source_created", table_name="lead")
    op.drop_index("ix_lead_team_created_sources", table_name="lead")
    op.drop_table("event_cost")
