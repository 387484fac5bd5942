"""/qualification: the team's criteria weights and pass mark, changed with buttons by a manager.
Sales and marketing agree on one definition of a qualified lead; this is where it lives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.callbacks import Callback
from bot.context import BotContext
from bot.domain import nudges as nudge_rules
from bot.domain import qualification as q
from bot.i18n import N_, Translator
from bot.presentation.labels import CRITERION_NAMES
from bot.services import members
from bot.services import qualification as funnel_service
from handlers.common import edit, load_team, reply
from models import Stage

STEP = 5


def _view(t: Translator, settings: q.Settings, editable: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [t("<b>Qualification</b> (a yes earns the full weight, not sure half)")]
    lines += [f"{t(CRITERION_NAMES[c.value])}: {settings.weights[c]}" for c in q.ORDER]
    lines.append(t("Pass mark: {mark}/100", mark=settings.pass_mark))
    if not editable:
        return "\n".join(lines), None
    rows = [
        [
            InlineKeyboardButton(
                t("{criterion} −{n}", criterion=t(CRITERION_NAMES[c.value]), n=STEP),
                callback_data=callbacks.encode("qw", c.value, -STEP),
            ),
            InlineKeyboardButton(t("+{n}", n=STEP), callback_data=callbacks.encode("qw", c.value, STEP)),
        ]
        for c in q.ORDER
    ]
    rows.append(
        [
            InlineKeyboardButton(t("Pass mark −{n}", n=STEP), callback_data=callbacks.encode("qw", "pass", -STEP)),
            InlineKeyboardButton(t("+{n}", n=STEP), callback_data=callbacks.encode("qw", "pass", STEP)),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def qualification_command(update: Update, context: BotContext) -> None:
    assert context.member is not None
    async with context.db.begin(context.scope) as session:
        team = await members.get_team(session, context.member.team_id)
    assert team is not None
    text, markup = _view(context.t, funnel_service.settings_of(team.settings), context.member.role.sees_team)
    if not context.member.role.sees_team:
        text += "\n\n" + context.t("Only a manager can change these.")
    await reply(update, text, markup)


async def _change_team_settings(
    update: Update, context: BotContext, key: str, change: Callable[[dict[str, Any], Callback], dict[str, Any]]
) -> dict[str, Any] | None:
    """A manager's button on a team setting: `change` maps the team's settings and the button to the
    new value of `team.settings[key]`, saved at once. None (and an alert) for anyone else."""
    query = update.callback_query
    assert query is not None and context.member is not None
    data = callbacks.parse(query.data)
    if not context.member.role.sees_team or data is None:
        await query.answer(context.t("Only a manager can change these."), show_alert=True)
        return None
    async with context.db.begin(context.scope) as session:
        team = await members.get_team(session, context.member.team_id)
        assert team is not None
        settings = dict(team.settings or {})
        settings[key] = change(settings, data)
        team.settings = settings
        session.add(team)
    await query.answer()
    return settings


def _weights_changed(settings: dict[str, Any], data: Callback) -> dict[str, Any]:
    current = funnel_service.settings_of(settings)
    what = data.arg(0)
    step = STEP if data.arg(1) == str(STEP) else -STEP
    weights, mark = dict(current.weights), current.pass_mark
    if what == "pass":
        mark = min(100, max(0, mark + step))
    elif what in {c.value for c in q.Criterion}:
        weights[q.Criterion(what)] = min(100, max(0, weights[q.Criterion(what)] + step))
    return q.Settings(weights=weights, pass_mark=mark).to_json()


async def weight_button(update: Update, context: BotContext) -> None:
    settings = await _change_team_settings(update, context, "qualification", _weights_changed)
    if settings is not None:
        assert update.callback_query is not None
        text, markup = _view(context.t, funnel_service.settings_of(settings), True)
        await edit(update.callback_query, text, markup)


NUDGE_NAMES = {
    "digest": N_("Morning digest at 9:00 (today's and overdue follow-ups)"),
    "stalled": N_("Records gone quiet"),
    "escalate": N_("Tell managers when a record stays quiet"),
    "close_date": N_("Opportunities past their close date"),
    "birthday": N_("Birthdays, the day before"),
}


def _nudges_view(t: Translator, settings: nudge_rules.NudgeSettings, editable: bool) -> tuple[str, Any]:
    from bot.presentation.labels import stage_name

    lines = [t("<b>Automatic reminders</b> for the whole team")]
    lines += [("✅ " if settings.on(kind) else "⬜ ") + t(NUDGE_NAMES[kind]) for kind in nudge_rules.KINDS]
    lines.append(t("A record has gone quiet after this many days without activity:"))
    lines += [t("{stage}: {n}", stage=stage_name(t, stage), n=days) for stage, days in settings.stalled_days.items()]
    if not editable:
        return "\n".join(lines) + "\n\n" + t("Only a manager can change these."), None
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if settings.on(kind) else "⬜ ") + t(NUDGE_NAMES[kind]),
                callback_data=callbacks.encode("nt", kind),
            )
        ]
        for kind in nudge_rules.KINDS
    ]
    for stage in settings.stalled_days:
        rows.append(
            [
                InlineKeyboardButton(
                    t("{stage} −1", stage=stage_name(t, stage)), callback_data=callbacks.encode("nd", stage.value, -1)
                ),
                InlineKeyboardButton(t("+1"), callback_data=callbacks.encode("nd", stage.value, 1)),
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def nudges_command(update: Update, context: BotContext) -> None:
    """/nudges: which automatic reminders the team gets; managers switch them with buttons."""
    assert context.member is not None
    team = await load_team(context)
    text, markup = _nudges_view(context.t, nudge_rules.NudgeSettings.of(team.settings), context.member.role.sees_team)
    await reply(update, text, markup)


def _nudges_changed(settings: dict[str, Any], data: Callback) -> dict[str, Any]:
    current = nudge_rules.NudgeSettings.of(settings)
    if data.action == "nt" and data.arg(0) in nudge_rules.KINDS:
        return current.toggled(data.arg(0)).dump()
    if data.action == "nd" and data.arg(0) in {s.value for s in current.stalled_days}:
        return current.with_days(Stage(data.arg(0)), 1 if data.arg(1) == "1" else -1).dump()
    return current.dump()


async def nudge_button(update: Update, context: BotContext) -> None:
    settings = await _change_team_settings(update, context, "nudges", _nudges_changed)
    if settings is not None:
        assert update.callback_query is not None
        text, markup = _nudges_view(context.t, nudge_rules.NudgeSettings.of(settings), True)
        await edit(update.callback_query, text, markup)
