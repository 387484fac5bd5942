"""The application's state: one typed object for what lives as long as the bot process.

python-telegram-bot keeps it in `application.bot_data["state"]`; everything else reaches it through
`state_of(app)` or `BotContext.state`, never through string keys of its own.
"""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db import Database
    from bot.domain.ocr import CardReader
    from bot.i18n import Catalogs

STATE_KEY = "state"
PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DispatcherState:
    """What the delivery loop remembers between polls."""

    lease_lost: bool = False
    retry_after: float = 0.0
    planned_at: Any = None  # datetime of the last planning of morning briefs


@dataclass
class AppState:
    settings: Settings
    db: Database
    catalogs: Catalogs
    card_reader: CardReader
    migrate: bool = True
    # Who claims rows and holds worker leases: this process (tests may run several in one).
    worker_id: str = PROCESS_ID
    dispatcher: DispatcherState = field(default_factory=DispatcherState)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


def state_of(app: Any) -> AppState:
    """The state of an Application (or of anything with `bot_data`)."""
    state = app.bot_data.get(STATE_KEY)
    if not isinstance(state, AppState):
        raise RuntimeError("the application was not built by bot.app.build_application")
    return state
