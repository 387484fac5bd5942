"""Browsing one's records: /leads (by stage, paged), /find, a record's card with its notes and
history; while a record is open, text becomes a note on it (/note too)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.domain.dates import UNKNOWN_YEAR, parse_birthday
from bot.i18n import Translator
from bot.presentation import labels
from bot.presentation.records import card_buttons, render_card
from bot.services import flows, leads
from handlers.common import edit, reply
from models import ActivityKind, Lead
from models.base import utcnow
from models.errors import DomainError

LINK_PREFIX = "r-"
FLOW = "rec"
PAGE = 8
MAX_NOTE = 3000

NOTE_KINDS = labels.NOTE_KINDS
stage_name = labels.stage_name
who = labels.who


def _label(lead: Lead) -> str:
    return labels.short_label(lead, lead.code)


async def _open(update: Update, context: BotContext, lead_id: int | None = None, code: str | None = None) -> None:
    """Show a record's card and make it the open record (text typed next becomes a note)."""
    assert context.member is not None and update.effective_chat is not None
    query = update.callback_query
    try:
        async with context.db.begin(context.scope) as session:
            lead = await (leads.by_code(session, code) if code else leads.get_visible(session, lead_id or 0))
            notes = await leads.notes(session, lead.id)  # type: ignore[arg-type]
            history = await leads.history(session, lead.id, limit=3)  # type: ignore[arg-type]
            await flows.start(session, context.member, FLOW, data={"lead": lead.id}, chat_id=update.effective_chat.id)
    except DomainError as exc:
        if query is not None:
            await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        else:
            await reply(update, context.t(exc.message, **exc.params))
        return
    text = render_card(context.t, lead, context.tz(), notes, history)
    text += "\n\n" + context.t("Anything you type now is saved as a note on this record. /cancel closes it.")
    if query is not None:
        await query.answer()
        await edit(query, text, card_buttons(context.t, lead))
    else:
        await reply(update, text, card_buttons(context.t, lead))


async def open_button(update: Update, context: BotContext) -> None:
    data = callbacks.parse(update.callback_query.data if update.callback_query else None)
    await _open(update, context, lead_id=(data.int_arg(0) if data else None) or 0)


async def open_link(update: Update, context: BotContext, code: str) -> None:
    await _open(update, context, code=code)


def _list_markup(t: Translator, rows: list[Lead], offset: int, total: int) -> InlineKeyboardMarkup:
    buttons = [
        [InlineKeyboardButton(f"{_label(lead)}"[:60], callback_data=callbacks.encode("rec", lead.id))] for lead in rows
    ]
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(t("« Previous"), callback_data=callbacks.encode("ls", max(0, offset - PAGE)))
        )
    if offset + PAGE < total:
        paging.append(InlineKeyboardButton(t("Next »"), callback_data=callbacks.encode("ls", offset + PAGE)))
    return InlineKeyboardMarkup([*buttons, paging] if paging else buttons)


async def _list(context: BotContext, offset: int) -> tuple[str, InlineKeyboardMarkup | None]:
    t = context.t
    async with context.db.begin(context.scope) as session:
        counts = await leads.stage_counts(session)
        rows = await leads.page(session, offset=offset, limit=PAGE)
    total = sum(counts.values())
    if not total:
        return t("No records yet. Send me a business card to add the first one."), None
    lines = [t.plural("<b>{n} record</b>", "<b>{n} records</b>", total)]
    lines += [f"{stage_name(t, s)}: {counts[s]}" for s in leads.STAGE_ORDER if counts.get(s)]
    lines.append("")
    for lead in rows:
        parked = (
            t(" (parked until {date})", date=t.date(lead.parked_until.date(), "short"))
            if lead.parked and lead.parked_until
            else ""
        )
        lines.append(t("{stage} – {name}{parked}", stage=stage_name(t, lead.stage), name=_label(lead), parked=parked))
    return "\n".join(lines), _list_markup(t, rows, offset, total)


async def leads_command(update: Update, context: BotContext) -> None:
    text, markup = await _list(context, 0)
    await reply(update, text, markup)


async def list_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    await query.answer()
    text, markup = await _list(context, (data.int_arg(0) if data else 0) or 0)
    await edit(query, text, markup)


async def find_command(update: Update, context: BotContext) -> None:
    t = context.t
    words = " ".join(context.args or [])[:200]
    if not words.strip():
        await reply(update, t("Send /find and a name, company, e-mail or phone, e.g. /find kovač."))
        return
    async with context.db.begin(context.scope) as session:
        found = await leads.search(session, words)
    if not found:
        await reply(update, t("Nothing found for “{words}”.", words=words))
        return
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_label(lead)[:60], callback_data=callbacks.encode("rec", lead.id))] for lead in found]
    )
    await reply(update, t.plural("Found {n} record:", "Found {n} records:", len(found)), markup)


async def on_note_text(update: Update, context: BotContext) -> None:
    """Text while a record is open: a note on it (or the date, when parking)."""
    message = update.effective_message
    assert message is not None and context.member is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.get(session, context.member)
    if state is not None and state.step == "park":
        from handlers.park import on_date_text

        await on_date_text(update, context)
        return
    if state is not None and state.step == "bday":
        await _save_birthday(update, context, int(state.data["lead"]), message.text or "")
        return
    await _save_note(update, context, (message.text or "").strip())


async def note_command(update: Update, context: BotContext) -> None:
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, context.t("Send /note and the text, with a record open (/leads or /find)."))
        return
    await _save_note(update, context, text)


async def note_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await reply(update, context.t("Type the note: what was said, their questions, their objections."))


async def _save_note(update: Update, context: BotContext, text: str) -> None:
    assert context.member is not None
    t = context.t
    if len(text) > MAX_NOTE:
        await reply(update, t("That note is too long. Please keep a note under 3,000 characters."))
        return
    try:
        async with context.db.begin(context.scope) as session:
            state = await flows.get(session, context.member)
            if state is None or state.flow != FLOW:
                await reply(update, t("Open a record first (/leads or /find), then send the note."))
                return
            lead = await leads.get_visible(session, int(state.data["lead"]))
            note = await leads.add_note(session, lead, context.member, text, now=utcnow())
    except DomainError as exc:
        await reply(update, t(exc.message, **exc.params))
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(label), callback_data=callbacks.encode("nk", note.id, kind.value))
                for kind, label in NOTE_KINDS.items()
            ]
        ]
    )
    await reply(update, t("Note saved on {name}. Was it an objection or a question?", name=_label(lead)), markup)


async def note_kind_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    data = callbacks.parse(query.data)
    note_id = data.int_arg(0) if data else None
    kind = data.arg(1) if data else ""
    if note_id is None or kind not in {k.value for k in NOTE_KINDS}:
        await query.answer(context.t("That record is not available to you."), show_alert=True)
        return
    async with context.db.begin(context.scope) as session:
        note = await leads.note_by_id(session, note_id)
        if note is not None:
            note.kind = ActivityKind(kind)
            session.add(note)
    if note is None:
        await query.answer(context.t("That record is not available to you."), show_alert=True)
        return
    await query.answer(context.t("Marked as {kind}.", kind=context.t(NOTE_KINDS[ActivityKind(kind)]).lower()))
    await edit(query, context.t("Note saved as: {kind}.", kind=context.t(NOTE_KINDS[ActivityKind(kind)])))


async def birthday_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    lead_id = (data.int_arg(0) if data else None) or 0
    try:
        async with context.db.begin(context.scope) as session:
            await leads.get_visible(session, lead_id)
            await flows.start(session, context.member, FLOW, step="bday", data={"lead": lead_id})
    except DomainError as exc:
        await query.answer(context.t(exc.message, **exc.params), show_alert=True)
        return
    await query.answer()
    await reply(update, context.t("Their birthday? e.g. 12.5.1980, or 12.5. when you do not know the year."))


async def _save_birthday(update: Update, context: BotContext, lead_id: int, text: str) -> None:
    assert context.member is not None
    t = context.t
    birthday = parse_birthday(text)
    if birthday is None:
        await reply(update, t("I could not read that as a birthday. Type it as day.month.year, e.g. 12.5.1980."))
        return
    try:
        async with context.db.begin(context.scope) as session:
            lead = await leads.get_visible(session, lead_id)
            lead.birthday = birthday
            session.add(lead)
            await flows.start(session, context.member, FLOW, data={"lead": lead_id})
    except DomainError as exc:
        await reply(update, t(exc.message, **exc.params))
        return
    shown = t.day_month(birthday) if birthday.year == UNKNOWN_YEAR else t.date(birthday, "long")
    await reply(update, t("Birthday saved: {date}.", date=shown))
