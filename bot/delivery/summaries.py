"""Group summaries: scheduled delivery once per period, and sending one (also for /funnel).

Sending is I/O with its own quirks: the chart goes as a photo with the summary as its caption when
that fits, otherwise with the heading as caption and the text as the next message; a group that
became a supergroup answers with its new id (ChatMigrated) and the summary follows it there; without
the right to send photos, the summary goes as text. Only a group that is gone for the bot (removed,
kicked, blocked, chat not found) is switched off; any other refusal skips this period (it is tried
again next period) and the team's managers are told in private.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot import charts
from bot.db import Scope
from bot.delivery import App
from bot.domain import summary as maths
from bot.i18n import Translator
from bot.presentation.fitting import CAPTION_LIMIT
from bot.presentation.summaries import chart_of, render_summary, summary_not_delivered
from bot.services import members, summaries
from bot.services import team as team_service
from bot.state import state_of
from models import GroupSubscription
from models.base import utcnow

log = logging.getLogger(__name__)


# What Telegram says when the bot can no longer post in a chat at all.
# A closed or deleted forum topic is gone in the same way: its summaries stop until /subscribe again.
GONE = ("chat not found", "bot was kicked", "bot is not a member", "bot was blocked", "group chat was deactivated",
        "chat was deleted", "have no rights to send a message", "not enough rights to send text",
        "topic_closed", "topic closed", "topic_deleted", "topic deleted", "message thread not found")  # fmt: skip


def group_gone(exc: TelegramError) -> bool:
    """Whether `exc` means the bot cannot post in that chat any more (switch its summaries off)."""
    if isinstance(exc, Forbidden):
        return True
    return isinstance(exc, BadRequest) and any(words in str(exc).lower() for words in GONE)


def _no_photo_rights(exc: BadRequest) -> bool:
    text = str(exc).lower()
    return "rights" in text or "not enough" in text


async def send_summary(
    bot: Bot,
    chat_id: int,
    t: Translator,
    s: maths.Summary,
    *,
    title: str,
    thread_id: int | None = None,
    by_rep: bool = False,
) -> int:
    """The chart as a photo, the summary as its caption when it fits, otherwise as the next message;
    in a forum supergroup, in the topic `thread_id`. Returns the chat id it went to (a group that
    became a supergroup has a new one, and no topics yet). `by_rep` only in a manager's private chat."""
    heading, text = render_summary(t, s, title=title, by_rep=by_rep)
    png = await asyncio.to_thread(charts.render_png, chart_of(t, s, heading))
    try:
        return await _send(bot, chat_id, png, heading, text, thread_id)
    except ChatMigrated as exc:
        return await _send(bot, exc.new_chat_id, png, heading, text, None)


async def _send(bot: Bot, chat_id: int, png: bytes, heading: str, text: str, thread_id: int | None) -> int:
    fits = len(text) <= CAPTION_LIMIT
    try:
        await bot.send_photo(chat_id, png, caption=text if fits else heading, message_thread_id=thread_id)
    except BadRequest as exc:
        if not _no_photo_rights(exc):
            raise
        log.warning("no right to send photos in chat %s; sending the summary as text", chat_id)
        fits = False
    if not fits:
        await bot.send_message(chat_id, text, message_thread_id=thread_id)
    return chat_id


def _id(sub: GroupSubscription) -> int:
    if sub.id is None:
        raise ValueError("an unsaved subscription")
    return sub.id


async def deliver_due(app: App, owner: str, now: datetime | None = None) -> int:
    """Send each due group summary once per period; a group that is gone is switched off, not retried."""
    db = state_of(app).db
    catalogs = state_of(app).catalogs
    now = now or utcnow()
    async with db.begin(Scope.system()) as session:
        due = await summaries.claim_due(session, now=now, owner=owner)
    sent = 0
    for sub in due:
        async with db.read(Scope.system()) as session:
            team = await members.get_team(session, sub.team_id)
        if team is None or team.id is None:
            continue  # gone with its team (the subscription goes with it)
        kind = maths.summary_kind(sub.period.value)
        period = maths.complete_period(kind, now, team.timezone, maths.calendar_of(team.language))
        if sub.last_period_key == period.key:  # already sent for this period (e.g. before a restart)
            async with db.begin(Scope.system()) as session:
                await summaries.mark_done(session, _id(sub), key=None, snapshot=None, now=now, zone=team.timezone)
            continue
        async with db.read(Scope(team_id=team.id, member_id=None, sees_team=True)) as session:
            summary = await summaries.compute(session, team, period, now=now, snapshot=sub.last_snapshot)
        try:
            chat_id = await send_summary(
                app.bot,
                sub.chat_id,
                catalogs.get(team.language),
                summary,
                title=team.name,
                thread_id=sub.message_thread_id,
            )
        except (Forbidden, BadRequest) as exc:
            gone = group_gone(exc)
            async with db.begin(Scope.system()) as session:
                if gone:
                    await summaries.disable(session, sub.chat_id, reason=str(exc), now=utcnow())
                else:  # tried again next period; this period's comparison carries over
                    await summaries.mark_done(
                        session, _id(sub), key=period.key, snapshot=None, now=now, zone=team.timezone
                    )
            what = "switched off" if gone else "next period"
            log.warning("summary for chat %s not delivered (%s): %s", sub.chat_id, what, exc)
            await tell_managers(app, team.id, sub.chat_id, switched_off=gone)
            continue
        except TelegramError as exc:  # network trouble: the lease lapses and a later poll tries again
            log.warning("summary for chat %s not sent: %s", sub.chat_id, exc)
            continue
        async with db.begin(Scope.system()) as session:
            if chat_id != sub.chat_id:
                await summaries.migrate(session, sub.chat_id, chat_id, now=utcnow())
            await summaries.mark_done(
                session, _id(sub), key=period.key, snapshot=summary.snapshot(), now=now, zone=team.timezone
            )
        sent += 1
    return sent


async def tell_managers(
    app: App, team_id: int, chat_id: int, *, switched_off: bool, topic_closed: bool = False
) -> None:
    """A summary could not be delivered (or its topic was closed): the team's owners and managers
    hear it in private."""
    state = state_of(app)
    async with state.db.read(Scope(team_id=team_id, member_id=None, sees_team=True)) as session:
        leaders = await team_service.leaders(session)
        link = await summaries.link_of(session, chat_id)
    title = link.chat_title if link is not None and link.chat_title else str(chat_id)
    for leader in leaders:
        t = state.catalogs.get(leader.language)
        try:
            text = summary_not_delivered(t, title, switched_off=switched_off, topic_closed=topic_closed)
            await app.bot.send_message(leader.telegram_user_id, text)
        except TelegramError as exc:
            log.info("could not tell a manager about an undelivered summary: %s", type(exc).__name__)
