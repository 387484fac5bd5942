"""The one error path: a rule that said no is answered to the user; anything else is logged
(secrets are redacted by the log formatter) and apologised for."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.context import BotContext
from bot.presentation.fitting import ALERT_LIMIT, fit
from models.errors import DomainError, Reply

log = logging.getLogger("bot.errors")


async def answer_refusal(update: Update, context: BotContext, error: DomainError | Reply) -> None:
    """An alert under the tapped button, or a reply to a message."""
    text = error.text if isinstance(error, Reply) else context.t(error.message, **error.params)
    if update.callback_query is not None:
        await update.callback_query.answer(fit(text, ALERT_LIMIT, html=False), show_alert=True)
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(fit(text))


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, DomainError | Reply) and isinstance(update, Update):
        try:
            await answer_refusal(update, context, error)
        except TelegramError:
            log.warning("could not answer a refused request", exc_info=True)
        return
    if isinstance(error, Forbidden):
        log.info("the user blocked the bot or the bot left the chat: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network trouble while polling: %s", error)
        return
    kind = type(update).__name__ if update is not None else "no update"
    log.error("unhandled error while handling %s", kind, exc_info=error)
    if isinstance(update, Update):
        await apologise(update, context)


async def apologise(update: Update, context: BotContext) -> None:
    """The one apology for what went wrong on our side (the cause is logged by the caller)."""
    if update.effective_chat is None:
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
