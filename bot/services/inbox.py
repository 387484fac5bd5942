"""The update inbox (models/inbox.py): store on receipt, claim one chat's next update, finish it.

Every function takes a session in a transaction of the caller's. Claims lock with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so processes claiming at once never take the same chat;
SQLite has one writer at a time (`BEGIN IMMEDIATE`), which serialises claims the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlmodel
from sqlalchemy import and_, case, delete, func, nulls_first, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models import InboxChat, InboxStatus, InboxUpdate


@dataclass(slots=True)
class Work:
    """The inbox update this task is handling. It is marked handled together with the handler's
    write (`done`), or, for an update that writes nothing, just before its first answer leaves, so
    that a process dying after answering does not make another process answer again. A
    handler that answers before it writes (a "Reading the card…" placeholder) says so (`defer`)."""

    update_id: int
    done: bool = False
    defer: bool = False


# The inbox update being handled by this task (None outside the inbox, e.g. in tests).
CURRENT_UPDATE: ContextVar[Work | None] = ContextVar("inbox_update", default=None)


@dataclass(frozen=True, slots=True)
class Incoming:
    update_id: int
    chat_key: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Claimed:
    update_id: int
    chat_key: int
    payload: dict[str, Any]
    attempts: int


def chat_key_of(payload: dict[str, Any]) -> int:
    """The chat an update belongs to (its order is kept per chat): the chat of its message or of the
    message under a tapped button, else its sender; 0 for updates with neither."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
        chat = (payload.get(kind) or {}).get("chat")
        if chat and "id" in chat:
            return int(chat["id"])
    for kind in ("my_chat_member", "chat_member", "chat_join_request", "message_reaction"):
        chat = (payload.get(kind) or {}).get("chat")
        if chat and "id" in chat:
            return int(chat["id"])
    query = payload.get("callback_query") or {}
    chat = (query.get("message") or {}).get("chat")
    if chat and "id" in chat:
        return int(chat["id"])
    for value in payload.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict) and "id" in value["from"]:
            return int(value["from"]["id"])
    return 0


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _insert(session: AsyncSession, table: Any) -> Any:
    return (postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert)(table)


async def store(session: AsyncSession, updates: Sequence[Incoming], *, now: datetime) -> list[int]:
    """Keep `updates` (those already stored are skipped: Telegram may send one twice) and queue
    each new one behind its chat's earlier ones. Returns the ids that were new."""
    if not updates:
        return []
    rows = [
        {
            "update_id": u.update_id,
            "chat_key": u.chat_key,
            "payload": u.payload,
            "status": InboxStatus.PENDING.value,
            "attempts": 0,
            "received_at": now,
        }
        for u in updates
    ]
    stmt = _insert(session, InboxUpdate).values(rows).on_conflict_do_nothing(index_elements=["update_id"])
    new = set((await session.exec(stmt.returning(col(InboxUpdate.update_id)))).scalars().all())
    if not new:
        return []
    heads: dict[int, int] = {}
    for u in updates:
        if u.update_id in new:
            heads[u.chat_key] = min(heads.get(u.chat_key, u.update_id), u.update_id)
    upsert = _insert(session, InboxChat).values([{"chat_key": k, "head": h} for k, h in heads.items()])
    current = col(InboxChat.head)
    earlier = case((or_(current.is_(None), upsert.excluded.head < current), upsert.excluded.head), else_=current)
    upsert = upsert.on_conflict_do_update(index_elements=["chat_key"], set_={"head": earlier})
    await session.exec(upsert)
    return sorted(new)


async def claim(
    session: AsyncSession, *, owner: str, now: datetime, lease: timedelta, exclude: Iterable[int] = ()
) -> Claimed | None:
    """Lease the chat served longest ago that has an update waiting and nobody handling it, and
    return that chat's oldest update; None when there is nothing to do."""
    free = or_(col(InboxChat.lease_until).is_(None), col(InboxChat.lease_until) < now)
    query = (
        sqlmodel.select(InboxChat)
        .where(col(InboxChat.head).is_not(None), free)
        .order_by(nulls_first(col(InboxChat.served_at).asc()), col(InboxChat.head))
        .limit(1)
    )
    skip = list(exclude)
    if skip:
        query = query.where(col(InboxChat.chat_key).not_in(skip))
    if _dialect(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for _ in range(3):  # a head that was handled meanwhile is moved on, then the chat tried again
        chat = (await session.exec(query)).first()
        if chat is None or chat.head is None:
            return None
        chat_key, head = chat.chat_key, chat.head
        found = await session.scalar(
            select(InboxUpdate).where(
                col(InboxUpdate.update_id) == head, col(InboxUpdate.status) == InboxStatus.PENDING
            )
        )
        if found is None:
            await _advance(session, chat_key, served_at=None)
            continue
        claimed = Claimed(head, chat_key, dict(found.payload), found.attempts + 1)
        await session.exec(
            update(InboxChat)
            .where(col(InboxChat.chat_key) == chat_key)
            .values(lease_owner=owner, lease_until=now + lease)
        )
        await session.exec(
            update(InboxUpdate).where(col(InboxUpdate.update_id) == head).values(attempts=col(InboxUpdate.attempts) + 1)
        )
        return claimed
    return None


async def mark_done(session: AsyncSession, update_id: int, *, now: datetime) -> bool:
    """The update's work is committed (called inside the handler's own write, so that work and
    "done" commit together: an update is never half-handled twice)."""
    result = await session.exec(
        update(InboxUpdate)
        .where(col(InboxUpdate.update_id) == update_id, col(InboxUpdate.status) == InboxStatus.PENDING)
        .values(status=InboxStatus.DONE, done_at=now)
    )
    return bool(result.rowcount)


async def _advance(session: AsyncSession, chat_key: int, *, served_at: datetime | None) -> None:
    head = (
        select(func.min(col(InboxUpdate.update_id)))
        .where(col(InboxUpdate.chat_key) == chat_key, col(InboxUpdate.status) == InboxStatus.PENDING)
        .scalar_subquery()
    )
    values: dict[str, Any] = {"head": head}
    if served_at is not None:
        values |= {"served_at": served_at, "lease_owner": None, "lease_until": None}
    await session.exec(update(InboxChat).where(col(InboxChat.chat_key) == chat_key).values(**values))


async def finish(session: AsyncSession, claimed: Claimed, *, owner: str, now: datetime) -> None:
    """The update was handled: mark it done (if its handler did not already), move the chat on to
    its next update and let any process take the chat again."""
    await mark_done(session, claimed.update_id, now=now)
    await session.exec(
        update(InboxChat)
        .where(col(InboxChat.chat_key) == claimed.chat_key, col(InboxChat.lease_owner) == owner)
        .values(lease_owner=None)
    )
    await _advance(session, claimed.chat_key, served_at=now)


async def renew(session: AsyncSession, chat_keys: Iterable[int], *, owner: str, until: datetime) -> None:
    keys = list(chat_keys)
    if keys:
        await session.exec(
            update(InboxChat)
            .where(col(InboxChat.chat_key).in_(keys), col(InboxChat.lease_owner) == owner)
            .values(lease_until=until)
        )


async def release(session: AsyncSession, *, owner: str, chat_keys: Iterable[int] | None = None) -> None:
    """Give chats back unhandled (shutting down): another process takes them at once."""
    stmt = update(InboxChat).where(col(InboxChat.lease_owner) == owner)
    if chat_keys is not None:
        stmt = stmt.where(col(InboxChat.chat_key).in_(list(chat_keys)))
    await session.exec(stmt.values(lease_owner=None, lease_until=None))


async def prune(session: AsyncSession, *, before: datetime, limit: int = 1000) -> int:
    """Forget handled updates older than `before` (a batch at a time), and idle chats."""
    old = (
        select(col(InboxUpdate.update_id))
        .where(col(InboxUpdate.status) == InboxStatus.DONE, col(InboxUpdate.done_at) < before)
        .limit(limit)
        .scalar_subquery()
    )
    result = await session.exec(delete(InboxUpdate).where(col(InboxUpdate.update_id).in_(old)))
    await session.exec(
        delete(InboxChat).where(
            and_(col(InboxChat.head).is_(None), col(InboxChat.served_at) < before, col(InboxChat.lease_owner).is_(None))
        )
    )
    return int(result.rowcount or 0)


async def lag(session: AsyncSession, *, now: datetime) -> float:
    """Seconds the oldest waiting update has waited (0 when none waits)."""
    oldest = await session.scalar(
        select(func.min(col(InboxUpdate.received_at))).where(col(InboxUpdate.status) == InboxStatus.PENDING)
    )
    if not isinstance(oldest, datetime):
        return 0.0
    return max(0.0, (now - oldest).total_seconds())
