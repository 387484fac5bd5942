"""Team funnel summaries in group chats: /subscribe, /unsubscribe, /funnel, and the group's life
(the bot removed, the group upgraded to a supergroup). Groups see aggregates only: counts, rates,
sums and reps' names, never a contact's name, e-mail or phone."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot import charts
from bot.context import BotContext
from bot.db import Database, Scope
from bot.domain import summary as maths
from bot.domain.dates import WEEKDAYS, normalise
from bot.i18n import N_, Translator
from bot.presentation.labels import LOST_NAMES, stage_name
from bot.services import members, summaries
from bot.state import state_of
from handlers.common import reply
from models import Stage, SummaryPeriod, Team
from models.base import utcnow

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096
GROUP_LINK_PREFIX = "g"
ARROWS = {"up": "▲", "down": "▼", "same": "="}
PERIOD_WORDS = {
    "daily": SummaryPeriod.DAILY, "day": SummaryPeriod.DAILY, "dnevno": SummaryPeriod.DAILY,
    "denně": SummaryPeriod.DAILY, "codziennie": SummaryPeriod.DAILY, "дневно": SummaryPeriod.DAILY,
    "روزانه": SummaryPeriod.DAILY, "weekly": SummaryPeriod.WEEKLY, "week": SummaryPeriod.WEEKLY,
    "tjedno": SummaryPeriod.WEEKLY, "týdně": SummaryPeriod.WEEKLY, "tygodniowo": SummaryPeriod.WEEKLY,
    "неделно": SummaryPeriod.WEEKLY, "هفتگی": SummaryPeriod.WEEKLY,
}  # fmt: skip
KIND_WORDS = {
    "week": "week", "tjedan": "week", "týden": "week", "tydzień": "week", "недела": "week", "هفته": "week",
    "month": "month", "mjesec": "month", "měsíc": "month", "miesiąc": "month", "месец": "month", "ماه": "month",
    "quarter": "quarter", "kvartal": "quarter", "čtvrtletí": "quarter", "kwartał": "quarter",
    "квартал": "quarter", "فصل": "quarter", "day": "day", "today": "day",
}  # fmt: skip
KIND_TITLES = {
    "day": N_("📊 <b>{team}</b>: the funnel, {start}"),
    "week": N_("📊 <b>{team}</b>: the funnel, week {start} – {end}"),
    "month": N_("📊 <b>{team}</b>: the funnel, {start} – {end}"),
    "quarter": N_("📊 <b>{team}</b>: the funnel, {start} – {end}"),
}
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def parse_schedule(args: list[str], language: str) -> tuple[SummaryPeriod, int | None, str] | None:
    """`daily 9:00` or `weekly monday 9:00` (in the member's language or English); None if unreadable."""
    words = [normalise(a) for a in args]
    if not words or words[0] not in PERIOD_WORDS:
        return None
    period = PERIOD_WORDS[words[0]]
    rest = words[1:]
    weekday = None
    if period is SummaryPeriod.WEEKLY:
        names = {}
        for lang in dict.fromkeys((language if language in WEEKDAYS else "en", "en")):
            for i, group in enumerate(WEEKDAYS[lang]):
                names.update(dict.fromkeys(group.split("|"), i))
        if not rest or rest[0] not in names:
            return None
        weekday, rest = names[rest[0]], rest[1:]
    clock = rest[0] if rest else "9:00"
    match = _TIME.match(clock)
    if len(rest) > 1 or not match or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
        return None
    return period, weekday, f"{int(match.group(1)):02d}:{int(match.group(2) or 0):02d}"


async def _team(db: Database, team_id: int) -> Team:
    async with db.begin(Scope.system()) as session:
        team = await members.get_team(session, team_id)
    assert team is not None
    return team


async def subscribe_command(update: Update, context: BotContext) -> None:
    """/subscribe daily 9:00 | weekly monday 9:00, by a manager, in the team's group."""
    member, chat = context.member, update.effective_chat
    assert member is not None and chat is not None
    t = context.t
    if not _in_group(update):
        await reply(update, t("Send /subscribe in your team's group. Add me to it from /settings."))
        return
    if not member.role.sees_team:
        await reply(update, t("Only a manager of the team can subscribe this group."))
        return
    schedule = parse_schedule(context.args or [], member.language)
    if schedule is None:
        await reply(update, t("Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 (the team's time zone)."))
        return
    team = await _team(context.db, member.team_id)
    async with context.db.begin(Scope.system()) as session:
        existing = await summaries.subscription_of(session, chat.id)
        if existing is not None and existing.team_id != member.team_id:
            await reply(update, t("This group already receives another team's summaries."))
            return
        sub = await summaries.subscribe(
            session, team, chat_id=chat.id, title=chat.title, period=schedule[0], weekday=schedule[1],
            local_time=schedule[2], by=member, now=utcnow(),
        )  # fmt: skip
    t = context.catalogs.get(team.language)  # the group hears the team's language
    assert sub.next_due_at is not None
    await reply(
        update,
        t(
            "✅ This group gets {team}'s funnel summary {when}. The next one: {date}.",
            team=team.name,
            when=t("every day") if schedule[0] is SummaryPeriod.DAILY else t("every week"),
            date=t.datetime(sub.next_due_at, team.timezone, "full"),
        ),
    )


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    member, chat = context.member, update.effective_chat
    assert member is not None and chat is not None
    t = context.t
    async with context.db.begin(Scope.system()) as session:
        sub = await summaries.subscription_of(session, chat.id)
        if sub is None or not sub.enabled or sub.team_id != member.team_id:
            await reply(update, t("This chat has no summaries to stop."))
            return
        if not member.role.sees_team:
            await reply(update, t("Only a manager of the team can unsubscribe this group."))
            return
        await summaries.disable(session, chat.id, reason="unsubscribed", now=utcnow())
    await reply(update, t("Done: no more summaries here. /subscribe starts them again."))


async def funnel_command(update: Update, context: BotContext) -> None:
    """/funnel [week|month|quarter]: this period so far, in a group (the team) or in private
    (the team for a manager, one's own records for a rep)."""
    member, chat = context.member, update.effective_chat
    assert member is not None and chat is not None
    word = normalise(context.args[0]) if context.args else "week"
    kind = KIND_WORDS.get(word)
    if kind is None:
        await reply(update, context.t("Send /funnel week, /funnel month or /funnel quarter."))
        return
    team = await _team(context.db, member.team_id)
    scope = context.scope
    if _in_group(update):
        async with context.db.begin(Scope.system()) as session:
            sub = await summaries.subscription_of(session, chat.id)
        if sub is not None and sub.team_id != member.team_id:
            await reply(update, context.t("This group receives another team's summaries."))
            return
        scope = Scope(team_id=team.id, member_id=None, sees_team=True)
    t = context.catalogs.get(team.language) if _in_group(update) else context.t
    now = utcnow()
    period = maths.period_to_date(kind, now, team.timezone)
    async with context.db.begin(scope) as session:
        summary = await summaries.compute(session, team, period, now=now, team_wide=scope.sees_team)
    title = team.name if scope.sees_team else member.display_name
    await send_summary(update.get_bot(), chat.id, t, summary, title=title)


def _money(t: Translator, values: dict[str, object]) -> str:
    return ", ".join(t.money(v, c) for c, v in sorted(values.items())) or "0"  # type: ignore[arg-type]


def _compare(t: Translator, current: float | int, previous: float | int | None, fmt: str = "{}") -> str:
    arrow = ARROWS.get(maths.trend(current, previous), "")
    if previous is None:
        return fmt.format(current)
    return t("{value} {arrow} (before: {before})", value=fmt.format(current), arrow=arrow, before=fmt.format(previous))


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


def render_summary(t: Translator, s: maths.Summary, *, title: str) -> tuple[str, str]:
    """(heading, full text). The heading fits a photo caption; the text may need its own message."""
    p = s.period
    heading = t(KIND_TITLES[p.kind], team=title, start=t.date(p.first_day, "medium"), end=t.date(p.last_day, "medium"))
    c, prev = s.current, s.previous
    lines = [heading, t("▲ up, ▼ down, against the period before"), "", t("<b>Records now</b>")]
    for stage in (*maths.FUNNEL, Stage.LOST):
        now_n, before = s.stages.get(stage, 0), s.stages_before.get(stage, 0)
        lines.append(t("{stage}: {value}", stage=stage_name(t, stage), value=_compare(t, now_n, before)))
    lines += ["", t("<b>In the period</b>")]
    lines.append(t("New records: {value}", value=_compare(t, c.new, prev.new)))
    lines.append(t("Moves between stages: {value}", value=_compare(t, c.moved, prev.moved)))
    for a, b in maths.CONVERSIONS:
        rate, before = c.rate(a, b), prev.rate(a, b)
        shown = _percent(rate) if before is None or rate is None else _compare(t, rate, before, "{:.0%}")
        lines.append(t("{a} → {b}: {rate}", a=stage_name(t, a), b=stage_name(t, b), rate=shown))
    lines.append(t("Won: {value}, worth {money}", value=_compare(t, c.won, prev.won), money=_money(t, c.won_value)))  # type: ignore[arg-type]
    lost = t("Lost: {value}", value=_compare(t, c.lost, prev.lost))
    if c.lost_reasons:
        reasons = ", ".join(f"{t(LOST_NAMES.get(r, N_('Other')))} {n}" for r, n in c.lost_reasons)
        lost += t("; most often: {reasons}", reasons=reasons)
    lines.append(lost)
    if c.avg_days:
        days = " · ".join(
            t("{stage} {days}", stage=stage_name(t, st), days=f"{c.avg_days[st]:.1f}")
            for st in maths.FUNNEL
            if st in c.avg_days
        )
        lines.append(t("Average days in a stage before leaving it: {days}", days=days))
    lines += ["", t("<b>Pipeline now</b>")]
    if s.weighted:
        for currency, value in sorted(s.weighted.items()):
            before = s.weighted_before(currency)
            arrow = ARROWS.get(maths.trend(value, before), "")
            lines.append(t("Weighted pipeline: {money} {arrow}", money=t.money(value, currency), arrow=arrow).rstrip())
    else:
        lines.append(t("Weighted pipeline: {money}", money="0"))
    lines.append(t("Stalled records: {value}", value=_compare(t, s.stalled, s.stalled_before())))
    lines.append(t("Parked records due this week: {n}", n=s.parked_due))
    reps = sorted(c.per_rep.items(), key=lambda kv: (-(kv[1].new + kv[1].advanced + kv[1].won), kv[0]))
    if reps:
        lines += ["", t("<b>Per rep</b> (new · advanced · won)")]
        for member_id, row in reps[: summaries.TOP_REPS]:
            name = s.rep_names.get(member_id, "–")
            lines.append(
                t("{name}: {new} · {advanced} · {won}", name=name, new=row.new, advanced=row.advanced, won=row.won)
            )
    text = "\n".join(lines)
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "…"
    return heading, text


def chart_of(t: Translator, s: maths.Summary, title: str) -> charts.FunnelChart:
    notes = [""] * len(maths.FUNNEL)
    for a, b in maths.CONVERSIONS:
        rate = s.current.rate(a, b)
        if rate is not None:
            notes[maths.FUNNEL.index(a)] = t("→ {rate} moved on", rate=_percent(rate))
    return charts.FunnelChart(
        # No markup and no emoji (the chart font has none).
        title="".join(ch for ch in re.sub(r"<[^>]+>", "", title) if ord(ch) <= 0xFFFF).strip(),
        labels=[stage_name(t, st) for st in maths.FUNNEL],
        counts=[s.stages.get(st, 0) for st in maths.FUNNEL],
        notes=notes,
    )


async def send_summary(bot: object, chat_id: int, t: Translator, s: maths.Summary, *, title: str) -> int:
    """The chart as a photo, the summary as its caption when it fits, otherwise as the next message.
    Returns the chat id it went to (a group that became a supergroup has a new one)."""
    heading, text = render_summary(t, s, title=title)
    png = await asyncio.to_thread(charts.render_png, chart_of(t, s, heading))
    try:
        return await _send(bot, chat_id, png, heading, text)
    except ChatMigrated as exc:
        return await _send(bot, exc.new_chat_id, png, heading, text)


async def _send(bot: object, chat_id: int, png: bytes, heading: str, text: str) -> int:
    fits = len(text) <= CAPTION_LIMIT
    try:
        await bot.send_photo(chat_id, png, caption=text if fits else heading)  # type: ignore[attr-defined]
    except BadRequest as exc:
        if "rights" not in str(exc).lower() and "not enough" not in str(exc).lower():
            raise
        log.warning("no right to send photos in chat %s; sending the summary as text", chat_id)
        fits = False
    if not fits:
        await bot.send_message(chat_id, text)  # type: ignore[attr-defined]
    return chat_id


def group_link(context: BotContext) -> str | None:
    """For managers: the link that adds the bot to a group (t.me/<bot>?startgroup=...)."""
    member = context.member
    if member is None or not member.role.sees_team or not context.bot.username:
        return None
    return f"https://t.me/{context.bot.username}?startgroup={GROUP_LINK_PREFIX}{member.team_id}"


async def group_start(update: Update, context: BotContext) -> None:
    """/start in a group (the bot was just added through the link): say how to subscribe."""
    member = context.member
    assert member is not None
    if member.role.sees_team:
        text = context.t("Hello, team! Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 to get summaries.")
    else:
        text = context.t("Hello! A manager of the team can send /subscribe to get funnel summaries here.")
    await reply(update, text)


# --- the group's life ------------------------------------------------------------------------


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was removed from a group (or banned): its subscription is switched off, once."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        async with context.db.begin(Scope.system()) as session:
            if await summaries.disable(session, change.chat.id, reason=f"bot {status}", now=utcnow()):
                log.info("summaries for chat %s switched off: the bot was removed", change.chat.id)


async def on_migrate(update: Update, context: BotContext) -> None:
    """The group became a supergroup: its subscription follows it to the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with context.db.begin(Scope.system()) as session:
        if await summaries.migrate(session, message.chat.id, message.migrate_to_chat_id, now=utcnow()):
            log.info("summaries moved from chat %s to supergroup %s", message.chat.id, message.migrate_to_chat_id)


# --- scheduled delivery ----------------------------------------------------------------------


async def deliver_due(app: object, owner: str, now: datetime | None = None) -> int:
    """Send each due group summary once per period; a group that is gone is switched off, not retried."""
    db: Database = state_of(app).db
    catalogs = state_of(app).catalogs
    now = now or utcnow()
    async with db.begin(Scope.system()) as session:
        due = await summaries.claim_due(session, now=now, owner=owner)
    sent = 0
    for sub in due:
        team = await _team(db, sub.team_id)
        period = maths.complete_period(maths.summary_kind(sub.period.value), now, team.timezone)
        if sub.last_period_key == period.key:  # already sent for this period (e.g. before a restart)
            async with db.begin(Scope.system()) as session:
                await summaries.mark_done(session, sub.id, key=None, snapshot=None, now=now, zone=team.timezone)  # type: ignore[arg-type]
            continue
        t = catalogs.get(team.language)
        async with db.begin(Scope(team_id=team.id, member_id=None, sees_team=True)) as session:
            summary = await summaries.compute(session, team, period, now=now, snapshot=sub.last_snapshot)
        chat_id = sub.chat_id
        try:
            chat_id = await send_summary(app.bot, sub.chat_id, t, summary, title=team.name)  # type: ignore[attr-defined]
        except (Forbidden, BadRequest) as exc:
            async with db.begin(Scope.system()) as session:
                await summaries.disable(session, sub.chat_id, reason=str(exc), now=utcnow())
            log.warning("summaries for chat %s switched off: %s", sub.chat_id, exc)
            continue
        except TelegramError as exc:  # network trouble: the lease lapses and a later poll tries again
            log.warning("summary for chat %s not sent: %s", sub.chat_id, exc)
            continue
        async with db.begin(Scope.system()) as session:
            if chat_id != sub.chat_id:
                await summaries.migrate(session, sub.chat_id, chat_id, now=utcnow())
            await summaries.mark_done(
                session,
                sub.id,
                key=period.key,
                snapshot=summary.snapshot(),
                now=now,
                zone=team.timezone,  # type: ignore[arg-type]
            )
        sent += 1
    return sent
