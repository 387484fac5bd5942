"""Moves as the rep sees them: the questions a move asks, the lost reasons, the record's new stage,
and the pipeline in one message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.flows import MoveStep
from bot.i18n import N_, Translator
from bot.presentation.labels import LOST_NAMES, stage_name
from bot.presentation.records import open_button, record_id
from models import Lead, Stage, funnel

if TYPE_CHECKING:
    from bot.services.moves import Pipeline

PROMPTS = {
    MoveStep.AMOUNT: N_("Deal amount? e.g. 12.500 EUR or 20k."),
    MoveStep.PROBABILITY: N_("Win probability in percent? Tap the default or type a number from 0 to 100."),
    MoveStep.CLOSE: N_("Expected close date? In words: end of month, Q3, in six weeks."),
    MoveStep.FINAL: N_("Final amount of the deal?"),
    MoveStep.REASON: N_("Why? Type the reason for this move."),
    MoveStep.LOST_NOTE: N_("Anything to add about why it was lost? Type it, or tap Skip."),
}
PROBABILITIES = (25, funnel.DEFAULT_PROBABILITY[Stage.OPPORTUNITY], 75)  # the buttons, in percent
SAME, SKIP = "same", "skip"  # the other quick answers


def prompt(t: Translator, step: MoveStep, lead: Lead) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question of a move's step, with its quick answers (a probability, the same amount, Skip)."""
    lead_id = record_id(lead)
    rows: list[list[InlineKeyboardButton]] = []
    if step is MoveStep.PROBABILITY:
        rows = [
            [
                InlineKeyboardButton(t("{n}%", n=p), callback_data=callbacks.encode("mp", lead_id, p))
                for p in PROBABILITIES
            ]
        ]
    if step is MoveStep.FINAL and lead.deal_amount is not None:
        rows = [
            [
                InlineKeyboardButton(
                    t("Same: {amount}", amount=t.money(lead.deal_amount, lead.currency or "EUR")),
                    callback_data=callbacks.encode("mp", lead_id, SAME),
                )
            ]
        ]
    if step is MoveStep.LOST_NOTE:
        rows = [[InlineKeyboardButton(t("Skip"), callback_data=callbacks.encode("mp", lead_id, SKIP))]]
    return t(PROMPTS[step]), InlineKeyboardMarkup(rows) if rows else None


def close_date_unclear(t: Translator, days: Sequence[date]) -> str:
    """A typed close date with two readings: both shown, and how to write it unmistakably."""
    return t(
        "That date can be read as {first} or as {second}. Please write the month as a word, e.g. 14 November.",
        first=t.day(days[0]),
        second=t.day(days[1]),
    )


def lost_reasons(t: Translator, lead_id: int, seen: Stage) -> tuple[str, InlineKeyboardMarkup]:
    """Why was it lost: one button per reason."""
    rows = [
        [InlineKeyboardButton(t(name), callback_data=callbacks.encode("ml", lead_id, seen.value, code))]
        for code, name in LOST_NAMES.items()
    ]
    return t("Why was it lost?"), InlineKeyboardMarkup(rows)


def moved(t: Translator, lead: Lead) -> tuple[str, InlineKeyboardMarkup]:
    """The record's new stage (with the deal, for an opportunity) and a button to open it."""
    text = t(
        "<b>{name}</b> is now: {stage}.", name=lead.full_name or lead.company or "–", stage=stage_name(t, lead.stage)
    )
    if lead.stage is Stage.OPPORTUNITY and lead.deal_amount is not None:
        text += "\n" + t(
            "Deal: {amount}, {probability}% likely.",
            amount=t.money(lead.deal_amount, lead.currency or "EUR"),
            probability=lead.probability or 0,
        )
    if lead.expected_close_date is not None and not lead.stage.is_closed:
        text += "\n" + t("Expected close: {date}", date=t.day(lead.expected_close_date))
    return text, open_button(t, lead)


PIPELINE_ORDER = (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.LOST)


def pipeline(t: Translator, result: Pipeline) -> str:
    """/pipeline: records per stage, open and weighted deal value per currency, parked records."""
    lines = [t("<b>Pipeline</b>")]
    for stage in PIPELINE_ORDER:
        lines.append(t("{stage}: {n}", stage=stage_name(t, stage), n=result.counts.get(stage, 0)))
    for currency, value in sorted(result.open_value.items()):
        lines.append(
            t(
                "Open deals: {value}, weighted {weighted}",
                value=t.money(value, currency),
                weighted=t.money(result.weighted.get(currency, Decimal(0)), currency),
            )
        )
    lines.append(t.plural("{n} parked", "{n} parked", result.parked))
    return "\n".join(lines)
