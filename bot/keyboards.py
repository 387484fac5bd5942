"""Inline keyboards, built from plain values and a translator. No handler builds buttons itself."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import LANGUAGE_NAMES, Translator


def settings_menu(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("Language"), callback_data=callbacks.encode("set", "lang")),
                InlineKeyboardButton(t("Time zone"), callback_data=callbacks.encode("set", "tz")),
            ],
            [InlineKeyboardButton(t("Close"), callback_data=callbacks.encode("set", "close"))],
        ]
    )


def languages(t: Translator, available: list[str], current: str) -> InlineKeyboardMarkup:
    rows = []
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
    rows = []
    for zone in suggestions:
        local = now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        rows.append(
            [
                InlineKeyboardButton(
                    t("{zone} · {time}", zone=zone, time=local), callback_data=callbacks.encode("tz", "set", zone)
                )
            ]
        )
    rows.append([InlineKeyboardButton(t("Another time zone…"), callback_data=callbacks.encode("tz", "ask"))])
    if back:
        rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("set", "menu"))])
    return InlineKeyboardMarkup(rows)


def share_invite(t: Translator, link: str) -> InlineKeyboardMarkup:
    from urllib.parse import quote

    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Share the invite"), url=f"https://t.me/share/url?url={quote(link, safe='')}")]]
    )
