"""Moments as the rep reads them back: a short local date and time with the part of the day it
stands for ("Thu, Jan 16, 9:00 AM (morning)"), the buttons that ask which of two readings was
meant, and the sentences for dates the bot does not accept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton

from bot.domain.dates import OutOfBounds, When
from bot.i18n import N_, Translator

PART_NAMES = {
    "first": N_("first thing"),
    "morning": N_("morning"),
    "noon": N_("noon"),
    "afternoon": N_("afternoon"),
    "late": N_("late afternoon"),
    "eod": N_("end of the day"),
    "evening": N_("evening"),
    "night": N_("night"),
}
LABEL = 60  # characters of a moment on a button


def moment(t: Translator, at: datetime, zone: str, part: str | None = None, home: str | None = None) -> str:
    """ "Fri, Mar 13, 3:00 PM", with the part of the day the rep named, and the zone when it is
    not the rep's own."""
    text = t.when(at, zone, home)
    if part in PART_NAMES:
        return t("{date} ({part})", date=text, part=t(PART_NAMES[part]))
    return text


def which_one(t: Translator) -> str:
    return t("That can be read two ways. Which one do you mean?")


def option_buttons(
    t: Translator, options: Sequence[When], zone: str, data: Sequence[str]
) -> list[list[InlineKeyboardButton]]:
    """One button per reading, each with its own callback data."""
    return [
        [InlineKeyboardButton(moment(t, w.at, zone, w.part)[:LABEL], callback_data=d)]
        for w, d in zip(options, data, strict=True)
    ]


def out_of_bounds(t: Translator, reading: OutOfBounds) -> str:
    if reading.too_far:
        return t("That is more than ten years ahead. Please pick a nearer date.")
    return t("That is before 1900. Please check the year.")
