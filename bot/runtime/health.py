"""What /readyz reports about Telegram (kept apart from the HTTP server, which loads only when a
port is set)."""

from __future__ import annotations

import time

from bot.state import AppState


class Health:
    """What /readyz reports: is the database there, was Telegram reachable lately, is the inbox
    keeping up."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.telegram_ok_at = 0.0  # monotonic time of the last successful Bot API call

    def telegram_ok(self) -> None:
        self.telegram_ok_at = time.monotonic()
