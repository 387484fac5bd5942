"""/invite: an owner or manager creates a single-use invite link."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import BotContext
from bot.domain.dates import fold, normalise
from bot.presentation import keyboards, links
from bot.presentation.replies import reply
from bot.presentation.settings import invite_text
from bot.services import invites
from models import Role
from models.base import utcnow


async def invite_command(update: Update, context: BotContext) -> None:
    t, member = context.t, context.me
    wanted = fold(normalise(context.args[0])) if context.args else "rep"
    role = Role.MANAGER if wanted in ("manager", fold(normalise(t("manager")))) else Role.REP
    invites.check_can_invite(member, role)  # refused before anything is read or written
    team = await context.team()
    hours = context.settings.invite_ttl_hours
    async with context.write() as session:
        new = await invites.create_invite(session, member, role=role, ttl=timedelta(hours=hours), now=utcnow())
    link = links.invite_link(context.bot.username, new.token)
    text = invite_text(t, role, team, link, hours, new.expires_at, context.tz())
    await reply(update, text, keyboards.share_invite(t, link))
