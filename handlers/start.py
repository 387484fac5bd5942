"""/start (onboarding, invite redemption, an unsaved card shown again) and /help.

`/start r-<code>` (a record's deep link) has a handler of its own, registered before this one."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext
from bot.db import Scope
from bot.flows import CardFlow, CardStep
from bot.presentation import cards, zones
from bot.presentation.labels import role_name
from bot.presentation.replies import reply
from bot.services import capture, claims, drafts, flows, invites
from models.base import utcnow

log = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """Greet, redeem an invite link, and ask for the time zone if it is still unknown."""
    payload = context.args[0] if context.args else ""
    if payload.startswith(invites.PREFIX):
        await _redeem(update, context, payload.removeprefix(invites.PREFIX))
        return
    if payload.startswith(claims.PREFIX) and context.member is None:
        await _claim(update, context, payload.removeprefix(claims.PREFIX))
    member, t = context.me, context.t
    team = await context.team()
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
        await reply(update, *zones.question(t, member, context.settings.default_timezone, utcnow()))
    await _unsaved_card(update, context)


async def _unsaved_card(update: Update, context: BotContext) -> None:
    """An unsaved card is shown again (e.g. after a restart of the bot), with working buttons."""
    member = context.me
    async with context.read() as session:
        draft = await drafts.current(session, member)
        flow = await flows.current_of(session, member, CardFlow)
    if draft is None:
        return
    card = drafts.card_of(draft)
    if card.is_empty or (flow is not None and flow.step is CardStep.NEW and flow.nonce == draft.nonce):
        return  # /new is still asking: its question is on screen
    async with context.read(capture.team_wide(member)) as session:
        duplicate = await capture.duplicate_for(session, member, card)
    duplicate_id = duplicate.merge_id if duplicate is not None else None
    if duplicate_id != draft.duplicate_id:  # Merge offers the record found now
        async with context.write() as session:
            await drafts.revise(session, member, draft.nonce, card, duplicate_id=duplicate_id)
    await reply(update, context.t("You have a card that is not saved yet:"))
    await reply(update, *cards.preview(context.t, draft.nonce, card, duplicate))


async def _claim(update: Update, context: BotContext, token: str) -> None:
    """The first run's claim link: the opener becomes the owner of the first team (a refusal is
    answered by the error handler)."""
    user = update.effective_user
    if user is None:
        return
    language = context.catalogs.negotiate(user.language_code)
    t = context.catalogs.get(language)
    async with context.write(Scope.system()) as session:
        context.member = await claims.claim(
            session,
            token,
            telegram_user_id=user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
            language=language,
            default_timezone=context.settings.default_timezone,
            team_name=t("{name}'s team").format(name=user.first_name),
            now=utcnow(),
        )
    log.info("team %s claimed by its first owner through the claim link", context.member.team_id)
    context.t = t
    context.bootstrapped = True


async def _redeem(update: Update, context: BotContext, token: str) -> None:
    user = update.effective_user
    if user is None:
        return
    if context.member is not None:
        await reply(update, context.t("You are already a member of a team. Send /help to see what I can do."))
        return
    language = context.catalogs.negotiate(user.language_code)
    async with context.write(Scope.system()) as session:  # a refused invite is answered by the error handler
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
    log.info("member %s joined team %s", member.id, team.id)
    context.member = member
    context.t = t = context.catalogs.get(member.language)
    await reply(
        update,
        t(
            "Welcome to <b>{team}</b>, {name}! You joined as a {role}.\n\n"
            "After a meeting, send me the business card and I will keep the lead for you.",
            team=team.name,
            name=member.first_name,
            role=role_name(t, member.role),
        ),
    )
    await reply(update, *zones.question(t, member, context.settings.default_timezone, utcnow()))


async def help_command(update: Update, context: BotContext) -> None:
    """One screen: what the bot does and the commands."""
    t, member = context.t, context.me
    lines = [
        t("<b>Your sales assistant</b>"),
        t(
            "After a meeting, send me the business card: a photo, a shared contact, a .vcf file or the text. "
            "I keep it as a lead, ask a few qualification questions, and move it through the funnel: "
            "suspect, lead, prospect, opportunity, customer or lost. A lead that is not ready yet is parked "
            "with a follow-up date, and I remind you when it is due."
        ),
        t(
            "Forward me messages from a prospect: someone new becomes a lead with their Telegram account, "
            "a record you have gets them as one note. In your team's group, reply to a message with /lead."
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
        t("/export – your records as CSV, Excel or vCards"),
        t("/retention – how long the team's records are kept"),
        t("/settings – language and time zone"),
        t("/cancel – leave whatever we are doing"),
        t("/help – this message"),
    ]
    if member.role.sees_team:
        lines.append(t("/invite – invite a rep to your team (/invite manager for a manager)"))
        lines.append(t("/team – members, roles, removals and invites"))
        lines.append(t("/qualification – the team's qualification criteria and pass mark"))
        lines.append(t("/events – trade fairs and events: cards, deals won and the cost per won deal"))
        lines.append(t("/subscribe – in your team's group: daily or weekly funnel summaries there (see /settings)"))
    await reply(update, "\n".join(lines))
