"""The access gate: runs before every handler, loads the member, stops strangers; and the end of
every update, which writes what the gate noticed when the handler wrote nothing."""

from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext, PendingWrite
from bot.db import Scope
from bot.services import invites, members, reminders
from models import Member
from models.base import utcnow

log = logging.getLogger(__name__)


def _is_invite_start(update: Update) -> bool:
    message = update.effective_message
    text = (message.text or "") if message else ""
    return text.startswith("/start ") and text.split(maxsplit=1)[1].startswith(invites.STRANGER_PAYLOADS)


async def gate(update: Update, context: BotContext) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None:
        raise ApplicationHandlerStop
    now = utcnow()
    settings = context.settings
    async with context.read(Scope.system()) as session:
        member = await members.find_by_telegram_id(session, user.id)
    if member is not None:
        returning = not member.is_active
        changed = members.refresh_profile(
            member, first_name=user.first_name, last_name=user.last_name, username=user.username, now=now
        )
        if changed:
            context.pending.append(_visit(member, returning=returning))
    elif user.id in settings.admin_ids and chat.type == ChatType.PRIVATE:
        language = context.catalogs.negotiate(user.language_code)
        t = context.catalogs.get(language)
        async with context.write(Scope.system()) as session:
            member = await members.bootstrap_owner(
                session,
                telegram_user_id=user.id,
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
                language=language,
                default_timezone=settings.default_timezone,
                now=now,
                team_name=t("{name}'s team").format(name=user.first_name),
            )
        log.info("bootstrapped team %s for an admin", member.team_id)
        context.bootstrapped = True
    context.member = member
    if member is not None:
        context.t = context.catalogs.get(member.language)
        return
    context.t = context.catalogs.get(context.catalogs.negotiate(user.language_code))
    if chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # strangers in groups get silence, not a reply per message
    if _is_invite_start(update):
        return  # the /start handler redeems the invite
    # Their own id, so that an owner can add them (ADMIN_IDS) or knows whom an invite is for.
    refusal = context.t(
        "Hello! I am a private sales assistant for teams. To use me, ask your team's manager for an invite link. "
        "Your Telegram user id is {id}.",
        id=str(user.id),  # digits as they are: to be pasted into ADMIN_IDS
    )
    log.info("refused a stranger, Telegram user id %s", user.id)
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    else:
        await chat.send_message(refusal)
    raise ApplicationHandlerStop


def _visit(member: Member, *, returning: bool) -> PendingWrite:
    async def write(session: AsyncSession) -> None:
        now = utcnow()
        await members.note_visit(session, member, now=now)
        if returning:  # back after blocking the bot: what could not be delivered goes out now
            await reminders.rearm(session, member, now=now)

    return write


async def finish(update: Update, context: BotContext) -> None:
    """The last handler of every update: the gate's writes, if the handler made none."""
    del update
    await context.flush_pending()
