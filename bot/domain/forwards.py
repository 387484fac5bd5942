"""Messages a rep forwards to the bot: who sent them (as far as the sender's privacy settings let
Telegram tell), and when the next forward belongs to the same batch.

Telegram sends a batch of forwarded messages as separate updates, one per message, a fraction of a
second apart. The bot's update inbox handles one chat's updates one at a time and in order, so the
batch is kept as the rep's open forward (bot/flows.py, `ForwardFlow`): a forward from the same sender
sent within `BATCH_WINDOW` of the previous one extends it, and the bot edits its one answer instead
of answering again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.cards import Card, normalise_phone

# Forwards of one batch arrive within about a second; Telegram's dates have one-second steps.
BATCH_WINDOW = timedelta(seconds=2)
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


class SenderKind(StrEnum):
    USER = "user"  # a Telegram account: id, name, maybe a username
    HIDDEN = "hidden"  # the sender hides their account when forwarded: a name only
    CHAT = "chat"  # a group or its anonymous admin
    CHANNEL = "channel"  # a channel post


@dataclass(frozen=True, slots=True)
class Sender:
    """The author of a forwarded message, as Telegram shows them."""

    kind: SenderKind
    name: str
    user_id: int | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def key(self) -> str:
        """What tells two senders apart within a batch."""
        if self.user_id is not None:
            return f"u{self.user_id}"
        return f"{self.kind.value}:{self.username or self.name}"[:200]

    @property
    def is_person(self) -> bool:
        return self.kind in (SenderKind.USER, SenderKind.HIDDEN)

    @property
    def name_only(self) -> bool:
        """Only the name is known: no account to write to or to recognise them by."""
        return self.kind is SenderKind.HIDDEN

    def card(self) -> Card:
        """A new lead's card with what is known of the sender."""
        first, last = self.first_name, self.last_name
        if first is None and last is None and self.name:
            first, _, rest = self.name.partition(" ")
            last = rest or None
        return Card(
            first_name=first or None,
            last_name=last or None,
            telegram_id=self.user_id,
            telegram_username=self.username,
        )


def clean_username(value: str | None) -> str | None:
    """A Telegram username without "@", or None when it cannot be one."""
    if not value:
        return None
    value = value.strip().removeprefix("@")
    return value if USERNAME.match(value) else None


def chat_link(user_id: int | None, username: str | None) -> str | None:
    """Where "Open chat" leads: the public t.me link of a username, else the account by its id."""
    username = clean_username(username)
    if username is not None:
        return f"https://t.me/{username}"
    if user_id is not None and user_id > 0:
        return f"tg://user?id={user_id}"
    return None


def sender_of(origin: Mapping[str, Any]) -> Sender:
    """Who wrote a forwarded message, from its `forward_origin` as the Bot API gives it."""
    kind = origin.get("type")
    if kind == "user":
        user = origin.get("sender_user") or {}
        first, last = user.get("first_name") or None, user.get("last_name") or None
        return Sender(
            SenderKind.USER,
            name=" ".join(p for p in (first, last) if p),
            user_id=int(user["id"]) if user.get("id") is not None else None,
            username=clean_username(user.get("username")),
            first_name=first,
            last_name=last,
        )
    if kind in ("chat", "channel"):
        chat = origin.get("chat" if kind == "channel" else "sender_chat") or {}
        return Sender(
            SenderKind.CHANNEL if kind == "channel" else SenderKind.CHAT,
            name=origin.get("author_signature") or chat.get("title") or "",
            username=clean_username(chat.get("username")),
        )
    return Sender(SenderKind.HIDDEN, name=" ".join(str(origin.get("sender_user_name") or "").split()))


def _user(user: Mapping[str, Any]) -> Sender:
    return sender_of({"type": "user", "sender_user": user})


def card_in(message: Mapping[str, Any], region: str | None) -> Card | None:
    """The person a group message a member replied to with /lead is about, as a new lead's card
    (from the Bot API's message): a contact shared in it, else the author of what it forwards,
    else a member mentioned by name (a text mention), else its sender. None when it names no
    person (a bot, a channel's post)."""
    contact = message.get("contact")
    if contact:
        raw = str(contact.get("phone_number") or "")
        phone = normalise_phone(raw if raw.startswith("+") else f"+{raw}", region) if raw else None
        return Card(
            first_name=contact.get("first_name") or None,
            last_name=contact.get("last_name") or None,
            phones=[phone] if phone else [],
            telegram_id=contact.get("user_id"),
        )
    origin = message.get("forward_origin")
    if origin:
        sender = sender_of(origin)
        return sender.card() if sender.is_person else None
    for entity in message.get("entities") or []:
        user = entity.get("user")
        if entity.get("type") == "text_mention" and user and not user.get("is_bot"):
            return _user(user).card()
    author = message.get("from")
    if author and not author.get("is_bot"):
        return _user(author).card()
    return None


def extends(batch_sender: str, batch_last: datetime, sender: Sender, at: datetime) -> bool:
    """Whether a forward of `sender` sent at `at` belongs to the open batch (of `batch_sender`,
    whose last forward was sent at `batch_last`)."""
    return batch_sender == sender.key and timedelta(0) <= at - batch_last <= BATCH_WINDOW


def joined(texts: list[str], limit: int) -> str:
    """A batch's texts as one note, within `limit` characters (the end is cut with "…")."""
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"
