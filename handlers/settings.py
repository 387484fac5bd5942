"""/settings: language and time zone, with buttons; the time zone prompt of onboarding."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.domain.timezones import find_zone, guess_zone
from bot.i18n import LANGUAGE_NAMES, N_, Translator
from bot.presentation import keyboards
from bot.services import flows, members
from handlers.common import edit, load_team, reply
from models import Member, Role
from models.base import utcnow

FLOW_ZONE = "tz"

ROLE_NAMES = {Role.OWNER: N_("owner"), Role.MANAGER: N_("manager"), Role.REP: N_("rep")}


def role_name(t: Translator, role: Role) -> str:
    return t(ROLE_NAMES[role])


def _zone_suggestions(context: BotContext, member: Member) -> list[str]:
    default = context.settings.default_timezone
    found = [guess_zone(member.language, default), member.timezone or default, default, "UTC"]
    return list(dict.fromkeys(z for z in found if z))


async def _settings_text(context: BotContext) -> str:
    member = context.member
    assert member is not None
    t = context.t
    team = await load_team(context)
    zone = member.timezone or t("not set yet")
    return t(
        "<b>Settings</b>\nLanguage: {language}\nTime zone: {zone}\nTeam: {team} ({role})",
        language=LANGUAGE_NAMES.get(member.language, member.language),
        zone=zone,
        team=team.name,
        role=role_name(t, member.role),
    )


async def settings_command(update: Update, context: BotContext) -> None:
    from handlers.groups import group_link

    await reply(update, await _settings_text(context), keyboards.settings_menu(context.t, group_link(context)))


async def ask_timezone(update: Update, context: BotContext, question: str | None = None) -> None:
    """Ask once, at onboarding (or before a first reminder): Telegram does not tell a bot the
    user's time zone."""
    member = context.member
    assert member is not None
    await reply(
        update,
        question or context.t("Which time zone are you in? Reminders and dates will follow it."),
        keyboards.zones(context.t, _zone_suggestions(context, member), utcnow(), back=False),
    )


async def zone_first(update: Update, context: BotContext) -> bool:
    """Before any reminder: a member who never confirmed a time zone is asked for one (True)."""
    assert context.member is not None
    if context.member.timezone:
        return False
    await ask_timezone(
        update, context, context.t("Before I set a reminder: which time zone are you in? Then try again.")
    )
    return True


async def on_settings_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    assert data is not None
    what, value = data.arg(0), data.arg(1)
    await query.answer()
    t = context.t
    if what == "lang" and value:
        if value not in context.catalogs.languages:
            await edit(query, t("That language is not available."), keyboards.settings_menu(t))
            return
        async with context.db.begin(context.scope) as session:
            context.member = await members.set_language(session, context.member, value)
        context.t = context.catalogs.get(value)
        await edit(query, await _settings_text(context), keyboards.settings_menu(context.t))
    elif what == "lang":
        await edit(
            query,
            t("Choose your language:"),
            keyboards.languages(t, context.catalogs.languages, context.member.language),
        )
    elif what == "tz":
        await edit(
            query,
            t("Choose your time zone, or pick another one:"),
            keyboards.zones(t, _zone_suggestions(context, context.member), utcnow(), back=True),
        )
    elif what == "close":
        await edit(query, await _settings_text(context))
    else:
        await edit(query, await _settings_text(context), keyboards.settings_menu(t))


async def on_zone_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    assert data is not None
    t = context.t
    if data.arg(0) == "ask":
        await query.answer()
        async with context.db.begin(context.scope) as session:
            assert query.message is not None
            await flows.start(
                session, context.member, FLOW_ZONE, chat_id=query.message.chat.id, message_id=query.message.message_id
            )
        await edit(query, t("Type your city or time zone, for example Zagreb, Europe/Prague or UTC+2."))
        return
    zone = find_zone(data.arg(1))
    if zone is None:
        await query.answer(t("That time zone is not known."), show_alert=True)
        return
    await query.answer()
    await _save_zone(context, zone)
    await edit(query, _zone_saved_text(t, zone))


async def on_zone_text(update: Update, context: BotContext) -> None:
    """The answer to "Type your city or time zone"."""
    message = update.effective_message
    assert message is not None and context.member is not None
    zone = find_zone(message.text or "")
    if zone is None:
        await reply(
            update,
            context.t(
                "I don't know that time zone. Try a city such as Zagreb or Warsaw, a name such as "
                "Europe/Prague, or an offset such as UTC+2. /cancel stops."
            ),
        )
        return
    await _save_zone(context, zone)
    await reply(update, _zone_saved_text(context.t, zone))


async def _save_zone(context: BotContext, zone: str) -> None:
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        context.member = await members.set_timezone(session, context.member, zone)
        await flows.clear(session, context.member)


def _zone_saved_text(t: Translator, zone: str) -> str:
    return t(
        "Time zone set to {zone}. Your local time is {time}. You can change it in /settings.",
        zone=zone,
        time=t.time(utcnow(), zone),
    )
