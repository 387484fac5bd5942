"""Parking a record: a reason, a follow-up time in plain words, shown back for confirmation."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.domain.dates import parse_when
from bot.i18n import N_
from bot.services import flows, leads
from handlers.common import edit, reply
from handlers.records import FLOW
from handlers.settings import zone_first
from models import ParkReason
from models.base import utcnow
from models.errors import DomainError

REASONS = {
    ParkReason.NOT_READY: N_("Not ready yet"),
    ParkReason.NO_BUDGET: N_("No budget now"),
    ParkReason.SAID_NO_KEEP: N_("Said no, may be contacted later"),
    ParkReason.WRONG_PERSON: N_("Wrong person"),
    ParkReason.OTHER: N_("Other"),
}


async def park_button(update: Update, context: BotContext) -> None:
    """⏸ Park on a record's card: pick the reason."""
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    lead_id = (data.int_arg(0) if data else None) or 0
    t = context.t
    await query.answer()
    rows = [
        [InlineKeyboardButton(t(label), callback_data=callbacks.encode("pr", lead_id, reason.value))]
        for reason, label in REASONS.items()
    ]
    rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("rec", lead_id))])
    await edit(query, t("Why is it parked?"), InlineKeyboardMarkup(rows))


async def reason_button(update: Update, context: BotContext) -> None:
    """A reason picked: ask until when."""
    query = update.callback_query
    assert query is not None and context.member is not None and query.message is not None
    data = callbacks.parse(query.data)
    lead_id, reason = (data.int_arg(0) if data else None), (data.arg(1) if data else "")
    if lead_id is None or reason not in {r.value for r in ParkReason}:
        await query.answer(
            context.t("This button is no longer active. Please send the command again."), show_alert=True
        )
        return
    if await zone_first(update, context):  # the follow-up date needs the rep's real time zone
        await query.answer()
        return
    try:
        async with context.db.begin(context.scope) as session:
            await leads.get_visible(session, lead_id)
            await flows.start(
                session,
                context.member,
                FLOW,
                step="park",
                data={"lead": lead_id, "reason": reason},
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
            )
    except DomainError as exc:
        await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await edit(query, _ask(context))


def _ask(context: BotContext) -> str:
    return context.t("Until when? For example: next Tuesday 10am, in two weeks, end of month, Q2.")


async def on_date_text(update: Update, context: BotContext) -> None:
    """The follow-up time in plain words; shown back before anything is saved."""
    message = update.effective_message
    assert message is not None and context.member is not None
    t = context.t
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    assert state is not None
    when = parse_when(message.text or "", language=context.member.language, zone=context.tz(), now=utcnow())
    if when is None:
        await reply(update, t("I could not read that as a date. ") + _ask(context))
        return
    if when.past:
        await reply(update, t("That is in the past. ") + _ask(context))
        return
    lead_id, reason = int(state.data["lead"]), str(state.data["reason"])
    stamp = int(when.at.timestamp())
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("✅ Park until then"), callback_data=callbacks.encode("py", lead_id, reason, stamp)
                )
            ],
            [InlineKeyboardButton(t("Change the date"), callback_data=callbacks.encode("pr", lead_id, reason))],
        ]
    )
    await reply(update, t("Park until {date}?", date=t.datetime(when.at, context.tz(), "full")), markup)


async def confirm_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    t = context.t
    lead_id, reason, stamp = (data.int_arg(0), data.arg(1), data.int_arg(2)) if data else (None, "", None)
    if lead_id is None or stamp is None or reason not in {r.value for r in ParkReason}:
        await query.answer(t("This button is no longer active. Please send the command again."), show_alert=True)
        return
    until = datetime.fromtimestamp(stamp, UTC)
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            if lead.parked and lead.parked_until == until:
                raise DomainError(N_("Already parked until then."))
            await leads.park(session, lead, ParkReason(reason), until, by=context.member, now=utcnow())
            await flows.start(session, context.member, FLOW, data={"lead": lead_id})
    except DomainError as exc:
        await query.answer(t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await edit(query, t("Parked until {date}. I will remind you then.", date=t.datetime(until, context.tz(), "full")))
