"""What the bot answers to forwarded messages: the offer to keep them as a note on a known record,
the question for a sender Telegram shows by name only, and a channel's or group's post."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain.forwards import Sender, SenderKind
from bot.i18n import Translator
from bot.presentation.records import label
from models import Lead

QUOTED = 300  # characters of the forwarded text shown in the offer


def note_offer(t: Translator, nonce: str, lead: Lead, texts: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    """A known record's forwarded messages: add them as one note?"""
    quoted = "\n\n".join(x for x in texts if x.strip())
    if len(quoted) > QUOTED:
        quoted = quoted[: QUOTED - 1] + "…"
    head = (
        t("This message is from <b>{name}</b>, already one of your records. Add it as a note?", name=label(lead))
        if len(texts) == 1
        else t.plural(
            "These {n} messages are from <b>{name}</b>, already one of your records. Add them as one note?",
            "These {n} messages are from <b>{name}</b>, already one of your records. Add them as one note?",
            len(texts),
            name=label(lead),
        )
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("📝 Add as a note"), callback_data=callbacks.encode("fwd", nonce, "add")),
                InlineKeyboardButton(t("✖ No"), callback_data=callbacks.encode("fwd", nonce, "no")),
            ]
        ]
    )
    return (f"{head}\n\n<i>{html.escape(quoted, quote=False)}</i>" if quoted else head), markup


def name_only(t: Translator) -> str:
    """Under the preview of a sender who hides their account when forwarded."""
    return t(
        "Telegram shows only this sender's name: their account is hidden by their privacy settings. "
        "Which company are they from? Type it, or tap Save."
    )


def not_a_person(t: Translator, sender: Sender) -> str:
    """A forwarded channel post or group message: no person to make a lead of."""
    if sender.kind is SenderKind.CHANNEL:
        return t(
            "That is a post of the channel {name}, not a message from a person. Forward a message your "
            "contact wrote, or send their card.",
            name=sender.name or "–",
        )
    return t(
        "That message was sent on behalf of the group {name}, not by a person. Forward a message your "
        "contact wrote, or send their card.",
        name=sender.name or "–",
    )


def not_added(t: Translator) -> str:
    return t("Not added.")


def gone(t: Translator) -> str:
    return t("Those forwarded messages are no longer waiting. Forward them again.")
