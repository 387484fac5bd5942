"""Background delivery, run by the bot process: the poll loop and its lease (`loop`), reminders and
morning briefs (`reminders`), scheduled group summaries (`summaries`).

Jobs here have no update and no BotContext: they open `db.begin`/`db.read` themselves, and, like
handlers, never call Telegram while a write transaction is open.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

App = Application[Any, Any, Any, Any, Any, Any]
