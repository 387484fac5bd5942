"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 21:03:01.415014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("phone_region", sa.String(length=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "manager", "rep", name="role", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("last_name", sa.String(length=128), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_member_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_member_telegram_user_id")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index("ix_member_team_id_role", ["team_id", "role"], unique=False)

    op.create_table(
        "flow_state",
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_flow_state_member_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_flow_state_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_flow_state")),
    )
    with op.batch_alter_table("flow_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flow_state_team_id"), ["team_id"], unique=False)

    op.create_table(
        "group_subscription",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_title", sa.String(length=256), nullable=True),
        sa.Column(
            "period",
            sa.Enum("daily", "weekly", name="summaryperiod", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=300), nullable=True),
        sa.Column("next_due_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_period_key", sa.String(length=32), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_group_subscription_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_group_subscription_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_subscription")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_group_subscription_chat_id")),
    )
    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_subscription_due_enabled",
            ["next_due_at"],
            unique=False,
            postgresql_where=sa.text("enabled"),
            sqlite_where=sa.text("enabled"),
        )
        batch_op.create_index(batch_op.f("ix_group_subscription_team_id"), ["team_id"], unique=False)

    op.create_table(
        "invite",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "manager", "rep", name="role", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["member.id"], name=op.f("fk_invite_created_by_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_invite_team_id_team"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["used_by_id"], ["member.id"], name=op.f("fk_invite_used_by_id_member"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invite_token_hash")),
    )
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invite_team_id"), ["team_id"], unique=False)

    op.create_table(
        "lead",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=True),
        sa.Column("last_name", sa.String(length=128), nullable=True),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column(
            "emails",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "phones",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("raw_card_text", sa.Text(), nullable=True),
        sa.Column("name_key", sa.String(length=260), nullable=False),
        sa.Column("company_key", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "suspect",
                "lead",
                "prospect",
                "opportunity",
                "customer",
                "lost",
                name="stage",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("stage_changed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column(
            "park_reason",
            sa.Enum(
                "not_ready",
                "no_budget",
                "said_no_keep",
                "wrong_person",
                "other",
                name="parkreason",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("park_note", sa.String(length=500), nullable=True),
        sa.Column("parked_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "meeting",
                "referral",
                "cold_call",
                "bought_list",
                "linkedin",
                "website",
                "other",
                name="leadsource",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("source_detail", sa.String(length=200), nullable=True),
        sa.Column("estimated_value", models.base.Money(precision=16, scale=2), nullable=True),
        sa.Column("estimated_currency", sa.String(length=3), nullable=True),
        sa.Column(
            "qualification",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("qualified_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deal_amount", models.base.Money(precision=16, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=True),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("lost_reason", sa.String(length=64), nullable=True),
        sa.Column("lost_note", sa.String(length=500), nullable=True),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "probability IS NULL OR (probability >= 0 AND probability <= 100)",
            name=op.f("ck_lead_probability"),
        ),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name=op.f("ck_lead_score")),
        sa.ForeignKeyConstraint(["owner_id"], ["member.id"], name=op.f("fk_lead_owner_id_member"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_lead_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("code", name=op.f("uq_lead_code")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index("ix_lead_owner_id_stage", ["owner_id", "stage"], unique=False)
        batch_op.create_index("ix_lead_team_id_last_activity_at", ["team_id", "last_activity_at"], unique=False)
        batch_op.create_index(
            "ix_lead_team_id_name_key_company_key", ["team_id", "name_key", "company_key"], unique=False
        )
        batch_op.create_index("ix_lead_team_id_parked_until", ["team_id", "parked_until"], unique=False)
        batch_op.create_index(
            "ix_lead_team_stage_cover",
            ["team_id", "stage", "parked", "deal_amount", "updated_at"],
            unique=False,
        )

    op.create_table(
        "activity",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "note",
                "objection",
                "question",
                "call",
                "meeting",
                "email",
                "follow_up",
                name="activitykind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_activity_lead_id_lead"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_activity_member_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_activity_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index("ix_activity_lead_id_at", ["lead_id", "at"], unique=False)

    op.create_table(
        "contact_point",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("email", "phone", name="contactkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_contact_point_lead_id_lead"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_contact_point_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_point")),
    )
    with op.batch_alter_table("contact_point", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_point_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index("ix_contact_point_team_id_kind_value", ["team_id", "kind", "value"], unique=False)

    op.create_table(
        "reminder",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "follow_up",
                "custom",
                "birthday",
                "stalled",
                "close_date",
                "digest",
                name="reminderkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "done",
                "snoozed",
                "cancelled",
                "failed",
                name="reminderstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_reminder_lead_id_lead"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["member.id"], name=op.f("fk_reminder_owner_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_reminder_team_id_team"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminder_due_pending",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index("ix_reminder_lead_id", ["lead_id"], unique=False)
        batch_op.create_index("ix_reminder_owner_id_status_due_at", ["owner_id", "status", "due_at"], unique=False)

    op.create_table(
        "stage_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "event",
            sa.Enum("created", "moved", "parked", "unparked", name="historyevent", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "from_stage",
            sa.Enum(
                "suspect",
                "lead",
                "prospect",
                "opportunity",
                "customer",
                "lost",
                name="stage",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "suspect",
                "lead",
                "prospect",
                "opportunity",
                "customer",
                "lost",
                name="stage",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_stage_change_lead_id_lead"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_stage_change_member_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_stage_change_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_change")),
    )
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.create_index("ix_stage_change_lead_id_at", ["lead_id", "at"], unique=False)
        batch_op.create_index("ix_stage_change_team_id_at", ["team_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_change_team_id_at")
        batch_op.drop_index("ix_stage_change_lead_id_at")

    op.drop_table("stage_change")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_owner_id_status_due_at")
        batch_op.drop_index("ix_reminder_lead_id")
        batch_op.drop_index(
            "ix_reminder_due_pending",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )

    op.drop_table("reminder")
    with op.batch_alter_table("contact_point", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_point_team_id_kind_value")
        batch_op.drop_index(batch_op.f("ix_contact_point_lead_id"))

    op.drop_table("contact_point")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_lead_id_at")

    op.drop_table("activity")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_stage_cover")
        batch_op.drop_index("ix_lead_team_id_parked_until")
        batch_op.drop_index("ix_lead_team_id_name_key_company_key")
        batch_op.drop_index("ix_lead_team_id_last_activity_at")
        batch_op.drop_index("ix_lead_owner_id_stage")

    op.drop_table("lead")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_team_id"))

    op.drop_table("invite")
    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_subscription_team_id"))
        batch_op.drop_index(
            "ix_group_subscription_due_enabled",
            postgresql_where=sa.text("enabled"),
            sqlite_where=sa.text("enabled"),
        )

    op.drop_table("group_subscription")
    with op.batch_alter_table("flow_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_state_team_id"))

    op.drop_table("flow_state")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_team_id_role")

    op.drop_table("member")
    op.drop_table("team")
