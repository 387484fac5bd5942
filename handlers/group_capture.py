"""/lead in a team's group: a member replies to a message with /lead, and the person it is about
(a contact shared in it, the author of what it forwards, someone mentioned by name, or its sender)
becomes a lead owned by the one who asked. The group only hears that it was done; the record, or
the record that already had the contact, is told in private."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.db import Scope
from bot.domain.forwards import card_in
from bot.domain.hygiene import tidy_card
from bot.presentation import forwards
from bot.presentation.replies import reply
from bot.services import capture, summaries
from models.base import utcnow

log = logging.getLogger(__name__)


async def lead_command(update: Update, context: BotContext) -> None:
    member, t = context.me, context.t
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    async with context.read(Scope.system()) as session:
        link = await summaries.team_group(session, chat.id, member)  # not linked, or another team's: refused
    replied = message.reply_to_message
    card = card_in(replied.to_dict(), capture.phone_region(await context.team(), member)) if replied else None
    if card is None or card.is_empty or card.telegram_id == member.telegram_user_id:
        await reply(update, forwards.lead_how(t))
        return
    card = tidy_card(card)
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    lead = None
    if duplicate is None:
        async with context.write() as session:
            lead = await capture.save_card(session, member, card, now=utcnow(), source=None)
    await reply(update, forwards.group_done(t))  # the group hears nothing of the contact
    text, markup = (
        forwards.lead_from_group(t, lead, link.chat_title or chat.title or "–")
        if lead is not None
        else forwards.lead_known(t, duplicate)
        if duplicate is not None
        else (forwards.lead_how(t), None)
    )
    try:
        await context.bot.send_message(member.telegram_user_id, text, reply_markup=markup)
    except TelegramError as exc:  # e.g. the member never opened a private chat with the bot
        log.info("could not tell a member about /lead in private: %s", type(exc).__name__)
