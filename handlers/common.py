"""Small helpers shared by the handlers: replying and editing in place."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.domain.dates import When, parse_when
from bot.services import members
from models import Team
from models.base import utcnow

log = logging.getLogger(__name__)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    assert update.effective_chat is not None
    return await update.effective_chat.send_message(text, reply_markup=markup)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the button's message in place; an unchanged message is not an error."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def drop_keyboard(update: Update, chat_id: int, message_id: int) -> None:
    """Remove the buttons of an older message (a flow that ended); gone or unchanged is fine."""
    try:
        await update.get_bot().edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except BadRequest:
        log.debug("could not remove an old keyboard", exc_info=True)


async def load_team(context: BotContext) -> Team:
    """The member's team, read through the member's own scope."""
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        team = await members.get_team(session, context.member.team_id)
    assert team is not None
    return team


async def future_date(update: Update, context: BotContext, text: str, examples: str | None = None) -> When | None:
    """A future moment typed in words, in the member's language and zone; otherwise a reply with
    examples (the caller's, or general ones) and None (the caller keeps its step, so the rep simply
    tries again). Parsed in a worker thread: dateparser is not for the event loop."""
    assert context.member is not None
    when = await asyncio.to_thread(parse_when, text, language=context.member.language, zone=context.tz(), now=utcnow())
    if when is None or when.past:
        if examples is not None:
            await reply(update, context.t("I could not read that as a future date. ") + examples)
        else:
            await reply(
                update,
                context.t(
                    "I could not read that as a future date. Try for example: Q2, in three months, "
                    "after the summer, end of month."
                ),
            )
        return None
    return when
