"""Delivers due reminders: a loop in the bot process, started after start-up (so reminders that
fell due while the bot was down go out at once, marked late) and stopped before shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot import keyboards
from bot.db import Database, Scope
from bot.i18n import Catalogs, Translator
from bot.services import reminders
from models import Activity, Lead, Reminder
from models.base import utcnow

log = logging.getLogger(__name__)


OWNER = f"{socket.gethostname()}:{os.getpid()}"


def render(t: Translator, reminder: Reminder, lead: Lead | None, note: Activity | None, zone: str, late: bool) -> str:
    from handlers.park import REASONS
    from handlers.records import stage_name
    from models import ParkReason

    lines = [t("⏰ <b>Follow-up due</b>")]
    if lead is not None:
        lines.append(
            t(
                "{name} ({company}), stage: {stage}",
                name=lead.full_name or "–",
                company=lead.company or "–",
                stage=stage_name(t, lead.stage),
            )
        )
    if reminder.reason in {r.value for r in ParkReason}:
        lines.append(t("Parked because: {reason}", reason=t(REASONS[ParkReason(reminder.reason)])))
    if note is not None:
        lines.append(t("Last note: {note}", note=note.text[:300]))
    if late:
        lines.append(
            t("(It was due {date}; I could not send it then.)", date=t.datetime(reminder.due_at, zone, "short"))
        )
    return "\n".join(lines)


async def deliver_due(app: Any) -> int:
    """Send every due reminder once; returns how many were sent."""
    db: Database = app.bot_data["db"]
    catalogs: Catalogs = app.bot_data["catalogs"]
    default_zone = app.bot_data["settings"].default_timezone
    now = utcnow()
    async with db.begin(Scope.system()) as session:
        due = await reminders.claim_due(session, now=now, owner=OWNER)
    sent = 0
    for reminder in due:
        async with db.begin(Scope.system()) as session:
            member, lead, note = await reminders.context_of(session, reminder)
        if member is None:
            continue
        t = catalogs.get(member.language)
        zone = member.timezone or default_zone
        late = now - reminder.due_at > reminders.LATE_AFTER
        markup = keyboards.reminder(t, reminder.id, lead.id if lead is not None else None)  # type: ignore[arg-type]
        try:
            message = await app.bot.send_message(
                member.telegram_user_id, render(t, reminder, lead, note, zone, late), reply_markup=markup
            )
        except Forbidden as exc:
            async with db.begin(Scope.system()) as session:
                await reminders.mark_failed(session, reminder, now=utcnow(), error=str(exc), blocked=True)
            continue
        except TimedOut:
            # It may have arrived: Telegram has no idempotency key, so never send it again blindly.
            async with db.begin(Scope.system()) as session:
                await reminders.mark_sent(
                    session,
                    reminder.id,
                    now=utcnow(),
                    chat_id=member.telegram_user_id,  # type: ignore[arg-type]
                    message_id=None,
                    late=late,
                    note="timed out; delivery unknown",
                )
            continue
        except (RetryAfter, NetworkError) as exc:
            if reminder.attempts >= reminders.MAX_ATTEMPTS:
                async with db.begin(Scope.system()) as session:
                    await reminders.mark_failed(session, reminder, now=utcnow(), error=str(exc), blocked=False)
            continue  # otherwise the lease expires and the next poll tries again
        async with db.begin(Scope.system()) as session:
            await reminders.mark_sent(
                session,
                reminder.id,
                now=utcnow(),
                chat_id=message.chat_id,  # type: ignore[arg-type]
                message_id=message.message_id,
                late=late,
            )
        sent += 1
    return sent


async def run(app: Any) -> None:
    """Poll every REMINDER_POLL_SECONDS (default 20): a reminder goes out within a minute of its time."""
    interval = app.bot_data["settings"].reminder_poll_seconds
    while True:
        try:
            count = await deliver_due(app)
            if count:
                log.info("sent %d reminder(s)", count)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reminder delivery failed; trying again at the next poll")
        await asyncio.sleep(interval)
