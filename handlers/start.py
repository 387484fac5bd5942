"""/start (onboarding, invite redemption) and /help."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.db import Scope
from bot.services import invites
from handlers import capture
from handlers.common import load_team, reply
from handlers.settings import ask_timezone, role_name
from models.base import utcnow

log = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """Greet, redeem an invite link, and ask for the time zone if it is still unknown."""
    payload = context.args[0] if context.args else ""
    if payload.startswith(invites.PREFIX):
        await _redeem(update, context, payload.removeprefix(invites.PREFIX))
        return
    member = context.member
    assert member is not None
    t = context.t
    team = await load_team(context)
    if context.bootstrapped:
        text = t(
            "Welcome, {name}! Your team <b>{team}</b> is ready and you are its owner.\n\n"
            "Invite your reps with /invite. Send /help to see what I can do.",
            name=member.first_name,
            team=team.name,
        )
    else:
        text = t(
            "Hello, {name}! You are a {role} in <b>{team}</b>.\n\n"
            "After a meeting, send me the business card and I will keep the lead for you. "
            "Send /help to see everything I can do.",
            name=member.first_name,
            role=role_name(t, member.role),
            team=team.name,
        )
    await reply(update, text)
    if member.timezone is None:
        await ask_timezone(update, context)
    await capture.resume_draft(update, context)


async def _redeem(update: Update, context: BotContext, token: str) -> None:
    user = update.effective_user
    assert user is not None
    if context.member is not None:
        await reply(update, context.t("You are already a member of a team. Send /help to see what I can do."))
        return
    language = context.catalogs.negotiate(user.language_code)
    try:
        async with context.db.begin(Scope.system()) as session:
            member, team = await invites.redeem(
                session,
                token,
                telegram_user_id=user.id,
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
                language=language,
                now=utcnow(),
            )
    except invites.InviteError as exc:
        await reply(update, context.t(exc.message, **exc.params))
        return
    log.info("member %s joined team %s", member.id, team.id)
    context.member = member
    context.t = context.catalogs.get(member.language)
    await reply(
        update,
        context.t(
            "Welcome to <b>{team}</b>, {name}! You joined as a {role}.\n\n"
            "After a meeting, send me the business card and I will keep the lead for you.",
            team=team.name,
            name=member.first_name,
            role=role_name(context.t, member.role),
        ),
    )
    await ask_timezone(update, context)


async def help_command(update: Update, context: BotContext) -> None:
    """One screen: what the bot does and the commands."""
    t = context.t
    member = context.member
    assert member is not None
    lines = [
        t("<b>Your sales assistant</b>"),
        t(
            "After a meeting, send me the business card: a photo, a shared contact, a .vcf file or the text. "
            "I keep it as a lead, ask a few qualification questions, and move it through the funnel: "
            "suspect, lead, prospect, opportunity, customer or lost. A lead that is not ready yet is parked "
            "with a follow-up date, and I remind you when it is due."
        ),
        "",
        t("/new – add a lead field by field"),
        t("/leads – my records by stage"),
        t("/find – find a record by name, company, e-mail or phone"),
        t("/note – add a note to the open record"),
        t("/pipeline – my funnel in one message"),
        t("/remind – a reminder in words: /remind Ana Friday 3pm call about the quote"),
        t("/nudges – the automatic reminders: morning digest, quiet records, close dates, birthdays"),
        t("/funnel – the funnel with a chart: /funnel week, month or quarter"),
        t("/settings – language and time zone"),
        t("/cancel – leave whatever we are doing"),
        t("/help – this message"),
    ]
    if member.role.sees_team:
        lines.append(t("/invite – invite a rep to your team (/invite manager for a manager)"))
        lines.append(t("/qualification – the team's qualification criteria and pass mark"))
        lines.append(t("/subscribe – in your team's group: daily or weekly funnel summaries there (see /settings)"))
    await reply(update, "\n".join(lines))
