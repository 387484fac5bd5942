"""Prometheus metrics (prometheus_client), served at /metrics. Labels are small fixed sets: no
user id, chat id or text ever becomes a label."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram
from telegram import Update

UPDATES_RECEIVED = Counter("salesbot_updates_received_total", "Updates stored in the inbox", ["source"])
UPDATES_PROCESSED = Counter("salesbot_updates_processed_total", "Updates handled", ["kind", "outcome"])
UPDATE_SECONDS = Histogram(
    "salesbot_update_seconds",
    "Time to handle one update, by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
INBOX_LAG = Gauge("salesbot_inbox_lag_seconds", "How long the oldest waiting update has waited")
REMINDERS = Counter("salesbot_reminders_total", "Reminders by outcome", ["outcome"])
OCR_SECONDS = Histogram("salesbot_ocr_seconds", "Time to read one card photo", buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16))
TELEGRAM_ERRORS = Counter("salesbot_telegram_errors_total", "Bot API calls that failed, by code", ["code"])


def update_kind(update: Update) -> str:
    """A small fixed label for what an update is."""
    if update.callback_query is not None:
        return "button"
    message = update.message or update.edited_message
    if message is not None:
        if message.chat.type != "private":
            return "group"
        if message.text and message.text.startswith("/"):
            return "command"
        if message.text:
            return "text"
        if message.photo or message.document:
            return "file"
        if message.contact:
            return "contact"
        return "other_message"
    if update.my_chat_member is not None or update.chat_member is not None:
        return "membership"
    return "other"
