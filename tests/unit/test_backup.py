"""Backup and restore of the SQLite database: a consistent copy of a live database (0600), a
restore that replaces the database and settles what was being sent, refusals with advice."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot import cli
from bot.backup import BackupError, backup, restore
from bot.db import Database, Scope
from bot.services import reminders
from models import Lead, Reminder, ReminderStatus, WorkerLease
from models.base import utcnow
from tests.support import add_lead, due_reminder, make_team

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/salesbot"


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[tuple[str, Database]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    db = Database(url)
    await db.upgrade()
    yield url, db
    await db.dispose()


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_a_backup_of_a_live_database_is_consistent_private_and_opens(live, tmp_path):
    url, db = live
    team = await make_team(db, "T", 9100)
    await add_lead(db, team["rep1"], "Ana")
    target = tmp_path / "copy.db"
    async with db.begin(Scope.of(team["rep1"])) as s:  # the bot is writing while the copy is taken
        s.add(Lead(team_id=team["rep1"].team_id, owner_id=team["rep1"].id, code="uncommitted", first_name="Later"))
        await s.flush()
        report = await asyncio.to_thread(backup, url, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert report.rows > 0 and report.tables > 5
    assert rows(target, "lead") == 1  # the committed record, not the half-written one
    assert rows(target, "member") == 4
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    with pytest.raises(BackupError, match="already exists"):  # never overwrites a file
        backup(url, target)


async def test_restore_replaces_the_database_and_settles_reminders_being_sent(live, tmp_path):
    url, db = live
    team = await make_team(db, "T", 9200)
    await due_reminder(db, team["rep1"])
    async with db.begin(Scope.system()) as s:  # claimed by the dispatcher, on its way to Telegram
        claimed = await reminders.claim_due(s, now=utcnow(), owner="worker-1")
    assert [r.status for r in claimed] == [ReminderStatus.SENDING]
    target = tmp_path / "copy.db"
    backup(url, target)
    await add_lead(db, team["rep1"], "After the backup")  # a change the restore takes away
    assert (await db_leads(db)) == 2
    await db.dispose()  # the bot is stopped
    report = restore(url, target)
    assert report.settled_reminders == 1
    db2 = Database(url)
    try:
        assert (await db_leads(db2)) == 1
        async with db2.read(Scope.system()) as s:
            [reminder] = (await s.exec(select(Reminder))).all()
        assert reminder.status is ReminderStatus.SENT and reminder.lease_owner is None
        async with db2.begin(Scope.system()) as s:  # the dispatcher, long after: nothing to send again
            assert await reminders.claim_due(s, now=utcnow() + timedelta(days=1), owner="worker-2") == []
    finally:
        await db2.dispose()


async def db_leads(db: Database) -> int:
    async with db.read(Scope.system()) as s:
        return len((await s.exec(select(Lead))).all())


async def test_restore_refuses_while_the_bot_runs_and_what_is_not_a_backup_of_this_app(live, tmp_path):
    url, db = live
    target = tmp_path / "copy.db"
    backup(url, target)
    async with db.begin(Scope.system()) as s:  # a running bot holds the dispatcher lease
        s.add(WorkerLease(name="dispatcher", owner="bot-1", expires_at=utcnow() + timedelta(minutes=1)))
    with pytest.raises(BackupError, match="stop the bot first"):
        restore(url, target)
    async with db.begin(Scope.system()) as s:
        await s.exec(update(WorkerLease).values(expires_at=utcnow() - timedelta(minutes=1)))  # released
    await db.dispose()
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello")
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(url, not_sqlite)
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="not one of this bot"):
        restore(url, foreign)
    with pytest.raises(BackupError, match="no backup"):
        restore(url, tmp_path / "missing.db")
    assert restore(url, target).tables > 5  # the lease lapsed: the restore goes ahead


def test_postgresql_is_refused_with_the_pg_dump_advice(tmp_path, capsys, monkeypatch):
    with pytest.raises(BackupError, match="pg_dump"):
        backup(PG_URL, tmp_path / "x.db")
    with pytest.raises(BackupError, match="pg_restore"):
        restore(PG_URL, tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.chdir(tmp_path)  # no developer's .env
    assert cli.main(["db", "backup", str(tmp_path / "x.db")]) == 1
    assert "pg_dump" in capsys.readouterr().err


async def test_the_cli_backs_up_and_restores(live, tmp_path, capsys, monkeypatch):
    url, db = live
    await make_team(db, "T", 9300)
    await db.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "cli.db"
    assert cli.main(["db", "backup", str(target)]) == 0
    assert "mode 0600" in capsys.readouterr().out and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert cli.main(["db", "restore", str(target)]) == 0
    assert "Start the bot again" in capsys.readouterr().out
