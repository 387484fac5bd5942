"""The update inbox (models/inbox.py): store on receipt, claim one chat's next update, finish it.

Every function takes a connection in a write transaction of the caller's (`Database.bookkeeping()`
on every update's path, `Database.core()` for housekeeping, or the handler's own transaction for
`mark_done`) and runs plain Core statements, compiled once and
cached: the inbox sits on every update's path, so each step is one or two statements. Claims lock
with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so processes claiming at once never take the same
chat; SQLite has one writer at a time (`BEGIN IMMEDIATE`), which serialises claims the same way.

The common case costs one transaction before handling: `accept` stores an update and, when its
chat has nothing waiting and this process has a slot free, leases the chat to this process in
the same transaction, so the update goes straight to that slot with no separate claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, bindparam, case, delete, func, nulls_first, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

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


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def chat_key_of(payload: dict[str, Any]) -> int:
    """The chat an update belongs to (its order is kept per chat): the chat of its message or of the
    message under a tapped button, else its sender; 0 for updates with neither (or malformed)."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
        key = _int(_dict(_dict(payload.get(kind)).get("chat")).get("id"))
        if key is not None:
            return key
    for kind in ("my_chat_member", "chat_member", "chat_join_request", "message_reaction"):
        key = _int(_dict(_dict(payload.get(kind)).get("chat")).get("id"))
        if key is not None:
            return key
    key = _int(_dict(_dict(_dict(payload.get("callback_query")).get("message")).get("chat")).get("id"))
    if key is not None:
        return key
    for value in payload.values():
        key = _int(_dict(_dict(value).get("from")).get("id"))
        if key is not None:
            return key
    return 0


UPDATES: sa.Table = InboxUpdate.__table__  # type: ignore[attr-defined]
CHATS: sa.Table = InboxChat.__table__  # type: ignore[attr-defined]
U, C = UPDATES.c, CHATS.c
PENDING, DONE = InboxStatus.PENDING, InboxStatus.DONE


@dataclass(slots=True)
class Accepted:
    new: list[int] = field(default_factory=list)  # ids not seen before
    taken: list[Claimed] = field(default_factory=list)  # leased to the caller on receipt


def _dialect(conn: AsyncConnection) -> str:
    return conn.dialect.name


def _insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@cache
def _store_update(dialect: str) -> Any:
    return _insert(dialect, UPDATES).on_conflict_do_nothing(index_elements=["update_id"]).returning(U.update_id)


@cache
def _queue_chat(dialect: str, take: bool) -> Any:
    """Upsert a chat's row with its earliest waiting update; with `take`, also lease the chat to
    the caller when nothing of it was waiting and nobody holds it (the caller then handles the
    update at once). Every SET expression sees the row as it was."""
    stmt = _insert(dialect, CHATS).values(
        chat_key=bindparam("chat_key"),
        head=bindparam("head"),
        lease_owner=bindparam("owner") if take else None,
        lease_until=bindparam("until") if take else None,
    )
    new = stmt.excluded
    earlier = case((or_(C.head.is_(None), new.head < C.head), new.head), else_=C.head)
    values: dict[str, Any] = {"head": earlier}
    if take:
        free = and_(C.head.is_(None), or_(C.lease_until.is_(None), C.lease_until < bindparam("now")))
        values |= {
            "lease_owner": case((free, new.lease_owner), else_=C.lease_owner),
            "lease_until": case((free, new.lease_until), else_=C.lease_until),
        }
    return stmt.on_conflict_do_update(index_elements=["chat_key"], set_=values).returning(C.head, C.lease_owner)


_UNTRIED = update(UPDATES).where(U.update_id == bindparam("id")).values(attempts=0)


async def accept(
    conn: AsyncConnection,
    updates: Sequence[Incoming],
    *,
    now: datetime,
    owner: str = "",
    take: int = 0,
    lease: timedelta = timedelta(0),
) -> Accepted:
    """Keep `updates` (those already stored are skipped: Telegram may send one twice) and queue
    each new one behind its chat's earlier ones. Up to `take` chats that had nothing waiting and
    nobody handling them are leased to `owner` at once, with their update (`Accepted.taken`)."""
    out = Accepted()
    if not updates:
        return out
    dialect = _dialect(conn)
    ordered = sorted(updates, key=lambda u: u.update_id)
    firsts: dict[int, Incoming] = {}
    for u in ordered:
        firsts.setdefault(u.chat_key, u)
    # Each chat's first update may be taken: stored as tried once, set back below if it is not.
    meant = {u.update_id for u in firsts.values()} if take > 0 else set()
    for u in ordered:
        row = {
            "update_id": u.update_id,
            "chat_key": u.chat_key,
            "payload": u.payload,
            "status": PENDING,
            "attempts": 1 if u.update_id in meant else 0,
            "received_at": now,
        }
        if (await conn.execute(_store_update(dialect), row)).first() is not None:
            out.new.append(u.update_id)
    if not out.new:
        return out
    heads: dict[int, Incoming] = {}
    for u in ordered:
        if u.update_id in out.new:
            heads.setdefault(u.chat_key, u)
    until = now + lease
    for chat_key, first in heads.items():
        want = first.update_id in meant and len(out.taken) < take
        params = {"chat_key": chat_key, "head": first.update_id, "owner": owner, "until": until, "now": now}
        got = (await conn.execute(_queue_chat(dialect, want), params)).one()
        if want and got.lease_owner == owner and got.head == first.update_id:
            out.taken.append(Claimed(first.update_id, chat_key, first.payload, 1))
        elif first.update_id in meant:
            await conn.execute(_UNTRIED, {"id": first.update_id})
    return out


@cache
def _pick(dialect: str) -> Any:
    free = or_(C.lease_until.is_(None), C.lease_until < bindparam("now"))
    pick = (
        select(C.chat_key)
        .where(C.head.is_not(None), free, C.chat_key.not_in(bindparam("busy", expanding=True)))
        .order_by(nulls_first(C.served_at.asc()), C.head)
        .limit(1)
    )
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    return (
        update(CHATS)
        .where(C.chat_key == pick.scalar_subquery())
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(C.chat_key, C.head)
    )


_TRY = (
    update(UPDATES)
    .where(U.update_id == bindparam("id"), U.status == PENDING)
    .values(attempts=U.attempts + 1)
    .returning(U.payload, U.attempts)
)


def _next_head(chat_key: Any) -> Any:
    return select(func.min(U.update_id)).where(U.chat_key == chat_key, U.status == PENDING).scalar_subquery()


_SKIP_HEAD = (
    update(CHATS)
    .where(C.chat_key == bindparam("key"))
    .values(head=_next_head(bindparam("key")), lease_owner=None, lease_until=None)
)


async def claim(
    conn: AsyncConnection, *, owner: str, now: datetime, lease: timedelta, exclude: Iterable[int] = ()
) -> Claimed | None:
    """Lease the chat served longest ago that has an update waiting and nobody handling it, and
    return that chat's oldest update; None when there is nothing to do."""
    pick = _pick(_dialect(conn))
    params = {"now": now, "busy": list(exclude), "owner": owner, "until": now + lease}
    for _ in range(3):  # a head that was handled meanwhile is moved on, then another chat tried
        chat = (await conn.execute(pick, params)).first()
        if chat is None or chat.head is None:
            return None
        found = (await conn.execute(_TRY, {"id": chat.head})).first()
        if found is not None:
            return Claimed(chat.head, chat.chat_key, dict(found.payload), found.attempts)
        await conn.execute(_SKIP_HEAD, {"key": chat.chat_key})
    return None


_MARK_DONE = (
    update(UPDATES)
    .where(U.update_id == bindparam("id"), U.status == PENDING)
    .values(status=DONE, done_at=bindparam("now"))
)


async def mark_done(conn: AsyncConnection, update_id: int, *, now: datetime) -> bool:
    """The update's work is committed (called inside the handler's own write, so that work and
    "done" commit together: an update is never half-handled twice)."""
    result = await conn.execute(_MARK_DONE, {"id": update_id, "now": now})
    return bool(result.rowcount)


def _mine(column: Any) -> Any:
    return case((C.lease_owner == bindparam("owner"), None), else_=column)


_MOVE_ON = (
    update(CHATS)
    .where(C.chat_key == bindparam("key"))
    .values(
        head=_next_head(bindparam("key")),
        served_at=bindparam("now"),
        lease_owner=_mine(C.lease_owner),
        lease_until=_mine(C.lease_until),
    )
    .returning(C.head)
)


_LOCK_CHAT = select(C.chat_key).where(C.chat_key == bindparam("key")).with_for_update()


async def finish(conn: AsyncConnection, claimed: Claimed, *, owner: str, now: datetime) -> bool:
    """The update was handled: mark it done (if its handler did not already), move the chat on to
    its next update and let any process take the chat again. True when the chat has more waiting."""
    await mark_done(conn, claimed.update_id, now=now)
    if _dialect(conn) == "postgresql":
        # Lock the chat's row before looking for its next update: an `accept` that queued one
        # holds this row until it commits, and the next statement then sees that update (each
        # statement reads what was committed when it started). Without the lock the head could
        # be computed from before that commit and the update left waiting with no head.
        await conn.execute(_LOCK_CHAT, {"key": claimed.chat_key})
    row = (await conn.execute(_MOVE_ON, {"key": claimed.chat_key, "now": now, "owner": owner})).first()
    return row is not None and row.head is not None


async def renew(conn: AsyncConnection, chat_keys: Iterable[int], *, owner: str, until: datetime) -> None:
    keys = list(chat_keys)
    if keys:
        await conn.execute(update(CHATS).where(C.chat_key.in_(keys), C.lease_owner == owner).values(lease_until=until))


async def release(conn: AsyncConnection, *, owner: str, chat_keys: Iterable[int] | None = None) -> None:
    """Give chats back unhandled (shutting down): another process takes them at once."""
    stmt = update(CHATS).where(C.lease_owner == owner)
    if chat_keys is not None:
        stmt = stmt.where(C.chat_key.in_(list(chat_keys)))
    await conn.execute(stmt.values(lease_owner=None, lease_until=None))


async def prune(conn: AsyncConnection, *, before: datetime, limit: int = 1000) -> int:
    """Forget handled updates older than `before` (a batch at a time), and idle chats."""
    old = select(U.update_id).where(U.status == DONE, U.done_at < before).limit(limit).scalar_subquery()
    result = await conn.execute(delete(UPDATES).where(U.update_id.in_(old)))
    await conn.execute(delete(CHATS).where(and_(C.head.is_(None), C.served_at < before, C.lease_owner.is_(None))))
    return int(result.rowcount or 0)


async def lag(conn: AsyncConnection, *, now: datetime) -> float:
    """Seconds the oldest waiting update has waited (0 when none waits)."""
    oldest = await conn.scalar(select(func.min(U.received_at)).where(U.status == PENDING))
    if not isinstance(oldest, datetime):
        return 0.0
    return max(0.0, (now - oldest).total_seconds())
