"""Setting a reminder in words: /remind, ⏰ on a record's card, and "Other time…" when snoozing.

Every date is shown back as a concrete moment and saved only when the rep confirms it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.context import BotContext
from bot.domain import reminding
from bot.domain.dates import When
from bot.i18n import Translator
from bot.presentation.labels import who
from bot.services import flows, leads, reminders
from handlers.common import edit, future_date, reply
from handlers.settings import zone_first
from models import FlowState, Lead, ReminderStatus
from models.base import utcnow
from models.errors import DomainError

FLOW = "remind"
log = logging.getLogger(__name__)


def _examples(context: BotContext) -> str:
    return context.t("For example: /remind Ana next Friday 3pm call about the quote")


def _when_examples(context: BotContext) -> str:
    return context.t("Try for example: tomorrow 10am, Friday 15:00, in 3 days, end of month.")


async def remind_command(update: Update, context: BotContext) -> None:
    """/remind [name] <when> [what]."""
    assert context.member is not None
    if await zone_first(update, context):
        return
    text = " ".join(context.args or []).strip()
    t = context.t
    if not text:
        await reply(update, t("Tell me who, when and what.") + "\n" + _examples(context))
        return
    if len(text) > reminding.MAX_TEXT:
        await reply(update, t("That is too long for a reminder. Keep it short; details belong in a note."))
        return
    now = utcnow()
    options = await asyncio.to_thread(
        reminding.readings, text, language=context.member.language, zone=context.tz(), now=now
    )
    if not options:
        await reply(update, t("I could not find a date in that. ") + _when_examples(context))
        return
    chosen, matches = None, []
    async with context.db.begin(context.scope) as session:
        for option in options:
            if option.name:
                matches = await leads.search(session, option.name, limit=6)
                if matches:
                    chosen = option
                    break
    if chosen is None:
        chosen = next((o for o in options if not o.name), None)
        if chosen is None:
            await reply(
                update,
                t(
                    "No record of yours matches “{name}”. Check the name with /find, or leave it out for a "
                    "reminder of your own.",
                    name=options[0].name,
                ),
            )
            return
    await _propose(update, context, chosen.when, chosen.text, matches)


async def _propose(update: Update, context: BotContext, when: When, text: str, matches: list[Lead]) -> None:
    """Show the moment back; with several matching records, ask which one first."""
    t = context.t
    if when.past:
        await reply(
            update,
            t("{date} has already passed. ", date=t.datetime(when.at, context.tz(), "full")) + _when_examples(context),
        )
        return
    nonce = secrets.token_hex(3)
    data = {"at": int(when.at.timestamp()), "text": text, "lead": None, "nonce": nonce}
    if len(matches) == 1:
        data["lead"] = matches[0].id
    step = "pick" if len(matches) > 1 else "confirm"
    assert context.member is not None
    if step == "pick":
        rows = [
            [InlineKeyboardButton(who(context.t, lead)[:60], callback_data=callbacks.encode("rmp", nonce, lead.id))]
            for lead in matches
        ]
        rows.append([InlineKeyboardButton(t("Cancel"), callback_data=callbacks.encode("rmx", nonce))])
        sent = await reply(update, t("Which record is it about?"), InlineKeyboardMarkup(rows))
    else:
        sent = await reply(update, _confirm_text(context, data, matches[0] if matches else None), _confirm(t, nonce))
    async with context.db.begin(context.scope) as session:
        await flows.start(
            session, context.member, FLOW, step=step, data=data, chat_id=sent.chat_id, message_id=sent.message_id
        )


def _confirm(t: Translator, nonce: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("✅ Set reminder"), callback_data=callbacks.encode("rmy", nonce)),
                InlineKeyboardButton(t("Cancel"), callback_data=callbacks.encode("rmx", nonce)),
            ]
        ]
    )


def _confirm_text(context: BotContext, data: dict[str, Any], lead: Lead | None) -> str:
    t = context.t
    at = datetime.fromtimestamp(int(data["at"]), UTC)
    date = t.datetime(at, context.tz(), "full")
    what = data.get("text") or t("follow up")
    if lead is not None:
        return t("Remind you on {date} about {who}: {what}?", date=date, who=who(context.t, lead), what=what)
    return t("Remind you on {date}: {what}?", date=date, what=what)


async def _state(context: BotContext, nonce: str, step: str) -> FlowState | None:
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    if state is None or state.flow != FLOW or state.step != step or state.data.get("nonce") != nonce:
        return None
    return state


async def pick_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    state = await _state(context, data.arg(0) if data else "", "pick")
    lead_id = data.int_arg(1) if data else None
    if state is None or lead_id is None:
        await query.answer(
            context.t("This button is no longer active. Please send the command again."), show_alert=True
        )
        return
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            values = {**state.data, "lead": lead.id}
            await flows.start(
                session, context.member, FLOW, step="confirm", data=values, chat_id=state.chat_id,
                message_id=state.message_id,
            )  # fmt: skip
    except DomainError as exc:
        await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await edit(query, _confirm_text(context, values, lead), _confirm(context.t, values["nonce"]))


async def confirm_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    state = await _state(context, data.arg(0) if data else "", "confirm")
    t = context.t
    if state is None:
        await query.answer(t("This button is no longer active. Please send the command again."), show_alert=True)
        return
    at = datetime.fromtimestamp(int(state.data["at"]), UTC)
    if at <= utcnow():
        await query.answer(t("That time has passed. Please send the reminder again."), show_alert=True)
        return
    try:
        async with context.db.begin(context.scope) as session:
            await reminders.create(
                session, context.member, at=at, text=str(state.data.get("text") or ""),
                lead_id=state.data.get("lead"), now=utcnow(),
            )  # fmt: skip
            await flows.clear(session, context.member)
    except DomainError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await edit(query, t("⏰ Reminder set for {date}.", date=t.datetime(at, context.tz(), "full")))


async def cancel_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    nonce = data.arg(0) if data else ""
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
        if state is not None and state.flow == FLOW and state.data.get("nonce") == nonce:
            await flows.clear(session, context.member)
    await query.answer()
    await edit(query, context.t("No reminder set."))


async def record_button(update: Update, context: BotContext) -> None:
    """⏰ on a record's card: ask when, and what about."""
    query = update.callback_query
    assert query is not None and context.member is not None and query.message is not None
    data = callbacks.parse(query.data)
    lead_id = data.int_arg(0) if data else None
    if await zone_first(update, context):
        await query.answer()
        return
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id or 0)
            await flows.start(
                session, context.member, FLOW, step="what", data={"lead": lead.id}, chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )  # fmt: skip
    except DomainError as exc:
        await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await reply(
        update,
        context.t("When shall I remind you about {who}, and what about?", who=who(context.t, lead))
        + "\n"
        + context.t("For example: Friday 10:00 send the offer"),
    )


async def snooze_words(update: Update, context: BotContext, reminder_id: int) -> None:
    """ "Other time…" under a reminder: the rep types when."""
    assert context.member is not None and update.callback_query is not None
    message = update.callback_query.message
    async with context.db.begin(context.scope) as session:
        await flows.start(
            session, context.member, FLOW, step="snooze", data={"reminder": reminder_id},
            chat_id=message.chat.id if message else None,
        )  # fmt: skip
    await reply(update, context.t("Until when? ") + _when_examples(context))


async def on_text(update: Update, context: BotContext) -> None:
    """The rep's words while setting a reminder or snoozing one."""
    message = update.effective_message
    assert message is not None and context.member is not None
    t = context.t
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    assert state is not None
    text = (message.text or "").strip()
    now = utcnow()
    if state.step == "snooze":
        when = await future_date(update, context, text, _when_examples(context))
        if when is None:
            return
        rid, stamp = int(state.data["reminder"]), int(when.at.timestamp())
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t("✅ Snooze until then"), callback_data=callbacks.encode("rz", rid, stamp))]]
        )
        await reply(update, t("Snooze until {date}?", date=t.datetime(when.at, context.tz(), "full")), markup)
        return
    if state.step == "what":
        if len(text) > reminding.MAX_TEXT:
            await reply(update, t("That is too long for a reminder. Keep it short; details belong in a note."))
            return
        hit = await asyncio.to_thread(
            reminding.when_and_text, text.split(), language=context.member.language, zone=context.tz(), now=now
        )
        if hit is None:
            await reply(update, t("I could not find a date in that. ") + _when_examples(context))
            return
        async with context.db.begin(context.scope) as session:
            try:
                lead = await leads.get_visible(session, int(state.data["lead"]))
            except DomainError as exc:
                await reply(update, t(exc.message, **exc.params))
                return
        await _propose(update, context, hit[0], hit[1], [lead])
        return
    await reply(update, t("Please use the buttons above, or /cancel."))


async def snooze_confirm_button(update: Update, context: BotContext) -> None:
    """✅ Snooze until then: reschedule, and edit the reminder's own message in place."""
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    t = context.t
    rid, stamp = (data.int_arg(0), data.int_arg(1)) if data else (None, None)
    async with context.db.begin(context.scope) as session:
        reminder = await reminders.get_own(session, rid or 0)
    if reminder is None or reminder.status is not ReminderStatus.SENT or stamp is None:
        await query.answer(t("This reminder was already handled."), show_alert=True)
        return
    until = datetime.fromtimestamp(stamp, UTC)
    if until <= utcnow():
        await query.answer(t("That time has passed. Please send the reminder again."), show_alert=True)
        return
    async with context.db.begin(context.scope) as session:
        await reminders.snooze(session, reminder, until=until, now=utcnow())
        await flows.clear(session, context.member)
    await query.answer()
    done = t("⏰ Snoozed until {date}.", date=t.datetime(until, context.tz(), "short"))
    await edit(query, done)
    if reminder.chat_id and reminder.message_id:
        try:
            await update.get_bot().edit_message_text(done, chat_id=reminder.chat_id, message_id=reminder.message_id)
        except BadRequest:  # the old message may be gone or too old to edit; the snooze stands
            log.debug("could not edit the reminder message", exc_info=True)
