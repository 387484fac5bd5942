"""Reminders and morning briefs: claim what is due, write each message, send it, record it.

Rows are claimed in batches with a lease of their own, then sent chats in parallel (each chat one
message a second), and each is marked sent with its message id as soon as Telegram accepted it.
A 429 puts the rest of the batch back and pauses the loop; a send that timed out is not repeated
(it may have arrived); a rep who blocked the bot is marked inactive, their reminder failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from telegram import InlineKeyboardMarkup, Message
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot import metrics
from bot.db import Scope
from bot.delivery import App
from bot.presentation import reminders as view
from bot.presentation.fitting import fit
from bot.services import nudges, reminders
from bot.services import team as team_members
from bot.state import state_of
from models import Member, Reminder, ReminderKind, Team
from models.base import utcnow

log = logging.getLogger(__name__)

BATCH = 60
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to the same chat
# Sends waiting for the rate limiter at once: bulk delivery keeps the 30/s budget busy, yet a reply
# to a rep waits behind at most this many messages (a third of a second).
IN_FLIGHT = 10


@dataclass
class Outgoing:
    reminder: Reminder
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    late: bool
    told: nudges.Brief | None = None


@dataclass
class Batch:
    sent: int = 0
    retry_after: float = 0.0
    skipped: list[int] = field(default_factory=list)


def _id(reminder: Reminder) -> int:
    if reminder.id is None:
        raise ValueError("an unsaved reminder")
    return reminder.id


async def plan(app: App, now: datetime | None = None) -> int:
    """Plan tomorrow's morning briefs (one row per member and day); how many rows are new."""
    async with state_of(app).db.begin(Scope.system()) as session:
        return await nudges.plan_briefs(session, now=now or utcnow())


async def _message(
    app: App, reminder: Reminder, ctx: reminders.Context, member: Member, team: Team, now: datetime
) -> Outgoing | None:
    """The message for a claimed row; None for a morning brief with nothing to say."""
    state = state_of(app)
    t = state.catalogs.get(member.language)
    zone = member.timezone or team.timezone or state.settings.default_timezone
    late = now - reminder.due_at > reminders.LATE_AFTER
    if reminder.kind is ReminderKind.DIGEST:
        async with state.db.read(Scope.of(member)) as session:
            told = await nudges.brief(session, member, team, now=now, zone=zone)
        if told.empty:
            return None
        text = view.brief_text(t, told, zone=zone, now=now)
        return Outgoing(reminder, member.telegram_user_id, text, view.brief_buttons(told), late, told)
    lead_id = ctx.lead.id if ctx.lead is not None else None
    markup = view.reminder_buttons(t, _id(reminder), lead_id)
    text = view.reminder_text(t, reminder, ctx.lead, ctx.note, zone, late)
    return Outgoing(reminder, member.telegram_user_id, text, markup, late)


async def _send(app: App, out: Outgoing, batch: Batch) -> None:
    db = state_of(app).db
    reminder = out.reminder
    if batch.retry_after:
        batch.skipped.append(_id(reminder))
        return
    try:
        message: Message = await app.bot.send_message(out.chat_id, fit(out.text), reply_markup=out.markup)
    except Forbidden as exc:
        metrics.REMINDERS.labels("failed").inc()
        async with db.begin(Scope.system()) as session:
            await reminders.mark_failed(session, reminder, now=utcnow(), error=str(exc), blocked=True)
        return
    except RetryAfter as exc:
        # Not delivered (Telegram refused it): put it back and pause all bulk sending.
        batch.retry_after = max(batch.retry_after, _seconds(exc))
        batch.skipped.append(_id(reminder))
        return
    except TimedOut as exc:
        if never_left(exc) and reminder.attempts < reminders.MAX_ATTEMPTS:
            # A connect or pool time-out: the request never reached Telegram. Send it again.
            batch.skipped.append(_id(reminder))
            return
        # A read or write time-out: it may have arrived, and Telegram has no idempotency key, so
        # it is never sent again blindly.
        metrics.REMINDERS.labels("unknown").inc()
        async with db.begin(Scope.system()) as session:
            await reminders.mark_sent(
                session, _id(reminder), now=utcnow(), chat_id=out.chat_id, message_id=None, late=out.late,
                note="timed out; delivery unknown",
            )  # fmt: skip
        return
    except NetworkError as exc:
        if reminder.attempts >= reminders.MAX_ATTEMPTS:
            metrics.REMINDERS.labels("failed").inc()
            async with db.begin(Scope.system()) as session:
                await reminders.mark_failed(session, reminder, now=utcnow(), error=str(exc), blocked=False)
        return  # otherwise the lease expires and a later poll tries again
    now = utcnow()
    async with db.begin(Scope.system()) as session:
        # The rep may have tapped Done or Snooze already: that answer stands (see mark_sent).
        await reminders.mark_sent(
            session, _id(reminder), now=now, chat_id=message.chat_id, message_id=message.message_id, late=out.late
        )
        if out.told is not None:
            await nudges.stamp(session, out.told, now=now)
    batch.sent += 1
    metrics.REMINDERS.labels("late" if out.late else "sent").inc()


def never_left(exc: TimedOut) -> bool:
    """Whether a time-out happened before the request reached Telegram (no connection, or no free
    connection in the pool): then it certainly did not arrive, and sending again is safe."""
    cause = exc.__cause__
    return isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout) or str(exc).startswith("Pool timeout")


def _seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)  # a timedelta; the public int attribute is deprecated
    if isinstance(value, timedelta):
        return value.total_seconds()
    retry_after = exc.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


async def _send_chat(app: App, queue: list[Outgoing], batch: Batch, slots: asyncio.Semaphore) -> None:
    for i, out in enumerate(queue):
        if i:
            await asyncio.sleep(PER_CHAT_INTERVAL)
        async with slots:
            await _send(app, out, batch)


async def deliver_batch(app: App, now: datetime | None = None) -> tuple[int, Batch]:
    """Claim up to BATCH due rows and send them, chats in parallel; returns (claimed, outcome)."""
    db = state_of(app).db
    now = now or utcnow()
    owner, lease = state_of(app).worker_id, claim_lease(app)
    async with db.begin(Scope.system()) as session:
        due = await reminders.claim_due(session, now=now, owner=owner, limit=BATCH, lease=lease)
        contexts = await reminders.contexts_of(session, due)
    metrics.REMINDERS.labels("due").inc(len(due))
    by_chat: dict[int, list[Outgoing]] = defaultdict(list)
    inactive: list[Reminder] = []
    quiet: list[int] = []
    removed: list[int] = []
    for reminder in due:
        ctx = contexts[_id(reminder)]
        member, team = ctx.member, ctx.team
        if member is None or team is None:
            continue  # gone with its team (the row goes with it)
        if member.is_removed:  # nothing more is sent to a removed member
            removed.append(_id(reminder))
            continue
        if not member.is_active:
            inactive.append(reminder)
            continue
        out = await _message(app, reminder, ctx, member, team, now)
        if out is None:
            quiet.append(_id(reminder))
        else:
            by_chat[out.chat_id].append(out)
    if inactive or quiet or removed:  # closed without a message, before anything is sent
        async with db.begin(Scope.system()) as session:
            await team_members.cancel_for_removed(session, removed, now=now)
            for reminder in inactive:
                await reminders.mark_failed(session, reminder, now=now, error="member inactive", blocked=False)
            await reminders.close_quietly(session, quiet, now=now)
    batch = Batch()
    slots = asyncio.Semaphore(IN_FLIGHT)
    in_hand = [_id(out.reminder) for queue in by_chat.values() for out in queue]
    finished = asyncio.Event()
    keeper = asyncio.create_task(_keep_claims(app, in_hand, lease, finished))
    try:
        await asyncio.gather(*(_send_chat(app, queue, batch, slots) for queue in by_chat.values()))
    finally:
        finished.set()
        await keeper
    if batch.skipped:
        async with db.begin(Scope.system()) as session:
            await reminders.release(session, batch.skipped, now=utcnow())
    return len(due), batch


def claim_lease(app: App) -> timedelta:
    """How long claimed rows stay claimed without renewal: two polls. Rows a dead process had
    claimed are taken again by the next poll after that."""
    return timedelta(seconds=2 * max(1, state_of(app).settings.reminder_poll_seconds))


async def _keep_claims(app: App, ids: list[int], lease: timedelta, finished: asyncio.Event) -> None:
    """Renew the claim on the rows in hand every third of the lease until the batch is done."""
    db, owner = state_of(app).db, state_of(app).worker_id
    while True:
        try:
            await asyncio.wait_for(finished.wait(), lease.total_seconds() / 3)
            return
        except TimeoutError:
            pass
        try:
            async with db.begin(Scope.system()) as session:
                await reminders.renew(session, ids, owner=owner, until=utcnow() + lease)
        except Exception:  # the lease lapses; at worst a row is sent once more (never lost)
            log.warning("could not renew the claim on reminders in hand", exc_info=True)


async def deliver_due(app: App, now: datetime | None = None) -> int:
    """Send everything due now, batch after batch; returns how many were sent. Stops early on a
    429 (leaving the pause to the loop, in `state_of(app).dispatcher.retry_after`) and when this
    process lost the dispatcher lease (`state_of(app).dispatcher.lease_lost`)."""
    sent = 0
    dispatcher = state_of(app).dispatcher
    while not dispatcher.lease_lost:
        claimed, batch = await deliver_batch(app, now)
        sent += batch.sent
        if batch.retry_after:
            dispatcher.retry_after = batch.retry_after
            return sent
        if claimed < BATCH:
            break
    return sent
