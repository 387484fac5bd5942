"""Versioned, compact callback data for inline buttons.

A button carries `"<version><action>:<arg>:<arg>"`, e.g. `"1set:lang:hr"`. Telegram allows
64 bytes; `encode` refuses anything longer, so a button that would break is caught when it
is built, in tests, not when a rep taps it. Buttons of an older version parse as stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Update
from telegram.constants import InlineKeyboardButtonLimit

from models.errors import StaleButton

VERSION = "1"
_ACTION_RE = re.compile(r"^[a-z]{1,8}$")
_ARG_RE = re.compile(r"^[A-Za-z0-9_./+-]*$")
MAX_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
MAX_ID_DIGITS = 18  # row ids are BIGINT: anything longer is not one of ours


@dataclass(frozen=True, slots=True)
class Callback:
    action: str
    args: tuple[str, ...]

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int) -> int | None:
        value = self.arg(index)
        return int(value) if value.isdigit() and len(value) <= MAX_ID_DIGITS else None

    def id(self, index: int) -> int:
        """A row id at `index`; a button without one is stale (answered by the error handler)."""
        value = self.int_arg(index)
        if value is None:
            raise StaleButton()
        return value

    def choice(self, index: int, allowed: Iterable[str]) -> str:
        """One of `allowed` at `index`; anything else is a stale button."""
        value = self.arg(index)
        if value not in set(allowed):
            raise StaleButton()
        return value


def encode(action: str, *args: str | int) -> str:
    if not _ACTION_RE.match(action):
        raise ValueError(f"bad callback action {action!r}")
    parts = [str(a) for a in args]
    for part in parts:
        if not _ARG_RE.match(part):
            raise ValueError(f"bad callback argument {part!r}")
    data = ":".join([VERSION + action, *parts])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """The button's action and arguments, or None for a button this version does not know."""
    if not data or not data.startswith(VERSION):
        return None
    head, *args = data[len(VERSION) :].split(":")
    if not _ACTION_RE.match(head):
        return None
    return Callback(head, tuple(args))


def pattern(action: str) -> re.Pattern[str]:
    """The `CallbackQueryHandler` pattern for one action."""
    return re.compile(rf"^{VERSION}{re.escape(action)}(:|$)")


def button(update: Update) -> Callback:
    """The tapped button's data; an empty or unknown button raises `StaleButton`."""
    query = update.callback_query
    parsed = parse(query.data if query is not None else None)
    if parsed is None:
        raise StaleButton()
    return parsed
