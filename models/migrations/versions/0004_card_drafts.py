"""card drafts in their own table (an unsaved card survives any other flow)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "card_draft",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.Column("card", JSON_DOC, nullable=False),
        sa.Column("duplicate_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_id"], ["lead.id"], name=op.f("fk_card_draft_duplicate_id_lead"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_card_draft_member_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_card_draft_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_draft")),
        sa.UniqueConstraint("member_id", name=op.f("uq_card_draft_member_id")),
    )
    with op.batch_alter_table("card_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_draft_team_id"), ["team_id"], unique=False)
    _move_drafts_out_of_flows()


def _move_drafts_out_of_flows() -> None:
    """Card previews waiting in `flow_state` (flow 'card', step 'preview') become drafts."""
    conn = op.get_bind()
    flow_state = sa.table(
        "flow_state",
        sa.column("member_id", sa.BigInteger()),
        sa.column("team_id", sa.BigInteger()),
        sa.column("flow", sa.String()),
        sa.column("step", sa.String()),
        sa.column("data", JSON_DOC),
        sa.column("chat_id", sa.BigInteger()),
        sa.column("message_id", sa.BigInteger()),
        sa.column("updated_at", models.base.UTCDateTime(timezone=True)),
    )
    card_draft = sa.table(
        "card_draft",
        sa.column("team_id", sa.BigInteger()),
        sa.column("member_id", sa.BigInteger()),
        sa.column("nonce", sa.String()),
        sa.column("card", JSON_DOC),
        sa.column("duplicate_id", sa.BigInteger()),
        sa.column("chat_id", sa.BigInteger()),
        sa.column("message_id", sa.BigInteger()),
        sa.column("created_at", models.base.UTCDateTime(timezone=True)),
        sa.column("updated_at", models.base.UTCDateTime(timezone=True)),
    )
    lead_ids = sa.table("lead", sa.column("id", sa.BigInteger()))
    waiting = (flow_state.c.flow == "card") & (flow_state.c.step == "preview")
    rows = conn.execute(sa.select(flow_state).where(waiting)).mappings().all()
    drafts: list[dict[str, Any]] = []
    for row in rows:
        data = row["data"]
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict) or not isinstance(data.get("card"), dict):
            continue  # nothing readable to keep: the flow row goes anyway
        duplicate = data.get("dup") if isinstance(data.get("dup"), int) else None
        if (
            duplicate is not None
            and conn.execute(sa.select(lead_ids.c.id).where(lead_ids.c.id == duplicate)).first() is None
        ):
            duplicate = None  # the record went away meanwhile
        drafts.append(
            {
                "team_id": row["team_id"],
                "member_id": row["member_id"],
                "nonce": str(data.get("nonce") or "")[:16],
                "card": data["card"],
                "duplicate_id": duplicate,
                "chat_id": row["chat_id"],
                "message_id": row["message_id"],
                "created_at": row["updated_at"],
                "updated_at": row["updated_at"],
            }
        )
    if drafts:
        op.bulk_insert(card_draft, drafts)
    conn.execute(sa.delete(flow_state).where(waiting))


def downgrade() -> None:
    with op.batch_alter_table("card_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_draft_team_id"))
    op.drop_table("card_draft")
