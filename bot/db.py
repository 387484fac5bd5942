"""The database: async engine, sessions scoped to a member's access, and migrations.

Access rules live here, in one place. Every session carries a `Scope`; an ORM event adds
the team filter (and, for reps, the owner filter) to every SELECT, UPDATE and DELETE it runs,
and a flush check refuses to write a row of another team. Handlers cannot forget it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

import models
from models.errors import AccessDenied
from models.scoping import LeadChild, OwnedByMember, TeamScoped

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(models.__file__).resolve().parent / "migrations"
READ_ONLY = "salesbot_read_only"  # execution option and session flag of read-only transactions


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose eyes a session looks through. `system` sees everything (dispatchers, sign-up)."""

    team_id: int | None
    member_id: int | None
    sees_team: bool

    @property
    def is_system(self) -> bool:
        return self.team_id is None

    @classmethod
    def system(cls) -> Scope:
        return cls(team_id=None, member_id=None, sees_team=True)

    @classmethod
    def of(cls, member: models.Member) -> Scope:
        return cls(team_id=member.team_id, member_id=member.id, sees_team=member.role.sees_team)


class ScopedSession(Session):
    """The synchronous session behind every AsyncSession; carries the scope in `info`."""


def _scope_of(session: OrmSession) -> Scope:
    scope = session.info.get("scope")
    if not isinstance(scope, Scope):
        raise RuntimeError("a database session was used without an access scope")
    return scope


@cache
def _mapped(marker: type) -> tuple[Any, ...]:
    """Every table class carrying a scoping marker (computed once all tables are imported)."""
    return tuple(m.class_ for m in SQLModel._sa_registry.mappers if issubclass(m.class_, marker))


def scope_criteria(scope: Scope) -> list[Any]:
    """The loader criteria that confine a statement to what `scope` may see."""
    team_id = scope.team_id
    criteria: list[Any] = [with_loader_criteria(models.Team, col(models.Team.id) == team_id)]
    criteria += [with_loader_criteria(cls, cls.team_id == team_id) for cls in _mapped(TeamScoped)]
    if not scope.sees_team:
        own_leads = select(col(models.Lead.id)).where(col(models.Lead.owner_id) == scope.member_id)
        criteria += [with_loader_criteria(cls, cls.owner_id == scope.member_id) for cls in _mapped(OwnedByMember)]
        criteria += [with_loader_criteria(cls, cls.lead_id.in_(own_leads)) for cls in _mapped(LeadChild)]
    return criteria


@event.listens_for(ScopedSession, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise RuntimeError("a write in a read-only session; use Database.begin")
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    scope = _scope_of(state.session)
    if not scope.is_system:
        state.statement = state.statement.options(*scope_criteria(scope))


@event.listens_for(ScopedSession, "before_flush")
def _check_writes(session: OrmSession, _flush_context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a write in a read-only session; use Database.begin")
    scope = _scope_of(session)
    if scope.is_system:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, models.Team):
            if obj.id != scope.team_id:
                raise AccessDenied()
            continue
        # (The markers carry no columns; each table class declares its own team_id / owner_id.)
        row: Any = obj
        if isinstance(obj, TeamScoped) and row.team_id != scope.team_id:
            raise AccessDenied()
        if not scope.sees_team and isinstance(obj, OwnedByMember) and row.owner_id != scope.member_id:
            raise AccessDenied()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin): the driver's own deferred BEGIN
    # turns a read-then-write transaction into "database is locked" under concurrency.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front; busy_timeout then queues writers instead of failing
    # them. A reader begins deferred: in WAL mode it never waits for, nor holds up, a writer.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def restrict_sqlite_files(url: str) -> None:
    """An SQLite database made by an older version (or another tool) becomes its owner's alone."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(parsed.database + suffix)
        if path.exists():
            path.chmod(0o600)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # hide_parameters: a failed statement is logged without its values (names, e-mails, card text).
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"), **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


class Database:
    """The engine and two session factories (writes, reads); lives in the application state for
    the bot's lifetime.

    An update is one unit of work: at most one write transaction (`begin`), any number of reads
    (`read`), and never a call to Telegram while a write is open (it would hold SQLite's write lock
    across a network round trip). `writes_open` and `writes_started` let tests check both.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, sync_session_class=ScopedSession, expire_on_commit=False
        )
        read_options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            read_options["postgresql_readonly"] = True
        self._read_engine = self.engine.execution_options(**read_options)
        self._readers = async_sessionmaker(
            self._read_engine,
            class_=AsyncSession,
            sync_session_class=ScopedSession,
            expire_on_commit=False,
        )
        self.writes_open = 0
        self.writes_started = 0
        self._kept: AsyncConnection | None = None  # see `bookkeeping`
        self._kept_lock: asyncio.Lock | None = None

    @contextlib.contextmanager
    def _counted(self) -> Iterator[None]:
        """Counts a write transaction while it is open (`writes_open`) and in all (`writes_started`)."""
        self.writes_open += 1
        self.writes_started += 1
        try:
            yield
        finally:
            self.writes_open -= 1

    @asynccontextmanager
    async def begin(self, scope: Scope) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction, committed on success and rolled back on error."""
        with self._counted():
            async with self._sessions() as session:
                session.info["scope"] = scope
                async with session.begin():
                    yield session

    @asynccontextmanager
    async def read(self, scope: Scope) -> AsyncIterator[AsyncSession]:
        """A session in one read-only transaction: it refuses writes, and on SQLite it takes no
        write lock (a deferred BEGIN), so reads never queue behind a writer."""
        async with self._readers() as session:
            session.info["scope"] = scope
            session.info[READ_ONLY] = True
            async with session.begin():
                yield session

    @asynccontextmanager
    async def core(self) -> AsyncIterator[AsyncConnection]:
        """A plain connection from the pool in one write transaction, for the runtime's
        housekeeping (the inbox's leases and pruning): Core statements only, no ORM session and no
        access scope. Counted with the other writes."""
        with self._counted():
            async with self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def core_read(self) -> AsyncIterator[AsyncConnection]:
        """A plain connection in one read-only transaction (see `read`)."""
        async with self._read_engine.connect() as conn:
            yield conn

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def upgrade(self) -> None:
        """Apply every pending migration (idempotent)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_on, self.url)

    @asynccontextmanager
    async def bookkeeping(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction on the one connection this process keeps for the update inbox's
        short steps (store, take, mark, finish), taken in turn: no pool check-out (nor, on
        PostgreSQL, its ping) on every update's path. A connection that failed is dropped and the
        next step opens a new one."""
        if self._kept_lock is None:
            self._kept_lock = asyncio.Lock()
        async with self._kept_lock:
            conn = self._kept
            if conn is None or conn.closed or conn.invalidated:
                conn = self._kept = await self.engine.connect()
            with self._counted():
                try:
                    async with conn.begin():
                        yield conn
                except BaseException:
                    self._kept = None
                    with contextlib.suppress(Exception):
                        await conn.close()
                    raise

    async def dispose(self) -> None:
        if self._kept is not None:
            with contextlib.suppress(Exception):
                await self._kept.close()
            self._kept = None
        await self.engine.dispose()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = url
    return cfg


def _upgrade_on(connection: Connection, url: str) -> None:
    cfg = alembic_config(url)
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
