"""Teams, their members and invites."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import BigIntId, JSONDoc
from models.columns import created_at, enum_type, updated_at, utc
from models.enums import Role
from models.scoping import TeamScoped


class Team(SQLModel, table=True):
    """A sales team: its reps, its records and its settings (qualification, nudges, lost reasons)."""

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    name: str = Field(max_length=120)
    language: str = Field(default="en", max_length=8)
    timezone: str = Field(default="UTC", max_length=64)
    phone_region: str | None = Field(default=None, max_length=2)
    currency: str = Field(default="EUR", max_length=3)
    # Team settings that later features read (qualification criteria, stalled days, nudges,
    # lost reasons); validated by bot.domain.team_settings, stored as one document.
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc, nullable=False)
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class Member(TeamScoped, table=True):
    """A Telegram user in a team. One team per Telegram account at a time.

    A removed member keeps their row (their name stays in the records' history) with `removed_at`
    set. The row then gives its Telegram id back: `telegram_user_id` becomes minus the row id
    (Telegram user ids are positive) and the real id moves to `former_telegram_user_id`. So the
    unique constraint holds among current members only, every lookup by Telegram id finds the
    current member or nobody (the gate treats a removed person as a stranger on their very next
    update), and the same person can join again through a new invite as a NEW row. (A partial
    unique index would need the member table rebuilt on SQLite, where dropping a table that
    reminders, flows and drafts reference cascades into them.)
    """

    __tablename__ = "member"
    __table_args__ = (sa.Index("ix_member_team_id_role", "team_id", "role"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    telegram_user_id: int = Field(sa_type=sa.BigInteger, unique=True)
    role: Role = Field(default=Role.REP, sa_type=enum_type(Role))
    first_name: str = Field(default="", max_length=128)
    last_name: str | None = Field(default=None, max_length=128)
    username: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=8)
    # None until the member has confirmed one: reminders need a real zone, not a guess.
    timezone: str | None = Field(default=None, max_length=64)
    is_active: bool = Field(default=True)
    blocked_at: datetime | None = utc()
    last_seen_at: datetime | None = utc()
    removed_at: datetime | None = utc()
    former_telegram_user_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.username or "")


class Invite(TeamScoped, table=True):
    """A single-use, expiring invite link. Only the SHA-256 of its token is stored."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True, sa_type=sa.BigInteger)
    token_hash: str = Field(max_length=64, unique=True)
    role: Role = Field(default=Role.REP, sa_type=enum_type(Role))
    created_by_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", sa_type=sa.BigInteger)
    expires_at: datetime = utc(nullable=False)
    used_at: datetime | None = utc()
    used_by_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL", sa_type=sa.BigInteger)
    created_at: datetime = created_at()
