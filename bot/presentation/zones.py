"""The time zone question: asked at onboarding and before a member's first dated action."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.domain.timezones import guess_zone
from bot.i18n import Translator
from bot.presentation import keyboards
from models import Member


def suggestions(member: Member, default_zone: str) -> list[str]:
    found = [guess_zone(member.language, default_zone), member.timezone or default_zone, default_zone, "UTC"]
    return list(dict.fromkeys(z for z in found if z))


def question(
    t: Translator, member: Member, default_zone: str, now: datetime, text: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The question and its buttons (one per likely zone, showing its local time)."""
    return (
        text or t("Which time zone are you in? Reminders and dates will follow it."),
        keyboards.zones(t, suggestions(member, default_zone), now, back=False),
    )


def before_reminder(
    t: Translator, member: Member, default_zone: str, now: datetime, *, kept: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """Asked when a member who never confirmed a time zone sets something with a date (`kept`:
    the /remind words are kept and go on once the zone is answered)."""
    if kept:
        text = t("Before I set this reminder: which time zone are you in? I will go on with it right after.")
    else:
        text = t("Before I set a reminder: which time zone are you in? Then try again.")
    return question(t, member, default_zone, now, text)
