"""The first run: while no team exists, `salesbot run` prints a one-time claim link (bot/services/claims.py)."""

from __future__ import annotations

import logging
from typing import Any

from bot.db import Scope
from bot.services import claims
from bot.state import state_of
from models.base import utcnow

log = logging.getLogger("bot.runtime")


async def announce(app: Any) -> str | None:
    """Print the claim link once at start-up when the bot has no team yet; return it (None when a
    team exists)."""
    async with state_of(app).db.begin(Scope.system()) as session:
        token = await claims.open_claim(session, now=utcnow())
    if token is None:
        return None
    link = claims.link(app.bot.username, token)
    hours = int(claims.TTL.total_seconds() // 3600)
    log.warning(
        "No team yet. Open this link in Telegram to become the owner of the first team "
        "(single use, valid for %d hours; or put your Telegram user id in ADMIN_IDS): %s",
        hours,
        link,
    )
    return link
