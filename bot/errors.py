"""The error handler: log the traceback (secrets are redacted by the log formatter), apologise."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.context import BotContext

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("the user blocked the bot or the bot left the chat: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network trouble while polling: %s", error)
        return
    kind = type(update).__name__ if update is not None else "no update"
    log.error("unhandled error while handling %s", kind, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(
            update.effective_chat.id,
            context.t("Sorry, something went wrong on my side. Nothing you saved is lost; please try again."),
        )
    except TelegramError:
        log.warning("could not send the apology", exc_info=True)
