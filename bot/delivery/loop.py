"""The delivery loop: every REMINDER_POLL_SECONDS, the process holding the `dispatcher` worker
lease plans the morning briefs (every few minutes), sends the reminders that are due, then the group
summaries. The lease is renewed while a long delivery runs and taken over within three polls when
its holder dies, so two processes on one database still keep one Telegram budget."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.db import Scope
from bot.delivery import App, retention
from bot.delivery import reminders as reminder_delivery
from bot.delivery import summaries as summary_delivery
from bot.services import leases
from bot.state import state_of
from models.base import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "dispatcher"
LEASE_POLLS = 3  # the lease outlives three polls: a dead holder is replaced within a minute
PLAN_EVERY = timedelta(minutes=5)


def worker_id(app: App) -> str:
    """Who claims rows and holds the lease: this process (tests may run several in one)."""
    return state_of(app).worker_id


def _ttl(app: App) -> timedelta:
    return timedelta(seconds=LEASE_POLLS * max(1, state_of(app).settings.reminder_poll_seconds))


async def holds_lease(app: App, now: datetime | None = None) -> bool:
    """Take or renew the lease; False when another process holds it."""
    async with state_of(app).db.begin(Scope.system()) as session:
        return await leases.hold(session, LEASE_NAME, owner=worker_id(app), now=now or utcnow(), ttl=_ttl(app))


async def tick(app: App) -> int:
    """One poll: if this process holds the lease, plan the morning briefs (every few minutes) and
    send what is due. Returns how many messages went out."""
    now = utcnow()
    if not await holds_lease(app, now):
        return 0
    dispatcher = state_of(app).dispatcher
    if dispatcher.planned_at is None or now - dispatcher.planned_at >= PLAN_EVERY:
        await reminder_delivery.plan(app, now)
        dispatcher.planned_at = now
        await retention.run_due(app, now)  # each team once a day; erasures and week-ahead notices
    dispatcher.lease_lost = False
    keeper = asyncio.create_task(_keep_lease(app))
    try:
        count = await reminder_delivery.deliver_due(app)
        if not dispatcher.retry_after and not dispatcher.lease_lost:
            count += await summary_delivery.deliver_due(app, worker_id(app))
        return count
    finally:
        keeper.cancel()


async def _keep_lease(app: App) -> None:
    """Renew the lease while a long delivery runs; if another process has it, stop sending."""
    every = _ttl(app).total_seconds() / 3
    while True:
        await asyncio.sleep(every)
        if not await holds_lease(app):
            state_of(app).dispatcher.lease_lost = True
            return


async def run(app: App) -> None:
    """Poll every REMINDER_POLL_SECONDS (default 20): a reminder goes out within a minute of its time."""
    interval = state_of(app).settings.reminder_poll_seconds
    dispatcher = state_of(app).dispatcher
    try:
        while True:
            try:
                count = await tick(app)
                if count:
                    log.info("sent %d reminder(s)", count)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reminder delivery failed; trying again at the next poll")
            pause, dispatcher.retry_after = dispatcher.retry_after, 0.0
            if pause:
                log.warning("Telegram asked to slow down: pausing reminders for %.0f s", pause)
            await asyncio.sleep(max(interval, pause))
    finally:
        await _release(app)


async def _release(app: App) -> None:
    try:
        async with state_of(app).db.begin(Scope.system()) as session:
            await leases.release(session, LEASE_NAME, owner=worker_id(app), now=utcnow())
    except Exception:  # shutting down: the lease lapses by itself
        log.debug("could not release the dispatcher lease", exc_info=True)
