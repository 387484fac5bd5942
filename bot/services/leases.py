"""Leases: one bot process at a time runs a background job, and due rows are claimed atomically.

`hold` takes the lease when it is free or lapsed and renews it for its holder, atomically (an
UPDATE guarded by owner/expiry, or an INSERT that loses to a concurrent one), so two processes
sharing a database never both believe they hold it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import WorkerLease

T = TypeVar("T", bound=SQLModel)


async def hold(session: AsyncSession, name: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name` for `owner` until now + ttl; False when another holds it."""
    renewed = await session.exec(
        update(WorkerLease)
        .where(
            col(WorkerLease.name) == name,
            or_(col(WorkerLease.owner) == owner, col(WorkerLease.expires_at) < now),
        )
        .values(owner=owner, expires_at=now + ttl)
    )
    if renewed.rowcount:
        return True
    try:
        async with session.begin_nested():
            session.add(WorkerLease(name=name, owner=owner, expires_at=now + ttl))
    except IntegrityError:
        return False  # another process holds it (or took it just now)
    return True


async def release(session: AsyncSession, name: str, *, owner: str, now: datetime) -> None:
    await session.exec(
        update(WorkerLease).where(col(WorkerLease.name) == name, col(WorkerLease.owner) == owner).values(expires_at=now)
    )


async def claim(
    session: AsyncSession,
    model: type[T],
    key: Mapped[int | None],
    due: Select[Any],
    order: Any,
    **values: Any,
) -> list[T]:
    """Claim the rows whose ids (`key`) `due` selects (with its order and limit) by setting `values`
    on them in one UPDATE, and return them in `order`. On PostgreSQL the ids are locked with
    SKIP LOCKED, so two processes claiming at once never take the same row; SQLite has one writer
    at a time (BEGIN IMMEDIATE)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = await session.exec(update(model).where(key.in_(due.scalar_subquery())).values(**values).returning(key))
    ids = list(claimed.scalars().all())
    if not ids:
        return []
    return list((await session.exec(select(model).where(key.in_(ids)).order_by(order))).all())
