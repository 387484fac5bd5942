"""Export, erasure and retention as the member sees them: the /export menu, the files' captions,
the Delete confirmation, the data report, /retention and the managers' notice a week ahead."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain.retention import CHOICES, Retention
from bot.i18n import Translator
from bot.presentation.labels import short_label
from bot.services.erasure import Held
from models import Lead

OFF = 0  # the retention button that switches it off


def export_menu(t: Translator, records: int) -> tuple[str, InlineKeyboardMarkup]:
    text = t("Records to export: {n}, with their notes and stage history. Which format?", n=records)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("CSV"), callback_data=callbacks.encode("xp", "csv")),
                InlineKeyboardButton(t("Excel"), callback_data=callbacks.encode("xp", "xlsx")),
                InlineKeyboardButton(t("👤 vCards"), callback_data=callbacks.encode("xp", "vcf")),
            ]
        ]
    )
    return text, markup


def nothing_to_export(t: Translator) -> str:
    return t("Nothing to export: there are no records yet.")


def too_big(t: Translator) -> str:
    return t("The file is larger than the 50 MB a bot may send, so I cannot send it here.")


def export_caption(t: Translator, records: int, when: datetime, zone: str) -> str:
    return t("Export of {date}. Records: {n}.", date=t.datetime(when, zone), n=records)


def file_stem(when: datetime) -> str:
    return f"records-{when:%Y%m%d-%H%M}"


def report_caption(t: Translator, lead: Lead) -> str:
    return t(
        "Everything held about {name}: fields, notes, history, reminders and the card's text.",
        name=short_label(lead, lead.code),
    )


def confirm_delete(t: Translator, lead: Lead, held: Held) -> tuple[str, InlineKeyboardMarkup]:
    lead_id = lead.id or 0
    text = t(
        "Delete {name} and everything about it? This goes: the contact's details and card text, "
        "notes: {notes}, history entries: {history}, pending reminders: {reminders}. "
        "This cannot be undone.",
        name=short_label(lead, lead.code),
        notes=held.notes,
        history=held.history,
        reminders=held.reminders,
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("🗑 Yes, delete"), callback_data=callbacks.encode("xdely", lead_id))],
            [InlineKeyboardButton(t("« Back"), callback_data=callbacks.encode("rec", lead_id))],
        ]
    )
    return text, markup


def deleted(t: Translator) -> str:
    return t("Deleted. All that is kept is a note that a record was erased, by whom and when.")


def months(t: Translator, n: int) -> str:
    return t.plural("{n} month", "{n} months", n)


def retention(t: Translator, current: Retention, manager: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    if current.months is None:
        text = t("Retention is off: records are kept until someone deletes them.")
    else:
        text = t(
            "Records lost or untouched for {period} are erased automatically. Managers are told a week before.",
            period=months(t, current.months),
        )
    if not manager:
        return text, None
    text += "\n\n" + t("Change it (managers):")
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if current.months == n else "") + months(t, n), callback_data=callbacks.encode("xret", n)
            )
            for n in CHOICES
        ],
        [
            InlineKeyboardButton(
                ("✓ " if current.months is None else "") + t("Off"), callback_data=callbacks.encode("xret", OFF)
            )
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


def retention_notice(t: Translator, count: int, period_months: int, when: datetime, zone: str) -> str:
    return t(
        "Retention: on {date}, records lost or untouched for {period} will be erased (records: {n}). "
        "Work on the ones you want to keep, or /export them first.",
        date=t.date(when.astimezone(ZoneInfo(zone)).date(), "long"),
        period=months(t, period_months),
        n=count,
    )
