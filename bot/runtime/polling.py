"""Long polling by one process at a time: the holder of the "poller" lease calls getUpdates and
stores what it gets in the inbox; the others handle updates from the inbox and take the lease over
within seconds when the holder stops. (Telegram answers a second concurrent getUpdates with 409
Conflict.) An update is confirmed to Telegram (the next offset) only after it is stored."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

from bot.db import Scope
from bot.services import inbox, leases
from bot.state import state_of
from models.base import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "poller"
LEASE = timedelta(seconds=15)
LONG_POLL = 5  # seconds Telegram holds a getUpdates open: well inside the lease
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class Poller:
    def __init__(self, app: Any, receive: Callable[[Sequence[inbox.Incoming], str], Awaitable[int]]) -> None:
        self.app = app
        self.state = state_of(app)
        self.receive = receive
        self.offset: int | None = None
        self.holding = False
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def _hold(self) -> bool:
        async with self.state.db.begin(Scope.system()) as session:
            held = await leases.hold(session, LEASE_NAME, owner=self.state.worker_id, now=utcnow(), ttl=LEASE)
        if held != self.holding:
            log.info("this process %s polls Telegram", "now" if held else "no longer")
        self.holding = held
        return held

    async def run(self) -> None:
        backoff = 1.0
        try:
            while not self._stopping.is_set():
                try:
                    if not await self._hold():
                        self.offset = None  # the next holder confirms from where Telegram is
                        await self._pause(LEASE.total_seconds() / 5)
                        continue
                    updates = await self.app.bot.get_updates(
                        offset=self.offset, timeout=LONG_POLL, allowed_updates=ALLOWED_UPDATES
                    )
                    backoff = 1.0
                except Conflict:  # the previous holder's last long poll is still open
                    log.info("another process is still polling; waiting")
                    await self._pause(2)
                    continue
                except RetryAfter as exc:
                    await self._pause(float(exc.retry_after if isinstance(exc.retry_after, int) else 5))
                    continue
                except (TimedOut, NetworkError) as exc:
                    log.warning("cannot reach Telegram (%s); trying again in %.0f s", type(exc).__name__, backoff)
                    await self._pause(backoff)
                    backoff = min(backoff * 2, 60)
                    continue
                except Exception:
                    log.exception("polling failed; trying again")
                    await self._pause(backoff)
                    backoff = min(backoff * 2, 60)
                    continue
                if updates:
                    await self._store(updates)
                    self.offset = updates[-1].update_id + 1
        finally:
            if self.holding:
                try:
                    async with self.state.db.begin(Scope.system()) as session:
                        await leases.release(session, LEASE_NAME, owner=self.state.worker_id, now=utcnow())
                except Exception:
                    log.debug("could not release the poller lease", exc_info=True)

    async def _store(self, updates: tuple[Update, ...]) -> None:
        incoming = []
        for update in updates:
            payload = update.to_dict()
            incoming.append(inbox.Incoming(update.update_id, inbox.chat_key_of(payload), payload))
        await self.receive(incoming, "polling")

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass
