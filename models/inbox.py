"""The update inbox: every update from Telegram is stored here first, then handled by any bot
process, one chat at a time, in update order, fairly across chats.

`inbox_update` holds the updates (deduplicated by Telegram's `update_id`); `inbox_chat` holds one
row per chat with its oldest unhandled update (`head`), the process handling that chat now (a
lease), and when the chat was last served (the fairness order: the chat served longest ago goes
first, so a chat with hundreds of queued updates cannot hold up another chat's next one).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import JSONDoc
from models.columns import created_at, enum_type, utc


class InboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox_update"
    __table_args__ = (sa.Index("ix_inbox_update_chat_pending", "chat_key", "status", "update_id"),)

    update_id: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False})
    chat_key: int = Field(sa_type=sa.BigInteger)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc, nullable=False)
    status: InboxStatus = Field(default=InboxStatus.PENDING, sa_type=enum_type(InboxStatus))
    attempts: int = Field(default=0)
    received_at: datetime = created_at()
    done_at: datetime | None = utc(index=True)


class InboxChat(SQLModel, table=True):
    __tablename__ = "inbox_chat"
    __table_args__ = (sa.Index("ix_inbox_chat_waiting", "served_at", "head"),)

    chat_key: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False})
    head: int | None = Field(default=None, sa_type=sa.BigInteger)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = utc()
    served_at: datetime | None = utc()
