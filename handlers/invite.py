"""/invite: an owner or manager creates a single-use invite link."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.context import BotContext
from bot.presentation import keyboards
from bot.services import invites, members
from handlers.common import reply
from handlers.settings import role_name
from models import Role
from models.base import utcnow


async def invite_command(update: Update, context: BotContext) -> None:
    member = context.member
    assert member is not None
    t = context.t
    wanted = context.args[0].lower() if context.args else "rep"
    role = Role.MANAGER if wanted in ("manager", t("manager").lower()) else Role.REP
    if not invites.can_invite(member, role):
        text = (
            t("Only the team's owner can invite a manager.")
            if member.role is Role.MANAGER
            else t("Only the team's owner or a manager can invite people.")
        )
        await reply(update, text)
        return
    async with context.db.begin(context.scope) as session:
        new = await invites.create_invite(
            session, member, role=role, ttl=timedelta(hours=context.settings.invite_ttl_hours), now=utcnow()
        )
        team = await members.get_team(session, member.team_id)
    assert team is not None
    link = f"https://t.me/{context.bot.username}?start={invites.PREFIX}{new.token}"
    hours = context.settings.invite_ttl_hours
    text = "\n\n".join(
        [
            t(
                "Invite link for a new {role} of <b>{team}</b>:\n{link}",
                role=role_name(t, role),
                team=team.name,
                link=link,
            ),
            t.plural(
                "It works once, for {n} hour (until {expires}).",
                "It works once, for {n} hours (until {expires}).",
                hours,
                expires=t.datetime(new.expires_at, context.tz(), "short"),
            ),
            t("Send it only to the person you invite."),
        ]
    )
    await reply(update, text, keyboards.share_invite(t, link))
