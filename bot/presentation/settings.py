"""What the settings screens show: /settings, the time zone saved, an invite, and the team's
settings (/qualification, /nudges) with a manager's buttons."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain import qualification as q
from bot.domain.nudges import KINDS, NudgeSettings
from bot.domain.team_settings import DAY_STEP, PASS_MARK, WEIGHT_STEP
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.presentation.labels import CRITERION_NAMES, NUDGE_NAMES, role_name, stage_name, zone_name
from models import Member, Role, Team

View = tuple[str, InlineKeyboardMarkup | None]


def settings_text(t: Translator, member: Member, team: Team) -> str:
    return "\n".join(
        [
            t(
                "<b>Settings</b>\nLanguage: {language}\nTime zone: {zone}\nTeam: {team} ({role})",
                language=LANGUAGE_NAMES.get(member.language, member.language),
                zone=zone_name(t, member.timezone) if member.timezone else t("not set yet"),
                team=team.name,
                role=role_name(t, member.role),
            ),
            t("Team currency: {currency}", currency=t.currency_name(team.currency)),
        ]
    )


def currency_question(t: Translator) -> str:
    return t("Which currency does the team count in? Amounts typed without one are read in it.")


def zone_saved(t: Translator, zone: str, now: datetime) -> str:
    return t(
        "Time zone set to {zone}. Your local time is {time}. You can change it in /settings.",
        zone=zone_name(t, zone),
        time=t.time(now, zone),
    )


def invite_text(t: Translator, role: Role, team: Team, link: str, hours: int, expires: datetime, zone: str) -> str:
    return "\n\n".join(
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
                expires=t.datetime(expires, zone),
            ),
            t("Send it only to the person you invite."),
        ]
    )


def _managers_only(t: Translator) -> str:
    return t("Only a manager can change these.")


def qualification_view(t: Translator, settings: q.Settings, *, editable: bool) -> View:
    """The criteria's weights and the pass mark; for a manager, a −/+ pair of buttons for each."""
    lines = [t("<b>Qualification</b> (a yes earns the full weight, not sure half)")]
    lines += [t("{stage}: {n}", stage=t(CRITERION_NAMES[c.value]), n=settings.weights[c]) for c in q.ORDER]
    lines.append(t("Pass mark: {mark}/100", mark=settings.pass_mark))
    if not editable:
        return "\n".join(lines) + "\n\n" + _managers_only(t), None

    def pair(label: str, what: str) -> list[InlineKeyboardButton]:
        return [
            InlineKeyboardButton(label, callback_data=callbacks.encode("qw", what, -WEIGHT_STEP)),
            InlineKeyboardButton(t("+{n}", n=WEIGHT_STEP), callback_data=callbacks.encode("qw", what, WEIGHT_STEP)),
        ]

    rows = [pair(t("{criterion} −{n}", criterion=t(CRITERION_NAMES[c.value]), n=WEIGHT_STEP), c.value) for c in q.ORDER]
    rows.append(pair(t("Pass mark −{n}", n=WEIGHT_STEP), PASS_MARK))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _check(on: bool) -> str:
    return "✅ " if on else "⬜ "


def nudges_view(t: Translator, settings: NudgeSettings, *, editable: bool) -> View:
    """Which automatic reminders the team gets and when a record counts as gone quiet; for a
    manager, a switch per kind and −/+ buttons per stage."""
    lines = [t("<b>Automatic reminders</b> for the whole team")]
    lines += [_check(settings.on(kind)) + t(NUDGE_NAMES[kind]) for kind in KINDS]
    lines.append(t("A record has gone quiet after this many days without activity:"))
    lines += [t("{stage}: {n}", stage=stage_name(t, stage), n=days) for stage, days in settings.stalled_days.items()]
    if not editable:
        return "\n".join(lines) + "\n\n" + _managers_only(t), None
    rows = [
        [InlineKeyboardButton(_check(settings.on(k)) + t(NUDGE_NAMES[k]), callback_data=callbacks.encode("nt", k))]
        for k in KINDS
    ]
    for stage in settings.stalled_days:
        rows.append(
            [
                InlineKeyboardButton(
                    t("{stage} −1", stage=stage_name(t, stage)),
                    callback_data=callbacks.encode("nd", stage.value, -DAY_STEP),
                ),
                InlineKeyboardButton(t("+1"), callback_data=callbacks.encode("nd", stage.value, DAY_STEP)),
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows)
