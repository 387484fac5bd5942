"""Worker leases: one bot process at a time runs a background job.

`hold` takes the lease when it is free or lapsed and renews it for its holder, atomically (an
UPDATE guarded by owner/expiry, or an INSERT that loses to a concurrent one), so two processes
sharing a database never both believe they hold it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from models import WorkerLease


async def hold(session: AsyncSession, name: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name` for `owner` until now + ttl; False when another holds it."""
    renewed = await session.exec(
        update(WorkerLease)
        .where(
            WorkerLease.name == name,
            or_(WorkerLease.owner == owner, WorkerLease.expires_at < now),  # type: ignore[arg-type]
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
        update(WorkerLease).where(WorkerLease.name == name, WorkerLease.owner == owner).values(expires_at=now)
    )
