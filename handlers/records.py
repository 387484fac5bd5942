"""Browsing one's records: /leads (by stage, paged), /find, a record's card with its notes and
history (a button, or the /start r-<code> link); while a record is open, text becomes a note on it
(/note too), or its birthday after 🎂."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext, Handler
from bot.domain.cards import card_shaped
from bot.domain.dates import parse_birthday
from bot.flows import RecordFlow, RecordStep
from bot.presentation import records as view
from bot.presentation.labels import NOTE_KINDS
from bot.presentation.links import RECORD_PREFIX
from bot.presentation.replies import edit, message_text, reply
from bot.services import flows, leads
from models import ActivityKind
from models.base import utcnow
from models.errors import AccessDenied, Reply

MARKS = tuple(kind.value for kind in NOTE_KINDS)  # what a note can be marked as


async def _open(update: Update, context: BotContext, *, lead_id: int | None = None, code: str | None = None) -> None:
    """Show a record's card and make it the open record (text typed next becomes a note)."""
    async with context.read() as session:
        lead = await (leads.by_code(session, code) if code is not None else leads.get_visible(session, lead_id or 0))
        record = view.record_id(lead)
        notes = await leads.notes(session, record)
        history = await leads.history(session, record, limit=3)
    chat_id = update.effective_chat.id if update.effective_chat is not None else None
    async with context.write() as session:
        await flows.begin(session, context.me, RecordFlow(lead=record, chat_id=chat_id))
    text, markup = view.opened(context.t, lead, context.tz(), notes, history)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, text, markup)
    else:
        await reply(update, text, markup)


async def open_button(update: Update, context: BotContext) -> None:
    await _open(update, context, lead_id=callbacks.button(update).id(0))


async def open_link(update: Update, context: BotContext) -> None:
    """/start r-<code>: a record's link (from a reminder, a brief, a colleague)."""
    payload = context.args[0] if context.args else ""
    code = payload.removeprefix(RECORD_PREFIX)
    if not code:
        raise AccessDenied()
    await _open(update, context, code=code)


async def _listing(
    context: BotContext, offset: int, *, by_value: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    async with context.read() as session:
        counts = await leads.stage_counts(session)
        rows = await leads.page(session, offset=offset, limit=view.PAGE, by_value=by_value)
    return view.listing(context.t, counts, rows, offset, by_value=by_value)


async def leads_command(update: Update, context: BotContext) -> None:
    await reply(update, *await _listing(context, 0))


async def list_button(update: Update, context: BotContext) -> None:
    data = callbacks.button(update)
    text, markup = await _listing(context, data.id(0), by_value=data.arg(1) == "v")
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, text, markup)


async def find_command(update: Update, context: BotContext) -> None:
    words = " ".join(context.args or [])[:200]
    if not words.strip():
        raise Reply(context.t("Send /find and a name, company, e-mail or phone, e.g. /find kovač."))
    async with context.read() as session:
        rows = await leads.search(session, words)
    text, markup = view.found(context.t, words, rows)
    await reply(update, text, markup)


def text_step(park_date: Handler, new_card: Handler) -> Handler:
    """What text means while a record is open: a note, the birthday after 🎂, or, while parking,
    the follow-up date (handled by `park_date`). A pasted business card is not a note: it starts a
    new capture (handled by `new_card`), and the rep is told how to keep it as a note instead."""

    async def on_text(update: Update, context: BotContext) -> None:
        async with context.read() as session:
            flow = await flows.current_of(session, context.me, RecordFlow)
        if flow is not None and flow.step is RecordStep.PARK:
            await park_date(update, context)
        elif flow is not None and flow.step is RecordStep.BIRTHDAY:
            await _save_birthday(update, context, flow.lead)
        else:
            text = message_text(update).strip()
            if await asyncio.to_thread(card_shaped, text, language=context.me.language):
                await new_card(update, context)
                await reply(update, view.card_not_note(context.t))
                return
            await _save_note(update, context, text)

    return on_text


async def note_command(update: Update, context: BotContext) -> None:
    text = " ".join(context.args or []).strip()
    if not text:
        raise Reply(context.t("Send /note and the text, with a record open (/leads or /find)."))
    await _save_note(update, context, text)


async def note_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer()
    await reply(update, context.t("Type the note: what was said, their questions, their objections."))


async def _save_note(update: Update, context: BotContext, text: str) -> None:
    async with context.write() as session:
        lead, note = await leads.note_on_open_record(session, context.me, text, now=utcnow())
    await reply(update, *view.note_saved(context.t, lead, note))


async def note_kind_button(update: Update, context: BotContext) -> None:
    data = callbacks.button(update)
    note_id, kind = data.id(0), ActivityKind(data.choice(1, MARKS))
    async with context.write() as session:
        await leads.mark_note(session, note_id, kind)
    answer, text = view.note_marked(context.t, kind)
    query = update.callback_query
    if query is not None:
        await query.answer(answer)
        await edit(query, text)


async def birthday_button(update: Update, context: BotContext) -> None:
    lead_id = callbacks.button(update).id(0)
    async with context.write() as session:
        await leads.get_visible(session, lead_id)
        await flows.begin(session, context.me, RecordFlow(step=RecordStep.BIRTHDAY, lead=lead_id))
    if update.callback_query is not None:
        await update.callback_query.answer()
    await reply(update, context.t("Their birthday? e.g. 12.5.1980, or 12.5. when you do not know the year."))


async def _save_birthday(update: Update, context: BotContext, lead_id: int) -> None:
    birthday = parse_birthday(message_text(update))
    if birthday is None:
        raise Reply(context.t("I could not read that as a birthday. Type it as day.month.year, e.g. 12.5.1980."))
    async with context.write() as session:
        await leads.set_birthday(session, lead_id, birthday)
        await flows.begin(session, context.me, RecordFlow(lead=lead_id))
    await reply(update, context.t("Birthday saved: {date}.", date=view.birthday(context.t, birthday)))
