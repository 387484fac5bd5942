"""The buttons of a captured card: the preview's Save, Merge, Edit (a field, Back), Discard, /new's
Skip, and the saved card's source buttons. The values typed after Edit or during /new, and the
event's name, are messages: handlers/capture.py.

A button names its draft by a nonce; a draft that was saved, discarded or replaced answers "This
card was already saved or discarded." Each tap: parse, read, write once, then answer and edit."""

from __future__ import annotations

from typing import get_args

from telegram import CallbackQuery, Update

from bot import callbacks
from bot.context import BotContext
from bot.flows import CardField, CardFlow, CardStep, FlowData, SourceFlow
from bot.presentation import cards
from bot.presentation.replies import drop_keyboard, edit, reply
from bot.services import capture, drafts, flows, leads
from models import CardDraft, LeadSource
from models.base import utcnow
from models.errors import StaleButton

ACTIONS = ("save", "merge", "discard", "edit", "field", "skip", "back")
FIELDS: dict[str, CardField] = {name: name for name in get_args(CardField)}
DETAIL = "detail"  # the source button that asks for the event's name


def _query(update: Update) -> CallbackQuery:
    query = update.callback_query
    if query is None:
        raise StaleButton()
    return query


def _where(query: CallbackQuery) -> tuple[int | None, int | None]:
    """The chat and message of the tapped button (the preview or the prompt it is on)."""
    message = query.message
    return (message.chat.id, message.message_id) if message is not None else (None, None)


async def _drop_replaced(context: BotContext, previous: FlowData | None, keep: int | None) -> None:
    """The flow a new one replaced loses its prompt's buttons (unless it is this very message)."""
    if previous is not None and previous.message_id != keep:
        await drop_keyboard(context.bot, previous.chat_id, previous.message_id)


async def on_card_button(update: Update, context: BotContext) -> None:
    query = _query(update)
    data = callbacks.button(update)
    nonce, action = data.arg(0), data.choice(1, ACTIONS)
    async with context.read() as session:
        draft = await drafts.by_nonce(session, context.me, nonce)
        flow = await flows.current_of(session, context.me, CardFlow)
    if draft is None:
        raise drafts.DraftGone()
    if action in ("save", "merge"):
        await _save(context, query, nonce, merge=action == "merge")
    elif action == "discard":
        async with context.write() as session:
            await drafts.delete(session, context.me, nonce)
        await query.answer()
        await edit(query, context.t("Discarded. Nothing was saved."))
    elif action == "edit":
        await _fields(context, query, draft)
    elif action == "field":
        await _ask_field(context, query, draft, FIELDS[data.choice(2, FIELDS)])
    elif action == "skip":
        # The button names the field it skips; an older one without it: the field being asked.
        field = data.arg(2) or (flow.field if flow is not None and flow.nonce == nonce else "")
        if field not in drafts.GUIDED:
            raise StaleButton()
        await _skip(update, context, draft, FIELDS[field])
    else:  # back: the preview again
        await _back(context, query, draft)


async def _save(context: BotContext, query: CallbackQuery, nonce: str, *, merge: bool) -> None:
    """Save the draft as a lead, or merge it into the duplicate; the draft goes in the same write."""
    async with context.write() as session:
        lead, merged = await capture.save_draft(session, context.me, nonce, merge=merge, now=utcnow())
    await query.answer()
    await edit(query, *cards.saved(context.t, lead, merged))


async def _fields(context: BotContext, query: CallbackQuery, draft: CardDraft) -> None:
    """Edit: the fields to pick from. The preview's message is learnt here, for the corrections."""
    chat_id, message_id = _where(query)
    if chat_id is not None and message_id is not None and (draft.chat_id, draft.message_id) != (chat_id, message_id):
        async with context.write() as session:
            await drafts.locate(session, context.me, draft.nonce, chat_id=chat_id, message_id=message_id)
    await query.answer()
    await edit(query, *cards.fields_menu(context.t, draft.nonce, drafts.card_of(draft)))


async def _ask_field(context: BotContext, query: CallbackQuery, draft: CardDraft, field: CardField) -> None:
    """A field picked: its value is typed next, and the preview is edited in place afterwards."""
    chat_id, message_id = _where(query)
    async with context.write() as session:
        if chat_id is not None and message_id is not None:
            await drafts.locate(session, context.me, draft.nonce, chat_id=chat_id, message_id=message_id)
        previous = await flows.begin(
            session,
            context.me,
            CardFlow(step=CardStep.EDIT, field=field, nonce=draft.nonce, chat_id=chat_id, message_id=message_id),
        )
    await query.answer()
    await edit(query, cards.edit_prompt(context.t, field))
    await _drop_replaced(context, previous, message_id)


async def _skip(update: Update, context: BotContext, draft: CardDraft, field: CardField) -> None:
    """/new: no value for `field`; the next question, or the preview after the last one."""
    query, t, member = _query(update), context.t, context.me
    chat_id, message_id = _where(query)
    card = drafts.card_of(draft)
    following = drafts.next_field(field)
    if following is not None or card.is_empty:
        asked = following or drafts.GUIDED[0]
        async with context.write() as session:
            previous = await flows.begin(
                session,
                member,
                CardFlow(step=CardStep.NEW, field=asked, nonce=draft.nonce, chat_id=chat_id, message_id=message_id),
            )
        await query.answer()
        if following is None:  # nothing at all: from the first question again
            await reply(update, t("A lead needs at least a name, a company, an e-mail or a phone."))
        else:
            await edit(query, cards.ask_text(t, following), cards.skip(t, draft.nonce, following))
        await _drop_replaced(context, previous, message_id)
        return
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    async with context.write() as session:
        await drafts.revise(session, member, draft.nonce, card, duplicate_id=duplicate.merge_id if duplicate else None)
        flow = await flows.current_of(session, member, CardFlow)
        if flow is not None and flow.nonce == draft.nonce:
            await flows.end(session, member)
    await query.answer()
    await edit(query, *cards.preview(t, draft.nonce, card, duplicate))


async def _back(context: BotContext, query: CallbackQuery, draft: CardDraft) -> None:
    """Back from the field list: the preview, with the duplicate looked up again."""
    member = context.me
    card = drafts.card_of(draft)
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    duplicate_id = duplicate.merge_id if duplicate is not None else None
    chat_id, message_id = _where(query)
    moved = (
        chat_id is not None and message_id is not None and (draft.chat_id, draft.message_id) != (chat_id, message_id)
    )
    if duplicate_id != draft.duplicate_id or moved:
        async with context.write() as session:
            await drafts.revise(session, member, draft.nonce, card, duplicate_id=duplicate_id)
            if chat_id is not None and message_id is not None:
                await drafts.locate(session, member, draft.nonce, chat_id=chat_id, message_id=message_id)
    await query.answer()
    await edit(query, *cards.preview(context.t, draft.nonce, card, duplicate))


async def on_source_button(update: Update, context: BotContext) -> None:
    """Where the saved lead came from, or "Add the event's name" (typed next)."""
    query = _query(update)
    data = callbacks.button(update)
    lead_id = data.id(0)
    code = data.choice(1, [*(s.value for s in LeadSource), DETAIL])
    t = context.t
    if code == DETAIL:
        chat_id, message_id = _where(query)
        async with context.write() as session:
            await leads.get_visible(session, lead_id)  # not theirs: refused, nothing opened
            previous = await flows.begin(
                session, context.me, SourceFlow(lead=lead_id, chat_id=chat_id, message_id=message_id)
            )
        await query.answer()
        await reply(update, t("Type the event's name or where you met (e.g. Sales Summit Zagreb)."))
        await _drop_replaced(context, previous, message_id)
        return
    async with context.write() as session:
        lead = await capture.set_source(session, lead_id, LeadSource(code))
    await query.answer(t("Source saved."))
    await edit(query, *cards.saved(t, lead))
