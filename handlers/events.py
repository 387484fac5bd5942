"""/events for managers: each named event (the "meeting or event" source's name) with its cards,
how far they got and the won value; `/events cost 2500 EUR Interliber 2026` enters its cost."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.domain import qualification as qualification_rules
from bot.domain.dates import normalise
from bot.presentation import events as view
from bot.presentation.replies import reply
from bot.services import sources
from models.errors import Reply


async def events_command(update: Update, context: BotContext) -> None:
    t, member = context.t, context.me
    if not member.role.sees_team:
        raise Reply(t("Only the team's owner and managers see the events."))
    team = await context.team()
    if team.id is None:
        return
    args = context.args or []
    if args and normalise(args[0]) in view.COST_WORDS:
        parsed = _cost(args[1:], team.currency)
        if parsed is None:
            raise Reply(view.cost_usage(t))
        amount, currency, name = parsed
        async with context.write() as session:
            cost = await sources.set_event_cost(session, team.id, name, amount, currency, by=member)
        await reply(update, view.cost_saved(t, cost.name, t.money(amount, currency)))
        return
    pass_mark = qualification_rules.Settings.of(team.settings).pass_mark
    async with context.read() as session:
        rows = await sources.events(session, team.id, pass_mark=pass_mark, currency=team.currency)
    await reply(update, view.events(t, rows))


def _cost(args: list[str], default_currency: str) -> tuple[Decimal, str, str] | None:
    """`2500 EUR Interliber 2026`, `2.500 € Interliber`, `150.000 ден Саем` or `2500 Interliber`
    (the team's currency): amount, currency, name. The amount is the longest run of first words
    that reads as one; the rest is the name."""
    for size in range(min(4, len(args) - 1), 0, -1):
        parsed = qualification_rules.parse_amount(" ".join(args[:size]), default_currency)
        if parsed is not None:
            return parsed[0], parsed[1], " ".join(args[size:])
    return None
