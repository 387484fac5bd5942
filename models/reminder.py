"""Reminders (the database is the truth) and group summary subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import BigIntId, JSONDoc
from models.columns import created_at, enum_type, updated_at, utc
from models.enums import ReminderKind, ReminderStatus, SummaryPeriod
from models.scoping import OwnedByMember, TeamScoped


class Reminder(TeamScoped, OwnedByMember, table=True):
    """Something to tell a member at a time. Claimed with a lease, sent once, kept for history."""

    __tablename__ = "reminder"
    __table_args__ = (
        # The dispatcher's poll: pending rows by due time, nothing else in the index.
        sa.Index(
            "ix_reminder_due_pending",
            "due_at",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_reminder_owner_id_status_due_at", "owner_id", "status", "due_at"),
        sa.Index("ix_reminder_lead_id", "lead_id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    # The member to remind (named owner_id so the rep-only rule applies as for leads).
    owner_id: int = Field(foreign_key="member.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    kind: ReminderKind = Field(default=ReminderKind.FOLLOW_UP, sa_type=enum_type(ReminderKind))
    due_at: datetime = utc(nullable=False)
    reason: str | None = Field(default=None, max_length=500)
    # Set for automatic messages (the morning brief): one row per member and day, however many
    # processes plan it.
    dedupe_key: str | None = Field(default=None, max_length=96, unique=True)
    status: ReminderStatus = Field(default=ReminderStatus.PENDING, sa_type=enum_type(ReminderStatus))
    attempts: int = Field(default=0)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = utc()
    sent_at: datetime | None = utc()
    late: bool = Field(default=False)
    chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class GroupLink(TeamScoped, table=True):
    """A group chat that belongs to a team: linked by a manager (through the team's signed
    `startgroup` link or /link), unlinked by a manager with /unlink. Only a linked group gets the
    team's summaries and answers /funnel, and only for its own team's members."""

    __tablename__ = "group_link"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True, sa_type=sa.BigInteger)
    chat_id: int = Field(sa_type=sa.BigInteger, unique=True)
    chat_title: str | None = Field(default=None, max_length=256)
    linked_by_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", sa_type=sa.BigInteger)
    linked_at: datetime = created_at()


class GroupSubscription(TeamScoped, table=True):
    """A group chat that receives the team's funnel summary. A group belongs to one team, and
    subscribing needs the group linked to it (`GroupLink`)."""

    __tablename__ = "group_subscription"
    __table_args__ = (
        sa.Index(
            "ix_group_subscription_due_enabled",
            "next_due_at",
            postgresql_where=sa.text("enabled"),
            sqlite_where=sa.text("enabled"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True, sa_type=sa.BigInteger)
    chat_id: int = Field(sa_type=sa.BigInteger, unique=True)
    chat_title: str | None = Field(default=None, max_length=256)
    # The topic of a forum supergroup the summaries go to (None: the group's main chat).
    message_thread_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    period: SummaryPeriod = Field(default=SummaryPeriod.DAILY, sa_type=enum_type(SummaryPeriod))
    weekday: int | None = None  # 0 = Monday, for weekly summaries
    local_time: str = Field(default="09:00", max_length=5)
    enabled: bool = Field(default=True)
    disabled_reason: str | None = Field(default=None, max_length=300)
    next_due_at: datetime | None = utc()
    last_period_key: str | None = Field(default=None, max_length=32)
    # The figures of the last summary sent ("now" values such as records per stage), to say up or
    # down next time.
    last_snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc, nullable=False)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = utc()
    created_by_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", sa_type=sa.BigInteger)
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class WorkerLease(SQLModel, table=True):
    """Which bot process runs a background job (reminder delivery, summaries) right now.

    Only the holder sends bulk messages, so two processes still keep to one Telegram budget; a
    holder that dies lets the lease lapse and another process takes over."""

    __tablename__ = "worker_lease"

    name: str = Field(primary_key=True, max_length=32)
    owner: str = Field(max_length=64)
    expires_at: datetime = utc(nullable=False)
