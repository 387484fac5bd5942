"""Delivers due reminders and morning briefs: a loop in the bot process, started after start-up
(so what fell due while the bot was down goes out at once, marked late) and stopped before shutdown.

Only the process holding the "dispatcher" worker lease plans and sends, so two processes sharing a
database keep to one Telegram budget (30 messages a second overall; about one a second per chat,
kept here by spacing messages to the same chat). Rows are claimed with a lease of their own, sent,
then marked with the message id: a timed-out send is never repeated blindly, a 429 puts the row
back and pauses for `retry_after`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot import callbacks
from bot.db import Database, Scope
from bot.i18n import Catalogs, Translator
from bot.presentation import keyboards
from bot.services import leases, nudges, reminders
from bot.state import state_of
from models import Activity, Lead, ParkReason, Reminder, ReminderKind
from models.base import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "dispatcher"
LEASE_POLLS = 3  # the lease outlives three polls: a dead holder is replaced within a minute
BATCH = 60
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to the same chat
# Sends waiting for the rate limiter at once: bulk delivery keeps the 30/s budget busy, yet a reply
# to a rep waits behind at most this many messages (a third of a second).
IN_FLIGHT = 10
PLAN_EVERY = timedelta(minutes=5)
OPEN_BUTTONS = 8


def worker_id(app: Any) -> str:
    """Who claims rows and holds the lease: this process (tests may run several in one)."""
    return state_of(app).worker_id


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


def _stage(t: Translator, lead: Lead) -> str:
    from bot.presentation.labels import stage_name

    return stage_name(t, lead.stage)


def _who(t: Translator, lead: Lead) -> str:
    from bot.presentation.labels import who

    return who(t, lead)


def render(t: Translator, reminder: Reminder, lead: Lead | None, note: Activity | None, zone: str, late: bool) -> str:
    """A follow-up or a reminder the rep set: who, which company, the stage, why, the last note."""
    from bot.presentation.labels import PARK_REASONS as REASONS

    if reminder.kind is ReminderKind.CUSTOM:
        lines = [t("⏰ <b>Reminder</b>: {text}", text=reminder.reason or "")]
    else:
        lines = [t("⏰ <b>Follow-up due</b>")]
    if lead is not None:
        lines.append(
            t(
                "{name} ({company}), stage: {stage}",
                name=lead.full_name or "–",
                company=lead.company or "–",
                stage=_stage(t, lead),
            )
        )
    if reminder.kind is not ReminderKind.CUSTOM and reminder.reason in {r.value for r in ParkReason}:
        lines.append(t("Parked because: {reason}", reason=t(REASONS[ParkReason(reminder.reason)])))
    if note is not None:
        lines.append(t("Last note: {note}", note=note.text[:300]))
    if late:
        lines.append(
            t("(It was due {date}; I could not send it then.)", date=t.datetime(reminder.due_at, zone, "short"))
        )
    return "\n".join(lines)


def render_brief(t: Translator, told: nudges.Brief, *, zone: str, now: datetime) -> str:
    """The morning brief, one section per kind of nudge."""
    lines = [t("☀️ <b>Good morning! Your day</b>")]

    def more(section: nudges.Section) -> None:
        if section.more:
            lines.append(t.plural("…and {n} more", "…and {n} more", section.more))

    def quiet_days(lead: Lead) -> int:
        since = lead.last_activity_at or lead.created_at
        return max(0, (now - since).days)

    if told.today:
        lines += ["", t("<b>Follow-ups today</b>")]
        for reminder, lead in told.today:
            what = _who(t, lead) if lead is not None else (reminder.reason or t("Reminder"))
            lines.append(t("• {time} {what}", time=t.time(reminder.due_at, zone), what=what))
    if told.overdue:
        lines += ["", t("<b>Overdue</b>")]
        for reminder, lead in told.overdue:
            what = _who(t, lead) if lead is not None else (reminder.reason or t("Reminder"))
            lines.append(t("• {date}: {what}", date=t.datetime(reminder.due_at, zone, "short"), what=what))
    if told.stalled:
        lines += ["", t("<b>Gone quiet</b> (no activity for a while)")]
        for lead in told.stalled.items:
            days, who, stage = quiet_days(lead), _who(t, lead), _stage(t, lead)
            lines.append(
                t.plural(
                    "• {who}, {stage}, quiet for {n} day", "• {who}, {stage}, quiet for {n} days", days,
                    who=who, stage=stage,
                )
            )  # fmt: skip
        more(told.stalled)
    if told.escalated:
        lines += ["", t("<b>Still quiet after a reminder</b> (your team)")]
        for lead in told.escalated.items:
            days, who, stage = quiet_days(lead), _who(t, lead), _stage(t, lead)
            rep = told.owners.get(lead.owner_id, "–")
            lines.append(
                t.plural(
                    "• {who}, {stage}, quiet for {n} day, rep: {rep}",
                    "• {who}, {stage}, quiet for {n} days, rep: {rep}",
                    days, who=who, stage=stage, rep=rep,
                )
            )  # fmt: skip
        more(told.escalated)
    if told.past_close:
        lines += ["", t("<b>Past their expected close date</b>")]
        for lead in told.past_close.items:
            assert lead.expected_close_date is not None
            lines.append(t("• {who}, close date {date}", who=_who(t, lead), date=t.date(lead.expected_close_date)))
        more(told.past_close)
    if told.birthdays:
        lines += ["", t("<b>Birthdays tomorrow</b> 🎂")]
        lines += [t("• {who}", who=_who(t, lead)) for lead in told.birthdays.items]
        more(told.birthdays)
    return "\n".join(lines)


def brief_buttons(told: nudges.Brief) -> InlineKeyboardMarkup | None:
    """An Open button per record named (the first few), two to a row."""
    buttons = [
        InlineKeyboardButton(
            (lead.full_name or lead.company or "–")[:40], callback_data=callbacks.encode("rec", lead.id)
        )  # fmt: skip
        for lead in told.leads()[:OPEN_BUTTONS]
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def plan(app: Any, now: datetime | None = None) -> int:
    db: Database = state_of(app).db
    async with db.begin(Scope.system()) as session:
        return await nudges.plan_briefs(session, now=now or utcnow())


async def _prepare(app: Any, reminder: Reminder, ctx: reminders.Context, now: datetime) -> Outgoing | None:
    """The message for a claimed row; None when there is nothing to send (the row is then closed)."""
    db: Database = state_of(app).db
    catalogs: Catalogs = state_of(app).catalogs
    member, team = ctx.member, ctx.team
    if member is None or team is None:
        return None
    if not member.is_active:
        async with db.begin(Scope.system()) as session:
            await reminders.mark_failed(session, reminder, now=now, error="member inactive", blocked=False)
        return None
    t = catalogs.get(member.language)
    zone = member.timezone or team.timezone or state_of(app).settings.default_timezone
    late = now - reminder.due_at > reminders.LATE_AFTER
    if reminder.kind is ReminderKind.DIGEST:
        async with db.begin(Scope.of(member)) as session:
            told = await nudges.brief(session, member, team, now=now, zone=zone)
        if told.empty:
            async with db.begin(Scope.system()) as session:
                await reminders.close_quietly(session, reminder.id, now=now)  # type: ignore[arg-type]
            return None
        text = render_brief(t, told, zone=zone, now=now)
        return Outgoing(reminder, member.telegram_user_id, text, brief_buttons(told), late, told)
    lead_id = ctx.lead.id if ctx.lead is not None else None
    markup = keyboards.reminder(t, reminder.id, lead_id)  # type: ignore[arg-type]
    text = render(t, reminder, ctx.lead, ctx.note, zone, late)
    return Outgoing(reminder, member.telegram_user_id, text, markup, late)


async def _send(app: Any, out: Outgoing, batch: Batch) -> None:
    db: Database = state_of(app).db
    reminder = out.reminder
    if batch.retry_after:
        batch.skipped.append(reminder.id)  # type: ignore[arg-type]
        return
    try:
        message: Message = await app.bot.send_message(out.chat_id, out.text, reply_markup=out.markup)
    except Forbidden as exc:
        async with db.begin(Scope.system()) as session:
            await reminders.mark_failed(session, reminder, now=utcnow(), error=str(exc), blocked=True)
        return
    except RetryAfter as exc:
        # Not delivered (Telegram refused it): put it back and pause all bulk sending.
        batch.retry_after = max(batch.retry_after, _seconds(exc))
        batch.skipped.append(reminder.id)  # type: ignore[arg-type]
        return
    except TimedOut:
        # It may have arrived: Telegram has no idempotency key, so never send it again blindly.
        async with db.begin(Scope.system()) as session:
            await reminders.mark_sent(
                session, reminder.id, now=utcnow(), chat_id=out.chat_id, message_id=None, late=out.late,
                note="timed out; delivery unknown",
            )  # fmt: skip
        return
    except NetworkError as exc:
        if reminder.attempts >= reminders.MAX_ATTEMPTS:
            async with db.begin(Scope.system()) as session:
                await reminders.mark_failed(session, reminder, now=utcnow(), error=str(exc), blocked=False)
        return  # otherwise the lease expires and a later poll tries again
    now = utcnow()
    async with db.begin(Scope.system()) as session:
        await reminders.mark_sent(
            session, reminder.id, now=now, chat_id=message.chat_id, message_id=message.message_id, late=out.late
        )
        if out.told is not None:
            await nudges.stamp(session, out.told, now=now)
    batch.sent += 1


def _seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)  # a timedelta; the public int attribute is deprecated
    return value.total_seconds() if isinstance(value, timedelta) else float(exc.retry_after)  # type: ignore[arg-type]


async def _send_chat(app: Any, queue: list[Outgoing], batch: Batch, slots: asyncio.Semaphore) -> None:
    for i, out in enumerate(queue):
        if i:
            await asyncio.sleep(PER_CHAT_INTERVAL)
        async with slots:
            await _send(app, out, batch)


async def deliver_batch(app: Any, now: datetime | None = None) -> tuple[int, Batch]:
    """Claim up to BATCH due rows and send them, chats in parallel; returns (claimed, outcome)."""
    db: Database = state_of(app).db
    now = now or utcnow()
    async with db.begin(Scope.system()) as session:
        due = await reminders.claim_due(session, now=now, owner=worker_id(app), limit=BATCH)
        contexts = await reminders.contexts_of(session, due)
    batch = Batch()
    by_chat: dict[int, list[Outgoing]] = defaultdict(list)
    for reminder in due:
        out = await _prepare(app, reminder, contexts[reminder.id], now)  # type: ignore[index]
        if out is not None:
            by_chat[out.chat_id].append(out)
    slots = asyncio.Semaphore(IN_FLIGHT)
    await asyncio.gather(*(_send_chat(app, queue, batch, slots) for queue in by_chat.values()))
    if batch.skipped:
        async with db.begin(Scope.system()) as session:
            await reminders.release(session, batch.skipped, now=utcnow())
    return len(due), batch


async def deliver_due(app: Any, now: datetime | None = None) -> int:
    """Send everything due now, batch after batch; returns how many were sent. Stops early on a
    429 (leaving the pause to the caller in the dispatcher state) and when this process
    lost the dispatcher lease (`state_of(app).dispatcher.lease_lost`)."""
    sent = 0
    while not state_of(app).dispatcher.lease_lost:
        claimed, batch = await deliver_batch(app, now)
        sent += batch.sent
        if batch.retry_after:
            state_of(app).dispatcher.retry_after = batch.retry_after
            return sent
        if claimed < BATCH:
            break
    return sent


async def holds_lease(app: Any, now: datetime | None = None) -> bool:
    db: Database = state_of(app).db
    ttl = timedelta(seconds=LEASE_POLLS * max(1, state_of(app).settings.reminder_poll_seconds))
    async with db.begin(Scope.system()) as session:
        return await leases.hold(session, LEASE_NAME, owner=worker_id(app), now=now or utcnow(), ttl=ttl)


async def tick(app: Any) -> int:
    """One poll: if this process holds the lease, plan the morning briefs (every few minutes) and
    send what is due. Returns how many messages went out."""
    now = utcnow()
    if not await holds_lease(app, now):
        return 0
    last = state_of(app).dispatcher.planned_at
    if last is None or now - last >= PLAN_EVERY:
        await plan(app, now)
        state_of(app).dispatcher.planned_at = now
    state_of(app).dispatcher.lease_lost = False
    keeper = asyncio.create_task(_keep_lease(app))
    try:
        count = await deliver_due(app)
        if not state_of(app).dispatcher.retry_after and not state_of(app).dispatcher.lease_lost:
            from handlers.groups import deliver_due as deliver_summaries

            count += await deliver_summaries(app, worker_id(app))
        return count
    finally:
        keeper.cancel()


async def _keep_lease(app: Any) -> None:
    """Renew the lease while a long delivery runs; if another process has it, stop sending."""
    every = LEASE_POLLS * max(1, state_of(app).settings.reminder_poll_seconds) / 3
    while True:
        await asyncio.sleep(every)
        if not await holds_lease(app):
            state_of(app).dispatcher.lease_lost = True
            return


async def run(app: Any) -> None:
    """Poll every REMINDER_POLL_SECONDS (default 20): a reminder goes out within a minute of its time."""
    interval = state_of(app).settings.reminder_poll_seconds
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
            pause, state_of(app).dispatcher.retry_after = state_of(app).dispatcher.retry_after, 0.0
            if pause:
                log.warning("Telegram asked to slow down: pausing reminders for %.0f s", pause)
            await asyncio.sleep(max(interval, pause))
    finally:
        await _release(app)


async def _release(app: Any) -> None:
    db: Database = state_of(app).db
    try:
        async with db.begin(Scope.system()) as session:
            await leases.release(session, LEASE_NAME, owner=worker_id(app), now=utcnow())
    except Exception:  # shutting down: the lease lapses by itself
        log.debug("could not release the dispatcher lease", exc_info=True)
