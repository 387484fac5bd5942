"""The inbox workers: take a chat's next update, handle it with the Application, finish it.

An update received by this process (webhook or poller) whose chat has nothing waiting goes
straight to an idle slot: `receive` stores it and leases its chat in one transaction. Anything else
waits in the inbox and is claimed by the next free slot of any process.

A process runs `slots` of them. Each claim takes the chat served longest ago (see
bot/services/inbox.py), so chats are served in turn and one chat's burst waits behind itself only.
A claimed chat is leased; the lease is renewed while its update is being handled and lapses when
the process dies, so another process handles that update again. The handler's own write marks the
update done in the same transaction (bot/context.py), so its work is never committed twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from telegram import Update

from bot import metrics
from bot.services import inbox
from bot.state import state_of
from models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an update that took the process down this often is skipped, not retried forever
IDLE_REST = 10.0  # seconds an idle slot other than the first rests when nobody wakes it


class InboxWorker:
    def __init__(self, app: Any, *, slots: int, poll_seconds: float = 0.5) -> None:
        self.app = app
        self.state = state_of(app)
        self.slots = slots
        self.poll_seconds = poll_seconds
        self.busy: dict[int, int] = {}  # chat key -> update id being handled here (or about to be)
        self._idle: deque[asyncio.Future[inbox.Claimed | None]] = deque()  # idle slots, waiting
        self._ready: deque[inbox.Claimed] = deque()  # taken on receipt, for the next free slot
        self._wakes = 0  # wakes that found no idle slot: the next slot to go idle looks at once
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        # A dead process's chats are handled again within this time.
        self.lease = timedelta(seconds=self.state.settings.inbox_lease_seconds)

    @property
    def owner(self) -> str:
        return self.state.worker_id

    async def receive(self, updates: Sequence[inbox.Incoming], source: str) -> int:
        """Store updates as they arrive (webhook, poller). An update whose chat has nothing waiting
        goes straight to an idle slot of this process, leased in the same transaction; the others
        wait in the inbox for the next claim. Returns how many were new."""
        take = 0 if self._stopping else max(0, sum(not w.done() for w in self._idle) - len(self._ready))
        async with self.state.db.bookkeeping() as conn:
            got = await inbox.accept(conn, updates, now=utcnow(), owner=self.owner, take=take, lease=self.lease)
        metrics.UPDATES_RECEIVED.labels(source).inc(len(got.new))
        for claimed in got.taken:
            self._hand(claimed)
        if len(got.new) > len(got.taken):
            self.wake()
        return len(got.new)

    def _hand(self, claimed: inbox.Claimed) -> None:
        self.busy[claimed.chat_key] = claimed.update_id  # its lease is renewed from now on
        while self._idle:
            waiter = self._idle.popleft()
            if not waiter.done():
                waiter.set_result(claimed)
                return
        self._ready.append(claimed)

    def wake(self) -> None:
        """Updates wait in the inbox: one idle slot looks again at once. One, not all: the others
        would only contend for the same claim."""
        while self._idle:
            waiter = self._idle.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._wakes = min(self._wakes + 1, self.slots)

    async def _rest(self, seconds: float) -> inbox.Claimed | None:
        """Wait for an update handed over on receipt (returned), a wake, or `seconds` (then look
        for work stored by other processes, or whose claimer died)."""
        if self._ready:
            return self._ready.popleft()
        if self._stopping:
            return None
        if self._wakes:
            self._wakes -= 1
            return None
        waiter: asyncio.Future[inbox.Claimed | None] = asyncio.get_running_loop().create_future()
        self._idle.append(waiter)
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            if waiter in self._idle:
                self._idle.remove(waiter)
        if waiter.done():
            return waiter.result()
        waiter.cancel()
        return None

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._slot(i), name=f"inbox-{i}") for i in range(self.slots)]
        self._tasks.append(asyncio.create_task(self._keeper(), name="inbox-leases"))

    async def stop(self, *, grace: float) -> None:
        """Take no new update; let the ones in hand finish within `grace` seconds, give the rest back."""
        self._stopping = True
        for claimed in self._ready:
            self.busy.pop(claimed.chat_key, None)
        self._ready.clear()
        for waiter in self._idle:
            if not waiter.done():
                waiter.set_result(None)
        slots, keeper = self._tasks[:-1], self._tasks[-1:]
        _, pending = await asyncio.wait(slots, timeout=grace) if slots else (set(), set())
        for task in (*pending, *keeper):
            task.cancel()
        for task in (*pending, *keeper):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            async with self.state.db.core() as conn:
                await inbox.release(conn, owner=self.owner)

    async def _slot(self, index: int) -> None:
        # The first slot looks every `poll_seconds` for work it was not handed (stored by another
        # process, or left by a dead one); the others rest until woken or handed an update.
        rest = self.poll_seconds if index == 0 else IDLE_REST
        claimed = await self._rest(rest) if index else None  # at start-up only the first looks
        while not self._stopping:
            if claimed is None:
                try:
                    claimed = await self._claim()
                except Exception:
                    log.exception("could not claim an update; trying again")
                    await asyncio.sleep(self.poll_seconds)
                    continue
                if claimed is None:
                    claimed = await self._rest(rest)
                    continue
                self.wake()  # more may be waiting: one more idle slot looks
            if await self._handle(claimed):
                self.wake()  # this chat has more waiting
            claimed = await self._rest(rest)

    async def _claim(self) -> inbox.Claimed | None:
        async with self.state.db.bookkeeping() as conn:
            return await inbox.claim(conn, owner=self.owner, now=utcnow(), lease=self.lease, exclude=self.busy)

    async def _handle(self, claimed: inbox.Claimed) -> bool:
        """Handle one claimed update; True when its chat has more waiting."""
        self.busy[claimed.chat_key] = claimed.update_id
        token = inbox.CURRENT_UPDATE.set(inbox.Work(claimed.update_id))
        kind, outcome, started = "other", "ok", time.perf_counter()
        try:
            if claimed.attempts > MAX_ATTEMPTS:
                log.error("update %s failed %d times; skipped", claimed.update_id, claimed.attempts - 1)
                outcome = "skipped"
            else:
                update = Update.de_json(claimed.payload, self.app.bot)
                kind = metrics.update_kind(update)
                await self.app.process_update(update)
        except Exception:  # the Application's error handler saw handler errors; this is the rest
            log.exception("update %s could not be handled", claimed.update_id)
            outcome = "error"
        finally:
            inbox.CURRENT_UPDATE.reset(token)
        metrics.UPDATE_SECONDS.labels(kind).observe(time.perf_counter() - started)
        metrics.UPDATES_PROCESSED.labels(kind, outcome).inc()
        try:
            async with self.state.db.bookkeeping() as conn:
                return await inbox.finish(conn, claimed, owner=self.owner, now=utcnow())
        except Exception:  # the lease lapses and the chat is taken again
            log.exception("could not mark update %s handled", claimed.update_id)
            return False
        finally:
            self.busy.pop(claimed.chat_key, None)

    async def _keeper(self) -> None:
        """Renew the leases of the chats in hand, prune old updates, and publish the inbox lag."""
        every = self.lease.total_seconds() / 4
        last_prune = 0.0
        while True:
            await asyncio.sleep(every)
            try:
                now = utcnow()
                async with self.state.db.core() as conn:
                    await inbox.renew(conn, list(self.busy), owner=self.owner, until=now + self.lease)
                    if time.monotonic() - last_prune > 60:
                        keep = timedelta(minutes=self.state.settings.inbox_keep_minutes)
                        await inbox.prune(conn, before=now - keep)
                        last_prune = time.monotonic()
                async with self.state.db.core_read() as conn:
                    metrics.INBOX_LAG.set(await inbox.lag(conn, now=now))
            except Exception:
                log.warning("inbox housekeeping failed; trying again", exc_info=True)


async def mark_answering(state: Any, endpoint: str) -> None:
    """Right before an answer goes to Telegram (after the wait for the sending budget): an update
    that wrote nothing is marked handled now, so that a process killed after answering is never
    answered again by another (see `inbox.Work`). What is left is the instant between this commit
    and the request leaving the process. On PostgreSQL this commit does not wait for the disk (it is
    on the answer's path; a database crash losing it only means the update is handled once more)."""
    work = inbox.CURRENT_UPDATE.get()
    if work is None or work.done or work.defer or endpoint in NOT_ANSWERS:
        return
    work.done = True
    async with state.db.bookkeeping() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(LAZY_COMMIT)
        await inbox.mark_done(conn, work.update_id, now=utcnow())


LAZY_COMMIT = text("SET LOCAL synchronous_commit = off")
NOT_ANSWERS = frozenset(
    {"getUpdates", "getMe", "getFile", "sendChatAction", "setWebhook", "deleteWebhook", "getWebhookInfo",
     "setMyCommands", "getChat", "getChatMember"}
)  # fmt: skip
