"""Inline keyboards, built from plain values and a translator. No handler builds buttons itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.presentation.labels import zone_name


def settings_menu(t: Translator, group_link: str | None = None, *, currency: bool = False) -> InlineKeyboardMarkup:
    """Language and time zone; the team's currency for its owner and managers (`currency`)."""
    rows = [
        [
            InlineKeyboardButton(t("Language"), callback_data=callbacks.encode("set", "lang")),
            InlineKeyboardButton(t("Time zone"), callback_data=callbacks.encode("set", "tz")),
        ]
    ]
    if currency:
        rows.append([InlineKeyboardButton(t("Team currency"), callback_data=callbacks.encode("set", "cur"))])
    if group_link:  # managers: add the bot to the team's group for funnel summaries
        rows.append([InlineKeyboardButton(t("➕ Add me to your team's group"), url=group_link)])
    rows.append([InlineKeyboardButton(t("Close"), callback_data=callbacks.encode("set", "close"))])
    return InlineKeyboardMarkup(rows)


def currencies(t: Translator, available: Sequence[str], current: str) -> InlineKeyboardMarkup:
    """One button per currency, two to a row, the team's ticked."""
    buttons = [
        InlineKeyboardButton(
            t("✓ {language}", language=t.currency_name(code)) if code == current else t.currency_name(code),
            callback_data=callbacks.encode("set", "cur", code),
        )
        for code in available
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("set", "menu"))])
    return InlineKeyboardMarkup(rows)


def languages(t: Translator, available: list[str], current: str) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for code in available:
        label = LANGUAGE_NAMES.get(code, code)
        rows.append(
            [
                InlineKeyboardButton(
                    t("✓ {language}", language=label) if code == current else label,
                    callback_data=callbacks.encode("set", "lang", code),
                )
            ]
        )
    rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("set", "menu"))])
    return InlineKeyboardMarkup(rows)


def zones(t: Translator, suggestions: list[str], now: datetime, *, back: bool) -> InlineKeyboardMarkup:
    """One button per suggested zone, each showing its local time so the rep can check it."""
    rows: list[list[InlineKeyboardButton]] = []
    for zone in suggestions:
        label = t("{zone} · {time}", zone=zone_name(t, zone), time=t.time(now, zone))
        rows.append([InlineKeyboardButton(label, callback_data=callbacks.encode("tz", "set", zone))])
    rows.append([InlineKeyboardButton(t("Another time zone…"), callback_data=callbacks.encode("tz", "ask"))])
    if back:
        rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("set", "menu"))])
    return InlineKeyboardMarkup(rows)


def share_invite(t: Translator, link: str) -> InlineKeyboardMarkup:
    """Telegram's share sheet with the invite link in it."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Share the invite"), url=f"https://t.me/share/url?url={quote(link, safe='')}")]]
    )
