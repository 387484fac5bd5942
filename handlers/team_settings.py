"""/qualification and /nudges: the team's criteria weights and pass mark, and its automatic
reminders; a manager changes them with buttons, a rep only reads them. Sales and marketing agree
on one definition of a qualified lead; this is where it lives."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.domain import nudges as nudge_rules
from bot.domain.team_settings import DAY_STEP, WEIGHT_STEP, WEIGHT_TARGETS
from bot.presentation.replies import edit, reply
from bot.presentation.settings import View, nudges_view, qualification_view
from bot.services import qualification, team_settings
from models import Stage
from models.errors import StaleButton

WEIGHT_STEPS = (str(WEIGHT_STEP), str(-WEIGHT_STEP))
DAY_STEPS = (str(DAY_STEP), str(-DAY_STEP))
QUIET_STAGES = tuple(stage.value for stage in nudge_rules.STALLED_DEFAULTS)


async def qualification_command(update: Update, context: BotContext) -> None:
    team = await context.team()
    settings = qualification.settings_of(team.settings)
    text, markup = qualification_view(context.t, settings, editable=context.me.role.sees_team)
    await reply(update, text, markup)


async def nudges_command(update: Update, context: BotContext) -> None:
    """/nudges: which automatic reminders the team gets; managers switch them with buttons."""
    team = await context.team()
    settings = nudge_rules.NudgeSettings.of(team.settings)
    text, markup = nudges_view(context.t, settings, editable=context.me.role.sees_team)
    await reply(update, text, markup)


async def _show(update: Update, view: View) -> None:
    """After the commit: answer the tap and show the changed settings in place."""
    query = update.callback_query
    if query is None:
        raise StaleButton()
    await query.answer()
    await edit(query, *view)


async def weight_button(update: Update, context: BotContext) -> None:
    """−/+ on a criterion's weight or on the pass mark (managers only: the service refuses others)."""
    data = callbacks.button(update)
    what, step = data.choice(0, WEIGHT_TARGETS), int(data.choice(1, WEIGHT_STEPS))
    async with context.write() as session:
        settings = await team_settings.change_weight(session, context.me, what, step)
    await _show(update, qualification_view(context.t, settings, editable=True))


async def nudge_toggle_button(update: Update, context: BotContext) -> None:
    """A kind of automatic reminder switched on or off (managers only)."""
    kind = callbacks.button(update).choice(0, nudge_rules.KINDS)
    async with context.write() as session:
        settings = await team_settings.toggle_nudge(session, context.me, kind)
    await _show(update, nudges_view(context.t, settings, editable=True))


async def quiet_days_button(update: Update, context: BotContext) -> None:
    """One day more or less before a stage's records count as gone quiet (managers only)."""
    data = callbacks.button(update)
    stage, delta = Stage(data.choice(0, QUIET_STAGES)), int(data.choice(1, DAY_STEPS))
    async with context.write() as session:
        settings = await team_settings.change_quiet_days(session, context.me, stage, delta)
    await _show(update, nudges_view(context.t, settings, editable=True))
