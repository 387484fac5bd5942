"""What is left over: /cancel, text outside any flow, edited messages, unknown commands, stale buttons."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Update

from bot.context import BotContext, Handler
from bot.flows import FlowKind
from bot.presentation.replies import drop_keyboard, message_text, reply
from bot.services import flows
from models.errors import N_, DomainError, StaleButton

# Longer messages are refused before any parsing: Telegram allows 4096 characters.
MAX_TEXT = 4096


async def cancel(update: Update, context: BotContext) -> None:
    """Leave any flow. Always works, and says what happened."""
    async with context.write() as session:
        ended = await flows.end(session, context.me)
    if ended is None:
        await reply(update, context.t("There is nothing to cancel. Send /help to see what I can do."))
        return
    await drop_keyboard(context.bot, ended.chat_id, ended.message_id)
    await reply(update, context.t("Cancelled. Everything you saved before is kept."))


def text_router(steps: Mapping[FlowKind, Handler], default: Handler) -> Handler:
    """Send a text message to the flow the member is in, or to `default` when none is open."""
    missing = set(FlowKind) - set(steps)
    if missing:
        raise ValueError(f"flows without a text step: {sorted(missing)}")

    async def on_text(update: Update, context: BotContext) -> None:
        if len(message_text(update)) > MAX_TEXT:
            raise DomainError(N_("That message is too long for me. Please send a shorter one."))
        async with context.read() as session:
            flow = await flows.current(session, context.me)
        await (steps[flow.kind] if flow is not None else default)(update, context)

    return on_text


async def edited(update: Update, context: BotContext) -> None:
    """An edited message is never handled again (that would save a second note, make a second
    invite, start a second card): the rep is told, in private chats; groups get silence."""
    if update.effective_chat is None or update.effective_chat.type != "private":
        return
    await reply(
        update,
        context.t(
            "I don't apply edits to messages: what you sent first is what I kept. "
            "Send the correction as a new message, or open the record to change it."
        ),
    )


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply(update, context.t("I don't know that command. Send /help to see what I can do."))


async def other_message(update: Update, context: BotContext) -> None:
    await reply(update, context.t("I can't use that kind of message here. Send /help to see what I can do."))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or one this version no longer knows (answered by the error
    handler, as an alert under the button)."""
    del update, context
    raise StaleButton()
