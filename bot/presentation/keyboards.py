"""Inline keyboards, built from plain values and a translator. No handler builds buttons itself."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import LANGUAGE_NAMES, Translator


def settings_menu(t: Translator, group_link: str | None = None) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(t("Language"), callback_data=callbacks.encode("set", "lang")),
            InlineKeyboardButton(t("Time zone"), callback_data=callbacks.encode("set", "tz")),
        ]
    ]
    if group_link:  # managers: add the bot to the team's group for funnel summaries
        rows.append([InlineKeyboardButton(t("➕ Add me to your team's group"), url=group_link)])
    rows.append([InlineKeyboardButton(t("Close"), callback_data=callbacks.encode("set", "close"))])
    return InlineKeyboardMarkup(rows)


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


def card_preview(t: Translator, nonce: str, *, duplicate: bool) -> InlineKeyboardMarkup:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.encode("card", nonce, action))

    if duplicate:
        return InlineKeyboardMarkup(
            [
                [button(t("Merge into the existing record"), "merge")],
                [button(t("Save as new"), "save"), button(t("Edit"), "edit")],
                [button(t("Discard"), "discard")],
            ]
        )
    return InlineKeyboardMarkup(
        [[button(t("✅ Save"), "save"), button(t("✏️ Edit"), "edit"), button(t("🗑 Discard"), "discard")]]
    )


def card_fields(t: Translator, nonce: str, labels: dict[str, str]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.encode("card", nonce, "field", name))
        for name, label in labels.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("card", nonce, "back"))])
    return InlineKeyboardMarkup(rows)


def skip(t: Translator, nonce: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("Skip"), callback_data=callbacks.encode("card", nonce, "skip"))]]
    )


def lead_saved(t: Translator, lead_id: int, sources: dict[str, str], current: str | None) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            t("✓ {source}", source=label) if code == current else label,
            callback_data=callbacks.encode("src", lead_id, code),
        )
        for code, label in sources.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [InlineKeyboardButton(t("Add the event's name"), callback_data=callbacks.encode("src", lead_id, "detail"))]
    )
    rows.append(
        [
            InlineKeyboardButton(t("✅ Qualify now"), callback_data=callbacks.encode("qs", lead_id)),
            InlineKeyboardButton(t("Later"), callback_data=callbacks.encode("rec", lead_id)),
        ]
    )
    return InlineKeyboardMarkup(rows)
