"""The buttons of a reminder: Done (logs the follow-up) and Snooze (1 hour, tomorrow 9:00, next week)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update

from bot import callbacks
from bot.callbacks import Callback
from bot.context import BotContext
from bot.domain.calendar import follow_up_event
from bot.presentation.records import card_buttons
from bot.services import reminders
from handlers.common import edit
from models import Reminder, ReminderStatus
from models.base import utcnow

SNOOZES = ("1h", "tomorrow", "week", "words")


def snooze_until(choice: str, now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        return datetime.combine(local.date() + timedelta(days=1), time(9), ZoneInfo(zone))
    monday = local.date() + timedelta(days=7 - local.weekday())
    return datetime.combine(monday, time(9), ZoneInfo(zone))


async def _load(update: Update, context: BotContext) -> tuple[Reminder | None, Callback | None]:
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    reminder_id = data.int_arg(0) if data else None
    if reminder_id is None:
        return None, data
    async with context.db.begin(context.scope) as session:
        reminder = await reminders.get_own(session, reminder_id)
    return reminder, data


async def done_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    reminder, _ = await _load(update, context)
    if reminder is None or reminder.status is not ReminderStatus.SENT:
        await query.answer(context.t("This reminder was already handled."), show_alert=True)
        return
    async with context.db.begin(context.scope) as session:
        await reminders.done(session, reminder, by=context.member, now=utcnow())
    await query.answer()
    markup = None
    if reminder.lead_id is not None:
        # What happened next: the record's own buttons (advance, park again, close, note).
        async with context.db.begin(context.scope) as session:
            _, lead, _ = await reminders.context_of(session, reminder)
        if lead is not None:
            markup = card_buttons(context.t, lead)
    await edit(
        query,
        context.t("✅ Follow-up done and noted. What happens next? Advance, park again or close it here."),
        markup,
    )


async def snooze_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    reminder, data = await _load(update, context)
    choice = data.arg(1) if data else ""
    if reminder is None or reminder.status is not ReminderStatus.SENT or choice not in SNOOZES:
        await query.answer(context.t("This reminder was already handled."), show_alert=True)
        return
    if choice == "words":
        from handlers.remind import snooze_words

        await query.answer()
        await snooze_words(update, context, reminder.id)  # type: ignore[arg-type]
        return
    now = utcnow()
    until = snooze_until(choice, now, context.tz())
    async with context.db.begin(context.scope) as session:
        await reminders.snooze(session, reminder, until=until, now=now)
    await query.answer()
    await edit(query, context.t("⏰ Snoozed until {date}.", date=context.t.datetime(until, context.tz(), "short")))


async def calendar_button(update: Update, context: BotContext) -> None:
    """📅 Add to calendar: an .ics file for the next follow-up on this record."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    reminder, _ = await _load(update, context)
    if reminder is None:
        await query.answer(context.t("This reminder was already handled."), show_alert=True)
        return
    async with context.db.begin(context.scope) as session:
        _, lead, _ = await reminders.context_of(session, reminder)
    t = context.t
    name = " · ".join(p for p in ((lead.full_name, lead.company) if lead else ()) if p) or t("Follow-up")
    start = max(reminder.due_at, utcnow() + timedelta(hours=1))
    data = follow_up_event(
        uid=f"salesbot-reminder-{reminder.id}",
        title=t("Follow up: {name}", name=name),
        description=t("A follow-up from your sales assistant."),
        start=start,
    )
    await query.answer()
    await update.effective_chat.send_document(
        data, filename="follow-up.ics", caption=t("Open it to add the follow-up to your calendar.")
    )
