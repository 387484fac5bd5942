"""What is left over: /cancel, text outside any flow, unknown commands, stale buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import Update

from bot.context import BotContext
from bot.flows import FlowKind
from bot.presentation.replies import message_text
from bot.services import flows
from handlers.common import drop_keyboard, reply

TextStep = Callable[[Update, BotContext], Awaitable[None]]

# Longer messages are refused before any parsing: Telegram allows 4096 characters.
MAX_TEXT = 4096


async def cancel(update: Update, context: BotContext) -> None:
    """Leave any flow. Always works, and says what happened."""
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        state = await flows.clear(session, context.member)
    if state is None:
        await reply(update, context.t("There is nothing to cancel. Send /help to see what I can do."))
        return
    if state.chat_id and state.message_id:
        await drop_keyboard(update, state.chat_id, state.message_id)
    await reply(update, context.t("Cancelled. Everything you saved before is kept."))


def text_router(steps: Mapping[FlowKind, TextStep], default: TextStep) -> TextStep:
    """Send a text message to the flow the member is in, or to `default` when none is open."""
    missing = set(FlowKind) - set(steps)
    if missing:
        raise ValueError(f"flows without a text step: {sorted(missing)}")

    async def on_text(update: Update, context: BotContext) -> None:
        if len(message_text(update)) > MAX_TEXT:
            await reply(update, context.t("That message is too long for me. Please send a shorter one."))
            return
        async with context.read() as session:
            state = await flows.get(session, context.me)
        kind = FlowKind(state.flow) if state is not None and state.flow in FlowKind._value2member_map_ else None
        await (steps[kind] if kind is not None else default)(update, context)

    return on_text


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply(update, context.t("I don't know that command. Send /help to see what I can do."))


async def other_message(update: Update, context: BotContext) -> None:
    await reply(update, context.t("I can't use that kind of message here. Send /help to see what I can do."))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or one this version no longer knows."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.t("This button is no longer active. Please send the command again."), show_alert=True)
