"""Reminders in Telegram: setting one in words (/remind, ⏰ Remind me on a record's card) and the
buttons of a reminder (Done, Snooze: 1 hour, tomorrow 9:00, next week, or ⏰ Other time… in words;
Add to calendar).

Every date is shown back as a concrete moment and saved only when the rep confirms it. Done and
Snooze change the reminder only while it is open (the service says so in its UPDATE); otherwise
the answer is "This reminder was already handled."
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.domain import reminding
from bot.domain.dates import Ambiguous, OutOfBounds, When, within_bounds
from bot.domain.dates import Reading as Moment
from bot.flows import FlowData, RemindFlow, RemindStep, ZoneFlow
from bot.presentation import reminders as view
from bot.presentation.moments import out_of_bounds
from bot.presentation.records import card_buttons
from bot.presentation.replies import drop_keyboard, edit, edit_message, message_text, reply, zone_first
from bot.services import flows, leads, reminders
from bot.services.reminders import AlreadyHandled
from models import Lead
from models.base import utcnow
from models.errors import StaleButton

log = logging.getLogger(__name__)

MATCHES = 6  # records offered when several match the name
PROMPTS = (RemindStep.PICK, RemindStep.CONFIRM)  # the steps whose prompt has buttons


def _moment(stamp: int) -> datetime:
    """A moment a button carries (a UNIX time); one no calendar has, or one the date reader would
    never give (before 1900, more than ten years ahead), is a forged button."""
    try:
        moment = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        raise StaleButton() from None
    if not within_bounds(moment, utcnow()):
        raise StaleButton()
    return moment


def _query(update: Update) -> CallbackQuery:
    query = update.callback_query
    if query is None:
        raise StaleButton()
    return query


async def _drop_replaced(context: BotContext, previous: FlowData | None, current: FlowData) -> None:
    """After the commit: a /remind prompt replaced by a newer flow loses its buttons."""
    if isinstance(previous, RemindFlow) and previous.step in PROMPTS and previous.message_id != current.message_id:
        await drop_keyboard(context.bot, previous.chat_id, previous.message_id)


async def _open_flow(context: BotContext, nonce: str, step: RemindStep) -> RemindFlow:
    """The member's /remind flow at `step` whose prompt carries `nonce`; else the button is stale."""
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, RemindFlow)
    if flow is None or flow.step is not step or not nonce or flow.nonce != nonce or flow.at is None:
        raise StaleButton()
    return flow


# --- setting one in words ----------------------------------------------------------------------


async def remind_command(update: Update, context: BotContext) -> None:
    """/remind [name] <when> [what]."""
    text = " ".join(context.args or []).strip()
    asked = await zone_first(update, context, kept=bool(text) and len(text) <= reminding.MAX_TEXT)
    if asked is not None:
        if text and len(text) <= reminding.MAX_TEXT:  # kept: the reminder goes on once the zone is answered
            waiting = ZoneFlow(remind=text, chat_id=asked.chat_id, message_id=asked.message_id)
            async with context.write() as session:
                await flows.begin(session, context.me, waiting)
        return
    await remind_in_words(update, context, text)


async def remind_in_words(update: Update, context: BotContext, text: str) -> None:
    """The words after /remind (typed now, or kept while the time zone was asked)."""
    member, t = context.me, context.t
    if not text:
        await reply(update, view.tell_me(t))
        return
    if len(text) > reminding.MAX_TEXT:
        await reply(update, view.too_long(t))
        return
    options = await asyncio.to_thread(
        reminding.readings, text, language=member.language, zone=context.tz(), now=utcnow()
    )
    if not options:
        await reply(update, view.no_date(t))
        return
    chosen, matches = None, []
    async with context.read() as session:
        for option in options:
            if option.name:
                found = await leads.search(session, option.name, limit=MATCHES)
                matches = [lead for lead in found if reminding.names_record(option.name, lead.search_text)]
                if matches:
                    chosen = option
                    break
    if chosen is None:
        chosen = next((o for o in options if not o.name), None)
        if chosen is None:
            await reply(update, view.no_such_record(t, options[0].name))
            return
    await _propose(update, context, chosen.when, chosen.text, matches)


async def _propose(update: Update, context: BotContext, when: Moment, text: str, matches: Sequence[Lead]) -> None:
    """Show the moment back (with several matching records, ask which one first; with two
    readings, one button each), then remember the proposal with its prompt's message id."""
    t, zone = context.t, context.tz()
    if isinstance(when, OutOfBounds):
        await reply(update, out_of_bounds(t, when))
        return
    if isinstance(when, When) and when.past:
        await reply(update, view.already_passed(t, when.at, zone))
        return
    first = when.options[0] if isinstance(when, Ambiguous) else when
    flow = RemindFlow(
        step=RemindStep.PICK if len(matches) > 1 else RemindStep.CONFIRM,
        nonce=secrets.token_hex(3),
        at=first.at,
        part=first.part if isinstance(when, When) else None,
        options=[w.at for w in when.options] if isinstance(when, Ambiguous) else [],
        text=text,
        lead=matches[0].id if len(matches) == 1 else None,
    )
    if flow.step is RemindStep.PICK:
        prompt, markup = view.pick_record(t, flow.nonce, matches)
    else:
        prompt, markup = _confirmation(context, flow, matches[0] if matches else None)
    sent = await reply(update, prompt, markup)
    flow.chat_id, flow.message_id = sent.chat_id, sent.message_id
    async with context.write() as session:
        previous = await flows.begin(session, context.me, flow)
    await _drop_replaced(context, previous, flow)


def _confirmation(context: BotContext, flow: RemindFlow, lead: Lead | None) -> tuple[str, InlineKeyboardMarkup]:
    """The moment to confirm, or the readings to pick from."""
    zone = context.tz()
    if flow.options:
        options = [When(at=at, has_time=True, past=False) for at in flow.options]
        return view.confirm_options(context.t, flow.nonce, options, zone, flow.text, lead)
    if flow.at is None:
        raise StaleButton()
    return view.confirm(context.t, flow.nonce, flow.at, zone, flow.text, lead, flow.part)


async def record_button(update: Update, context: BotContext) -> None:
    """⏰ on a record's card: ask when, and what about."""
    query = _query(update)
    lead_id = callbacks.button(update).id(0)
    if await zone_first(update, context) is not None:
        return
    async with context.read() as session:
        lead = await leads.get_visible(session, lead_id)
    message = query.message
    flow = RemindFlow(
        step=RemindStep.WHAT,
        lead=lead_id,
        chat_id=message.chat.id if message is not None else None,
        message_id=message.message_id if message is not None else None,
    )
    async with context.write() as session:
        previous = await flows.begin(session, context.me, flow)
    await query.answer()
    await reply(update, view.ask_what(context.t, lead))
    await _drop_replaced(context, previous, flow)


async def pick_button(update: Update, context: BotContext) -> None:
    """One of several records that match the name: show the moment back for it."""
    query = _query(update)
    data = callbacks.button(update)
    nonce, lead_id = data.arg(0), data.id(1)
    flow = await _open_flow(context, nonce, RemindStep.PICK)
    async with context.read() as session:
        lead = await leads.get_visible(session, lead_id)
    flow.step, flow.lead = RemindStep.CONFIRM, lead_id
    async with context.write() as session:
        await flows.begin(session, context.me, flow)
    await query.answer()
    await edit(query, *_confirmation(context, flow, lead))


async def confirm_button(update: Update, context: BotContext) -> None:
    """✅ Set reminder (or one of two readings): saved now, for the moment shown."""
    query = _query(update)
    data = callbacks.button(update)
    flow = await _open_flow(context, data.arg(0), RemindStep.CONFIRM)
    at, part = flow.at, flow.part
    if flow.options:
        pick = data.int_arg(1)
        if pick is None or pick >= len(flow.options):
            raise StaleButton()
        at, part = flow.options[pick], None
    if at is None:
        raise StaleButton()
    async with context.write() as session:
        await reminders.create(session, context.me, at=at, text=flow.text, lead_id=flow.lead, now=utcnow())
        await flows.end(session, context.me)
    await query.answer()
    await edit(query, view.reminder_set(context.t, at, context.tz(), part))


async def cancel_button(update: Update, context: BotContext) -> None:
    """Cancel under a /remind prompt: nothing is saved."""
    query = _query(update)
    nonce = callbacks.button(update).arg(0)
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, RemindFlow)
    if flow is not None and nonce and flow.nonce == nonce:
        async with context.write() as session:
            await flows.end(session, context.me)
    await query.answer()
    await edit(query, view.no_reminder(context.t))


async def on_text(update: Update, context: BotContext) -> None:
    """The rep's words while setting a reminder (⏰ on a card) or snoozing one ("Other time…")."""
    t = context.t
    text = message_text(update).strip()
    async with context.read() as session:
        flow = await flows.current_of(session, context.me, RemindFlow)
    if flow is not None and flow.step is RemindStep.SNOOZE and flow.reminder is not None:
        when = await context.future_date(text, view.when_examples(t))
        if isinstance(when, Ambiguous):
            await reply(update, *view.snooze_options(t, flow.reminder, when.options, context.tz()))
        else:
            await reply(update, *view.confirm_snooze(t, flow.reminder, when.at, context.tz(), when.part))
        return
    if flow is None or flow.step is not RemindStep.WHAT or flow.lead is None:
        await reply(update, view.use_the_buttons(t))
        return
    if len(text) > reminding.MAX_TEXT:
        await reply(update, view.too_long(t))
        return
    hit = await asyncio.to_thread(
        reminding.when_and_text, text.split(), language=context.me.language, zone=context.tz(), now=utcnow()
    )
    if hit is None:
        await reply(update, view.no_date(t))
        return
    async with context.read() as session:
        lead = await leads.get_visible(session, flow.lead)
    await _propose(update, context, hit[0], hit[1], [lead])


# --- a reminder's buttons ----------------------------------------------------------------------


async def done_button(update: Update, context: BotContext) -> None:
    """✅ Done: the follow-up is logged on the record; the message then offers the record's moves."""
    query = _query(update)
    reminder_id = callbacks.button(update).id(0)
    async with context.write() as session:
        reminder = await reminders.done(session, reminder_id, by=context.me, now=utcnow())
        if reminder is None:
            raise AlreadyHandled()
        lead = await reminders.record_of(session, reminder)
    await query.answer()
    # What happened next: the record's own buttons (advance, park again, close, note).
    await edit(query, view.done_text(context.t), card_buttons(context.t, lead) if lead is not None else None)


async def snooze_button(update: Update, context: BotContext) -> None:
    """1 hour, Tomorrow 9:00, Next week; or ⏰ Other time…, which asks for a time in words."""
    query = _query(update)
    data = callbacks.button(update)
    reminder_id, choice = data.id(0), data.choice(1, (*reminding.SNOOZES, view.WORDS))
    if choice == view.WORDS:
        await _ask_snooze_time(update, context, query, reminder_id)
        return
    now = utcnow()
    until = reminding.snooze_until(choice, now, context.tz())
    async with context.write() as session:
        snoozed = await reminders.snooze(session, reminder_id, until=until, now=now)
        if snoozed is None:
            raise AlreadyHandled()
        lead = await reminders.record_of(session, snoozed.handled)
    await query.answer()
    await edit(query, view.snoozed_text(context.t, until, context.tz(), snoozed.handled, lead))


async def _ask_snooze_time(update: Update, context: BotContext, query: CallbackQuery, reminder_id: int) -> None:
    async with context.read() as session:
        reminder = await reminders.get_own(session, reminder_id)
    if reminder is None or not reminders.actionable(reminder):
        raise AlreadyHandled()
    message = query.message
    flow = RemindFlow(
        step=RemindStep.SNOOZE, reminder=reminder_id, chat_id=message.chat.id if message is not None else None
    )
    async with context.write() as session:
        previous = await flows.begin(session, context.me, flow)
    await query.answer()
    await reply(update, view.until_when(context.t))
    await _drop_replaced(context, previous, flow)


async def snooze_confirm_button(update: Update, context: BotContext) -> None:
    """✅ Snooze until then (a typed time): reschedule, and edit the reminder's own message too."""
    query = _query(update)
    data = callbacks.button(update)
    reminder_id, until = data.id(0), _moment(data.id(1))
    async with context.write() as session:
        snoozed = await reminders.snooze(session, reminder_id, until=until, now=utcnow())
        if snoozed is None:
            raise AlreadyHandled()
        flow = await flows.current_of(session, context.me, RemindFlow)
        if flow is not None and flow.step is RemindStep.SNOOZE:
            await flows.end(session, context.me)
        lead = await reminders.record_of(session, snoozed.handled)
    await query.answer()
    done = view.snoozed_text(context.t, until, context.tz(), snoozed.handled, lead)
    await edit(query, done)
    handled = snoozed.handled
    if handled.chat_id and handled.message_id:
        try:
            await edit_message(context.bot, handled.chat_id, handled.message_id, done)
        except BadRequest:  # the old message may be gone or too old to edit; the snooze stands
            log.debug("could not edit the reminder message", exc_info=True)


async def calendar_button(update: Update, context: BotContext) -> None:
    """📅 Add to calendar: an .ics file for the follow-up."""
    query = _query(update)
    reminder_id = callbacks.button(update).id(0)
    async with context.read() as session:
        reminder = await reminders.get_own(session, reminder_id)
        lead = await reminders.record_of(session, reminder) if reminder is not None else None
    if reminder is None:
        raise AlreadyHandled()
    ics = view.calendar_file(context.t, reminder, lead, utcnow())
    await query.answer()
    if update.effective_chat is not None:
        await update.effective_chat.send_document(
            ics, filename=view.CALENDAR_FILE, caption=view.calendar_caption(context.t)
        )
