"""Sending and editing: the few Telegram calls every handler makes, with their quirks handled once."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.presentation import zones
from bot.presentation.fitting import fit
from models.base import utcnow

log = logging.getLogger(__name__)


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """A new message in the update's chat (in a forum, in the message's topic)."""
    chat = update.effective_chat
    if chat is None:
        raise RuntimeError("an update without a chat cannot be answered")
    message = update.effective_message
    # In a forum supergroup the answer goes to the topic the message was sent in.
    topic = message.message_thread_id if message is not None and message.is_topic_message else None
    return await chat.send_message(fit(text), reply_markup=markup, message_thread_id=topic)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the button's message in place; an unchanged message is not an error."""
    try:
        await query.edit_message_text(fit(text), reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def edit_message(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit an earlier message by its id (a prompt, a preview); unchanged is not an error."""
    try:
        await bot.edit_message_text(fit(text), chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def drop_keyboard(bot: Bot, chat_id: int | None, message_id: int | None) -> None:
    """Remove the buttons of an older message (a flow that ended); gone or unchanged is fine."""
    if not chat_id or not message_id:
        return
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except BadRequest:
        log.debug("could not remove an old keyboard", exc_info=True)


async def zone_first(update: Update, context: BotContext, *, kept: bool = False) -> Message | None:
    """Before anything with a date: a member who never confirmed a time zone is asked for one
    (the question sent: the caller stops there; `kept`: the caller keeps what the rep typed and
    goes on once the zone is answered; otherwise the member tries again after answering)."""
    member = context.me
    if member.timezone:
        return None
    text, markup = zones.before_reminder(context.t, member, context.settings.default_timezone, utcnow(), kept=kept)
    if update.callback_query is not None:
        await update.callback_query.answer()
    return await reply(update, text, markup)


def message_text(update: Update) -> str:
    """The text of the update's message (empty for none)."""
    message = update.effective_message
    return (message.text or "") if message is not None else ""
