"""Team funnel summaries in group chats: /start in a group (through the team's signed link), /link,
/unlink, /subscribe, /unsubscribe, /funnel, and the group's life (the bot removed, the group
upgraded to a supergroup). A group belongs to the one team a manager linked it to: only then does
it get summaries, and /funnel there answers only that team's members. Groups see aggregates only;
the summary is rendered in bot/presentation/summaries.py and sent by bot/delivery/summaries.py."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.context import BotContext
from bot.db import Scope
from bot.delivery.summaries import send_summary, tell_managers
from bot.domain import summary as maths
from bot.presentation.links import team_of_group_payload
from bot.presentation.replies import reply
from bot.services import summaries
from models import SummaryPeriod
from models.base import utcnow
from models.errors import N_, DomainError

log = logging.getLogger(__name__)


def _title(update: Update) -> str | None:
    return update.effective_chat.title if update.effective_chat is not None else None


def _topic(update: Update) -> int | None:
    """The forum topic the update's message was sent in (None: a group's main chat)."""
    message = update.effective_message
    return message.message_thread_id if message is not None and message.is_topic_message else None


def _group_chat(update: Update) -> int | None:
    """The id of the update's chat when it is a group."""
    chat = update.effective_chat
    if chat is None or chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return None
    return chat.id


async def subscribe_command(update: Update, context: BotContext) -> None:
    """/subscribe daily 9:00 | weekly monday 9:00, by a manager, in the team's group."""
    member = context.me
    chat_id = _group_chat(update)
    if chat_id is None:
        await reply(update, context.t("Send /subscribe in your team's group. Add me to it from /settings."))
        return
    if not member.role.sees_team:  # before reading the schedule (the service checks it again)
        raise DomainError(N_("Only a manager of the team can subscribe this group."))
    schedule = maths.parse_schedule(context.args or [], member.language)
    if schedule is None:
        await reply(
            update, context.t("Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 (the team's time zone).")
        )
        return
    title = _title(update)
    team = await context.team()
    async with context.read(Scope.system()) as session:
        await summaries.team_group(session, chat_id, member)  # refused before anything is written
    async with context.write(Scope.system()) as session:
        sub = await summaries.subscribe(
            session,
            team,
            chat_id=chat_id,
            title=title,
            schedule=schedule,
            by=member,
            now=utcnow(),
            thread_id=_topic(update),
        )
    t = context.catalogs.get(team.language)  # the group hears the team's language
    when = t("every day") if schedule.period is SummaryPeriod.DAILY else t("every week")
    next_one = t.when(sub.next_due_at, team.timezone) if sub.next_due_at is not None else "–"
    await reply(
        update,
        t(
            "✅ This group gets {team}'s funnel summary {when}. The next one: {date}.",
            team=team.name,
            when=when,
            date=next_one,
        ),
    )


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    """/unsubscribe: a manager of the team stops the group's summaries."""
    member = context.me
    chat = update.effective_chat
    if chat is None:
        return
    async with context.write(Scope.system()) as session:
        await summaries.unsubscribe(session, chat.id, by=member, now=utcnow())
    await reply(update, context.t("Done: no more summaries here. /subscribe starts them again."))


async def funnel_command(update: Update, context: BotContext) -> None:
    """/funnel [week|month|quarter]: this period so far, in a group (the team) or in private
    (the team for a manager, one's own records for a rep)."""
    member = context.me
    chat = update.effective_chat
    if chat is None:
        return
    kind = maths.funnel_kind(context.args or [])
    if kind is None:
        await reply(update, context.t("Send /funnel week, /funnel month or /funnel quarter."))
        return
    team = await context.team()
    group = _group_chat(update)
    scope, t, title = context.scope, context.t, member.display_name
    if group is not None:
        async with context.read(Scope.system()) as session:
            await summaries.team_group(session, group, member)  # not linked, or another team's: refused
        # A group linked to the member's team sees the team, in the team's language.
        scope, t = Scope(team_id=team.id, member_id=None, sees_team=True), context.catalogs.get(team.language)
    if scope.sees_team:
        title = team.name
    now = utcnow()
    period = maths.period_to_date(kind, now, team.timezone, maths.calendar_of(team.language))
    async with context.read(scope) as session:
        summary = await summaries.compute(session, team, period, now=now, team_wide=scope.sees_team)
    by_rep = group is None and member.role.sees_team  # conversion per rep: a manager, in private
    await send_summary(update.get_bot(), chat.id, t, summary, title=title, thread_id=_topic(update), by_rep=by_rep)


async def group_start(update: Update, context: BotContext) -> None:
    """/start in a group. Through the team's signed link (`startgroup`), sent by a manager of that
    team: the group is linked to it. Otherwise: how to go on, as the group's state allows."""
    member = context.me
    chat_id = _group_chat(update)
    if chat_id is None:
        return
    payload = (context.args or [""])[0]
    team_id = team_of_group_payload(payload, context.settings.telegram_bot_token.get_secret_value())
    if team_id is not None and team_id == member.team_id and member.role.sees_team:
        await _link(update, context, chat_id)
        return
    async with context.read(Scope.system()) as session:
        await summaries.team_group(session, chat_id, member)  # not linked, or another team's: refused
    if member.role.sees_team:
        text = context.t("Hello, team! Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 to get summaries.")
    else:
        text = context.t("Hello! A manager of the team can send /subscribe to get funnel summaries here.")
    await reply(update, text)


async def link_command(update: Update, context: BotContext) -> None:
    """/link in a group, by a manager: the group becomes their team's (unless another team's)."""
    chat_id = _group_chat(update)
    if chat_id is None:
        return
    if not context.me.role.sees_team:
        raise DomainError(N_("Only a manager of the team can link or unlink this group."))
    await _link(update, context, chat_id)


async def _link(update: Update, context: BotContext, chat_id: int) -> None:
    team = await context.team()
    async with context.read(Scope.system()) as session:
        link = await summaries.link_of(session, chat_id)
    if link is not None and link.team_id != team.id:
        raise DomainError(summaries.OTHER_TEAM)
    async with context.write(Scope.system()) as session:
        await summaries.link(session, team, chat_id=chat_id, title=_title(update), by=context.me, now=utcnow())
    t = context.catalogs.get(team.language)  # the group hears the team's language
    await reply(
        update,
        t(
            "✅ This group now belongs to {team}. Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 "
            "for summaries, /funnel month for the month so far; /unlink undoes it.",
            team=team.name,
        ),
    )


async def unlink_command(update: Update, context: BotContext) -> None:
    """/unlink in a group, by a manager of its team: no more summaries, no more /funnel here."""
    member = context.me
    chat_id = _group_chat(update)
    if chat_id is None:
        return
    async with context.read(Scope.system()) as session:
        await summaries.team_group(session, chat_id, member)
    if not member.role.sees_team:
        raise DomainError(N_("Only a manager of the team can link or unlink this group."))
    async with context.write(Scope.system()) as session:
        await summaries.unlink(session, chat_id, by=member, now=utcnow())
    await reply(
        update,
        context.t("Unlinked: this group gets no summaries and no figures any more. A manager can /link it again."),
    )


# --- the group's life (before the access gate: whoever caused it) -------------------------------


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was removed from a group (or banned): its subscription is switched off, once, and
    the group is no team's any more (adding the bot again needs the link or /link)."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    if status not in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return
    async with context.write(Scope.system()) as session:
        switched_off = await summaries.forget_group(session, change.chat.id, reason=f"bot {status}", now=utcnow())
    if switched_off:
        log.info("summaries for chat %s switched off: the bot was removed", change.chat.id)


async def on_migrate(update: Update, context: BotContext) -> None:
    """The group became a supergroup: its subscription follows it to the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    async with context.write(Scope.system()) as session:
        moved = await summaries.migrate(session, old, new, now=utcnow())
    if moved:
        log.info("summaries moved from chat %s to supergroup %s", old, new)


async def on_topic_closed(update: Update, context: BotContext) -> None:
    """A forum topic was closed: if the group's summaries go there, they stop (as for a group the
    bot left) and the team's managers are told in private. A deleted topic is noticed when the
    next summary is refused (bot/delivery/summaries.py)."""
    message = update.effective_message
    if message is None or message.message_thread_id is None:
        return
    async with context.write(Scope.system()) as session:
        team_id = await summaries.close_topic(session, message.chat.id, message.message_thread_id, now=utcnow())
    if team_id is not None:
        log.info("summaries for chat %s switched off: their topic was closed", message.chat.id)
        await tell_managers(context.application, team_id, message.chat.id, switched_off=True, topic_closed=True)
