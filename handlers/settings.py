"""/settings: language, time zone and (owners and managers) the team's currency, with buttons; the
answer to the time zone question."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import BotContext
from bot.domain.timezones import CURRENCIES, find_zone
from bot.flows import FlowData, ZoneFlow
from bot.presentation import keyboards, links, zones
from bot.presentation.replies import drop_keyboard, edit, message_text, reply
from bot.presentation.settings import currency_question, settings_text, zone_saved
from bot.services import flows, members
from models.base import utcnow
from models.errors import N_, DomainError, StaleButton

MENU_CHOICES = ("lang", "tz", "cur", "close", "menu")
ZONE_CHOICES = ("ask", "set")

# What goes on with /remind words kept while the time zone was asked (wired in handlers/__init__.py).
Continue = Callable[[Update, BotContext, str], Awaitable[None]]
_after_zone: list[Continue] = []


def after_zone(then: Continue) -> None:
    """Set what carries on with a /remind kept across the time zone question."""
    _after_zone[:] = [then]


async def _settings_text(context: BotContext) -> str:
    return settings_text(context.t, context.me, await context.team())


async def settings_command(update: Update, context: BotContext) -> None:
    text = await _settings_text(context)
    await reply(update, text, _menu(context))


def _menu(context: BotContext) -> InlineKeyboardMarkup:
    group = links.group_link(context.bot.username, context.me, context.settings.telegram_bot_token.get_secret_value())
    return keyboards.settings_menu(context.t, group, currency=context.me.role.sees_team)


async def on_settings_button(update: Update, context: BotContext) -> None:
    data = callbacks.button(update)
    what, value = data.choice(0, MENU_CHOICES), data.arg(1)
    query = update.callback_query
    if query is None:
        raise StaleButton()
    t, member = context.t, context.me
    if what == "lang" and value:
        if value not in context.catalogs.languages:
            await query.answer()
            await edit(query, t("That language is not available."), keyboards.settings_menu(t))
            return
        team = await context.team()
        async with context.write() as session:
            context.member = await members.set_language(session, member, value, context.catalogs.languages)
        context.t = t = context.catalogs.get(value)
        await query.answer()
        await edit(query, settings_text(t, context.me, team), _menu(context))
        return
    if what == "cur" and value:
        async with context.write() as session:
            team = await members.set_currency(session, member, value)
        await query.answer()
        await edit(query, settings_text(t, member, team), _menu(context))
        return
    if what == "cur":
        team = await context.team()
        text, markup = currency_question(t), keyboards.currencies(t, CURRENCIES, team.currency)
    elif what == "lang":
        text, markup = t("Choose your language:"), keyboards.languages(t, context.catalogs.languages, member.language)
    elif what == "tz":
        suggestions = zones.suggestions(member, context.settings.default_timezone)
        text = t("Choose your time zone, or pick another one:")
        markup = keyboards.zones(t, suggestions, utcnow(), back=True)
    elif what == "close":
        text, markup = await _settings_text(context), None
    else:
        text, markup = await _settings_text(context), _menu(context)
    await query.answer()
    await edit(query, text, markup)


async def on_zone_button(update: Update, context: BotContext) -> None:
    data = callbacks.button(update)
    action = data.choice(0, ZONE_CHOICES)
    query, message = update.callback_query, update.effective_message
    if query is None or message is None:
        raise StaleButton()
    if action == "ask":
        kept = await _kept_remind(context)
        prompt = ZoneFlow(remind=kept, chat_id=message.chat.id, message_id=message.message_id)
        async with context.write() as session:
            replaced = await flows.begin(session, context.me, prompt)
        await query.answer()
        await edit(query, context.t("Type your city or time zone, for example Zagreb, Europe/Prague or UTC+2."))
        if replaced is not None and replaced.message_id != message.message_id:
            await drop_keyboard(context.bot, replaced.chat_id, replaced.message_id)
        return
    zone = find_zone(data.arg(1))
    if zone is None:
        raise DomainError(N_("That time zone is not known."))
    kept = await _kept_remind(context)
    if kept and _after_zone:
        await query.answer()
        await edit(query, zone_saved(context.t, zone, utcnow()))
        await _go_on(update, context, zone, kept)
        return
    ended = await _save_zone(context, zone)
    await query.answer()
    await edit(query, zone_saved(context.t, zone, utcnow()))
    if ended is not None and not isinstance(ended, ZoneFlow) and ended.message_id != message.message_id:
        await drop_keyboard(context.bot, ended.chat_id, ended.message_id)


async def on_zone_text(update: Update, context: BotContext) -> None:
    """The answer to "Type your city or time zone"."""
    zone = find_zone(message_text(update))
    if zone is None:
        raise DomainError(
            N_(
                "I don't know that time zone. Try a city such as Zagreb or Warsaw, a name such as "
                "Europe/Prague, or an offset such as UTC+2. /cancel stops."
            )
        )
    kept = await _kept_remind(context)
    if kept and _after_zone:
        await reply(update, zone_saved(context.t, zone, utcnow()))
        await _go_on(update, context, zone, kept)
        return
    await _save_zone(context, zone)
    await reply(update, zone_saved(context.t, zone, utcnow()))


async def _kept_remind(context: BotContext) -> str:
    """The /remind words waiting for the time zone answer ("" when none)."""
    async with context.read() as session:
        waiting = await flows.current_of(session, context.me, ZoneFlow)
    return waiting.remind if waiting is not None else ""


async def _go_on(update: Update, context: BotContext, zone: str, kept: str) -> None:
    """The zone is saved in the same transaction as what the kept /remind writes (or at the end
    of the update when it writes nothing), and the reminder goes on in that zone."""
    member = context.me

    async def save(session: AsyncSession) -> None:
        context.member = await members.set_timezone(session, member, zone)
        await flows.end(session, member)

    member.timezone = zone
    context.pending.append(save)
    await _after_zone[0](update, context, kept)


async def _save_zone(context: BotContext, zone: str) -> FlowData | None:
    """The update's one write: the zone, and the end of whatever flow was open (returned)."""
    async with context.write() as session:
        context.member = await members.set_timezone(session, context.me, zone)
        return await flows.end(session, context.me)
