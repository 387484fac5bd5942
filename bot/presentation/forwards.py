"""What the bot answers to forwarded messages: the offer to keep them as a note on a known record,
the question for a sender Telegram shows by name only, and a channel's or group's post."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.domain.forwards import Sender, SenderKind
from bot.i18n import Translator
from bot.presentation import cards
from bot.presentation.records import label
from bot.services.capture import Duplicate
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


def lead_how(t: Translator) -> str:
    """/lead in a group without a message about a person to reply to."""
    return t("Reply to a message with /lead to make its sender, or the contact it shares, your lead.")


def group_done(t: Translator) -> str:
    """What the group hears after /lead: never the contact's details."""
    return t("✅ Done. The details are in our private chat.")


def lead_from_group(t: Translator, lead: Lead, group: str) -> tuple[str, InlineKeyboardMarkup]:
    """In private, after /lead in a group: the new record, with the usual buttons after saving."""
    text, markup = cards.saved(t, lead)
    return t("From the group {group}:", group=group) + "\n" + text, markup


def lead_known(t: Translator, duplicate: Duplicate) -> tuple[str, InlineKeyboardMarkup | None]:
    """In private, after /lead in a group about someone the team already has: nothing was added."""
    if not duplicate.mergeable:
        return (
            t(
                "A colleague, <b>{colleague}</b>, already has this contact, so nothing was added.",
                colleague=duplicate.colleague or "–",
            ),
            None,
        )
    button = InlineKeyboardButton(t("Open the record"), callback_data=callbacks.encode("rec", duplicate.lead_id))
    return (
        t(
            "<b>{name}</b> ({company}) is already in your team, so nothing was added.",
            name=duplicate.name or "–",
            company=duplicate.company or "–",
        ),
        InlineKeyboardMarkup([[button]]),
    )
