"""/events: each named event with what its cards became, and what a won deal cost there."""

from __future__ import annotations

from bot.domain import sources as maths
from bot.i18n import Translator
from bot.presentation.fitting import fit
from bot.presentation.summaries import event_line

COST_WORDS = {"cost", "trošak", "náklady", "koszt", "трошок", "هزینه"}  # /events cost …, in the six languages


def cost_usage(t: Translator) -> str:
    return t("A manager enters what an event cost: /events cost 2500 EUR Interliber 2026")


def events(t: Translator, rows: list[maths.EventRow]) -> str:
    if not rows:
        return t(
            "No record names an event yet. When you save a card, choose “Meeting or event” and type the event's name."
        )
    lines = [t("<b>Events</b> (cards · qualified · opportunities · won)"), ""]
    lines += [event_line(t, event) for event in rows]
    lines += ["", cost_usage(t)]
    return fit("\n".join(lines))


def cost_saved(t: Translator, name: str, amount: str) -> str:
    return t("Saved: {name} cost {amount}.", name=name, amount=amount)
