"""The context every handler receives: the application state, the member and their translator,
and the update's unit of work.

An update is one unit of work: handlers read with `context.read()` as often as they like and write
with `context.write()` once, after parsing and before talking to Telegram. What the access gate
noticed (a changed name, a returning member) is written in that same transaction, or at the end of
the update when the handler wrote nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.db import Database, Scope
from bot.domain.dates import Ambiguous, OutOfBounds, When, read_when
from bot.i18n import Catalogs, Translator
from bot.presentation.moments import out_of_bounds
from bot.services import inbox, members
from bot.state import AppState, state_of
from models.base import utcnow
from models.errors import Reply

if TYPE_CHECKING:
    from bot.config import Settings
    from models import Member, Team

CHUNK_PAUSE = 0.005  # seconds between an import's write transactions, at least
CHUNK_MAX_WAIT = 2.0  # and at most this long waiting for other writes to finish

PendingWrite = Callable[[AsyncSession], Awaitable[None]]
# What PTB calls for an update, and what the text router calls for the open flow's text.
Handler = Callable[["Update", "BotContext"], Coroutine[Any, Any, None]]


class NotAMember(RuntimeError):
    """A handler that needs a member ran for an update without one (a wiring mistake)."""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB builds one per update; the access gate fills `member` and `t` before any handler runs."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.member: Member | None = None
        self.bootstrapped = False  # this update made the sender the owner of a new team
        self.pending: list[PendingWrite] = []  # writes the gate left for the update's transaction
        self.writes = 0  # write transactions this update opened (one at most, by design)
        self._t: Translator | None = None

    @property
    def state(self) -> AppState:
        return state_of(self.application)

    @property
    def db(self) -> Database:
        return self.state.db

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def catalogs(self) -> Catalogs:
        return self.state.catalogs

    @property
    def t(self) -> Translator:
        return self._t or self.catalogs.get(None)

    @t.setter
    def t(self, value: Translator) -> None:
        self._t = value

    @property
    def me(self) -> Member:
        """The member behind this update; handlers behind the gate always have one."""
        if self.member is None:
            raise NotAMember("no member on this update")
        return self.member

    @property
    def scope(self) -> Scope:
        return Scope.of(self.me)

    def tz(self) -> str:
        """The member's time zone, or the team default until they pick one."""
        if self.member is not None and self.member.timezone:
            return self.member.timezone
        return self.settings.default_timezone

    async def team(self) -> Team:
        """The member's team, read through the member's own scope."""
        async with self.read() as session:
            team = await members.get_team(session, self.me.team_id)
        if team is None:
            raise NotAMember("the member's team is gone")
        return team

    async def future_date(self, text: str, examples: str | None = None) -> When | Ambiguous:
        """A future moment typed in words, in the member's language and zone, read in a worker
        thread (CPU work stays off the event loop); two readings come back for the rep to pick.
        Otherwise `Reply` with examples (the caller's, or general ones): the flow keeps its step
        and the rep simply tries again."""
        when = await asyncio.to_thread(read_when, text, language=self.me.language, zone=self.tz(), now=utcnow())
        if isinstance(when, OutOfBounds):
            raise Reply(out_of_bounds(self.t, when))
        if isinstance(when, Ambiguous):
            return when
        if when is None or when.past:
            if examples is not None:
                raise Reply(self.t("I could not read that as a future date. ") + examples)
            raise Reply(
                self.t(
                    "I could not read that as a future date. Try for example: Q2, in three months, "
                    "after the summer, end of month."
                )
            )
        return when

    @asynccontextmanager
    async def read(self, scope: Scope | None = None) -> AsyncIterator[AsyncSession]:
        """A read-only transaction through the member's scope (or `scope`)."""
        async with self.db.read(scope or self.scope) as session:
            yield session

    @asynccontextmanager
    async def write(self, scope: Scope | None = None) -> AsyncIterator[AsyncSession]:
        """The update's write transaction, through the member's scope (or `scope`). The gate's
        pending writes go first; commit happens when the block ends, before any reply is sent."""
        self.writes += 1
        work = inbox.CURRENT_UPDATE.get()
        async with self.db.begin(scope or self.scope) as session:
            pending, self.pending = self.pending, []
            for write in pending:
                await write(session)
            if work is not None and not work.done:  # the update's work and "handled" commit together
                await inbox.mark_done(await session.connection(), work.update_id, now=utcnow())
            yield session
        if work is not None:
            work.done = True

    @asynccontextmanager
    async def write_chunk(self, scope: Scope | None = None) -> AsyncIterator[AsyncSession]:
        """One of the many write transactions of a long import: the one deliberate exception to
        a single write per update (see `import_some` in bot/services/capture.py). It first lets
        the other updates of this process run and waits (a while at most) until no other write is
        open or waiting, so that the import's chunks take turns with them instead of starving them
        of SQLite's write lock. It does not mark the update handled: the import ends with `write()`,
        which does, so an import cut short by a crash is handled again (what it saved is then
        skipped as duplicates)."""
        await asyncio.sleep(CHUNK_PAUSE)
        waited = 0.0
        while self.db.writes_open and waited < CHUNK_MAX_WAIT:
            await asyncio.sleep(CHUNK_PAUSE)
            waited += CHUNK_PAUSE
        async with self.db.begin(scope or self.scope) as session:
            yield session

    def answer_before_writing(self) -> None:
        """This update sends something (a placeholder) before its write: keep it unhandled until
        the write, so that it is handled again if the process dies in between."""
        work = inbox.CURRENT_UPDATE.get()
        if work is not None:
            work.defer = True

    async def flush_pending(self) -> None:
        """Write what the gate left when the handler itself wrote nothing (end of the update)."""
        if self.pending:
            async with self.write(Scope.system()):
                pass
