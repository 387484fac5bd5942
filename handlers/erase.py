"""🗑 Delete on a record's card: a confirmation naming what will go, then the erasure in one
transaction (its owner or a manager; anyone else's id finds nothing)."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.presentation import export as view
from bot.presentation.replies import edit
from bot.services import erasure
from models.base import utcnow


async def delete_button(update: Update, context: BotContext) -> None:
    lead_id = callbacks.button(update).id(0)
    async with context.read() as session:
        lead, held = await erasure.held(session, lead_id)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, *view.confirm_delete(context.t, lead, held))


async def confirm_button(update: Update, context: BotContext) -> None:
    lead_id = callbacks.button(update).id(0)
    async with context.write() as session:
        await erasure.erase(session, lead_id, by=context.me, now=utcnow())
    query = update.callback_query
    if query is not None:
        await query.answer()
        await edit(query, view.deleted(context.t))
