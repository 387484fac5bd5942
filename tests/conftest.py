"""Fixtures: one migrated database per run (SQLite by default, PostgreSQL when DATABASE_URL names
one), emptied before each test, and the real bot Application on a recording Bot API."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import models  # noqa: F401
from bot.app import build_application
from bot.config import Settings
from bot.db import Database
from bot.state import state_of
from tests.telegram_fake import TOKEN, FakeTelegram, RecordingRequest

ADMIN_ID = 9001

# Property tests (Hypothesis): a bounded budget, the same examples on every run, nothing kept on
# disk. A test may ask for more examples with its own `@settings`.
hypothesis_settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


async def _prepare_postgres(url: str) -> str:
    """A database of the tests' own beside the one named, dropped and made anew each run."""
    target = make_url(url)
    name = f"{target.database}_salesbot"
    admin = Database(url, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return target.set(database=name).render_as_string(hide_password=False)


async def _drop_postgres(named: str, url: str) -> None:
    """The tests' own database goes at the end of the run (connections left open are cut off)."""
    admin = Database(named, isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


async def _migrate(url: str) -> None:
    db = Database(url)
    await db.upgrade()
    await db.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    named = os.environ.get("DATABASE_URL") or ""
    if named.startswith("postgresql"):
        url = asyncio.run(_prepare_postgres(named))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    asyncio.run(_migrate(url))
    yield url
    if named.startswith("postgresql"):
        asyncio.run(_drop_postgres(named, url))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await conn.execute(table.delete())
    yield database
    await database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        database_url=database_url,
        admin_ids=str(ADMIN_ID),
        default_timezone="Europe/Zagreb",
        ocr_workers=0,  # photos read in a thread of the test's process
        _env_file=None,
    )


@pytest.fixture
async def tg(db: Database, settings: Settings) -> AsyncIterator[FakeTelegram]:
    del db  # requested so that the tables are emptied first
    request = RecordingRequest()
    app = build_application(settings, request=request, rate_limiter=False, migrate=False)
    async with app:
        yield FakeTelegram(app, request)
    await state_of(app).db.dispose()  # what post_shutdown does when the bot runs for real


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
