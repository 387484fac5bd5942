"""Parking a record: a reason, a follow-up time in plain words, shown back for confirmation; only
the confirmation saves (the record parked, its follow-up reminder)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.domain.dates import Ambiguous, OutOfBounds, read_when, within_bounds
from bot.flows import RecordFlow, RecordStep
from bot.presentation import records as view
from bot.presentation.moments import out_of_bounds
from bot.presentation.replies import edit, message_text, reply, zone_first
from bot.services import flows, leads
from models import ParkReason
from models.base import utcnow
from models.errors import Reply, StaleButton

REASONS = tuple(reason.value for reason in ParkReason)


async def park_button(update: Update, context: BotContext) -> None:
    """⏸ Park on a record's card: pick the reason."""
    lead_id = callbacks.button(update).id(0)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, *view.park_reasons(context.t, lead_id))


async def reason_button(update: Update, context: BotContext) -> None:
    """A reason picked: ask until when (the record stays open, its text is now the date)."""
    data = callbacks.button(update)
    lead_id, reason = data.id(0), ParkReason(data.choice(1, REASONS))
    if await zone_first(update, context) is not None:  # the follow-up date needs the rep's real time zone
        return
    query = update.callback_query
    message = query.message if query is not None else None
    async with context.write() as session:
        await leads.get_visible(session, lead_id)
        await flows.begin(
            session,
            context.me,
            RecordFlow(
                step=RecordStep.PARK,
                lead=lead_id,
                reason=reason,
                chat_id=message.chat.id if message is not None else None,
                message_id=message.message_id if message is not None else None,
            ),
        )
    if query is not None:
        await query.answer()
        await edit(query, view.park_until_question(context.t))


async def on_date_text(update: Update, context: BotContext) -> None:
    """The follow-up time in plain words; shown back before anything is saved."""
    t = context.t
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, RecordFlow)
    if flow is None or flow.reason is None:
        raise StaleButton()
    when = await asyncio.to_thread(
        read_when, message_text(update), language=context.me.language, zone=context.tz(), now=utcnow()
    )
    if when is None:
        raise Reply(t("I could not read that as a date. ") + view.park_until_question(t))
    if isinstance(when, OutOfBounds):
        raise Reply(out_of_bounds(t, when) + " " + view.park_until_question(t))
    if isinstance(when, Ambiguous):
        await reply(update, *view.park_options(t, flow.lead, flow.reason, when.options, context.tz()))
        return
    if when.past:
        raise Reply(t("That is in the past. ") + view.park_until_question(t))
    await reply(update, *view.park_confirm(t, flow.lead, flow.reason, when.at, context.tz(), when.part))


async def confirm_button(update: Update, context: BotContext) -> None:
    """✅ Park until then: the record is parked and its follow-up set, once."""
    data = callbacks.button(update)
    lead_id, reason, stamp = data.id(0), ParkReason(data.choice(1, REASONS)), data.id(2)
    try:
        until = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise StaleButton() from exc
    if not within_bounds(until, utcnow()):
        raise StaleButton()  # no date the reader gives is so far off: a forged button
    async with context.write() as session:
        lead = await leads.get_visible(session, lead_id)
        await leads.park(session, lead, reason, until, by=context.me, now=utcnow())
        await flows.begin(session, context.me, RecordFlow(lead=lead_id))
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, view.parked(context.t, until, context.tz()))
