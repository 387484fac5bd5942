"""/events: each named event with what its cards became, and what a won deal cost there."""

from __future__ import annotations

from bot.domain import sources as maths
from bot.i18n import Translator
from bot.presentation.summaries import fit, money_of, percent

COST_WORDS = {"cost", "trošak", "náklady", "koszt", "трошок", "هزینه"}  # /events cost …, in the six languages


def cost_usage(t: Translator) -> str:
    return t("A manager enters what an event cost: /events cost 2500 EUR Interliber 2026")


def events(t: Translator, rows: list[maths.EventRow]) -> str:
    if not rows:
        return t(
            "No record names an event yet. When you save a card, choose “Meeting or event” and type the event's name."
        )
    lines = [t("<b>Events</b> (cards · qualified · opportunities · won)"), ""]
    for event in rows:
        f = event.figures
        line = t(
            "<b>{name}</b>: {cards} · {qualified} · {opportunities} · {won}",
            name=event.name,
            cards=f.new,
            qualified=percent(f.qualified_share),
            opportunities=f.opportunity,
            won=f.won,
        )
        extras = []
        if f.won_value:
            extras.append(t("worth {money}", money=money_of(t, f.won_value)))
        if event.cost is not None:
            cost = t.money(*event.cost)
            per = event.cost_per_won
            if per is not None:
                extras.append(t("cost {cost}, {per} per won deal", cost=cost, per=t.money(*per)))
            else:
                extras.append(t("cost {cost}", cost=cost))
        lines.append(line + ("; " + ", ".join(extras) if extras else ""))
    lines += ["", cost_usage(t)]
    return fit("\n".join(lines))


def cost_saved(t: Translator, name: str, amount: str) -> str:
    return t("Saved: {name} cost {amount}.", name=name, amount=amount)
