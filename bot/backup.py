"""Backup and restore of the SQLite database (`salesbot db backup PATH`, `salesbot db restore PATH`).

A backup is taken while the bot runs with SQLite's online backup API, which copies a consistent
snapshot page by page (in WAL mode the bot's writers carry on meanwhile). The copy is a single file
(journal mode DELETE), created 0600, and checked (integrity, the app's `alembic_version`) before
it is reported.

A restore needs the bot stopped: it refuses while the `dispatcher` worker lease is held (the
running bot renews it every poll), and it copies the backup over the database with the same API.
Work that was in flight when the backup was taken is settled so that nothing goes out twice:
a reminder in status `sending` may have reached Telegram, so it is restored as `sent`; leases on
reminders, summaries and workers are cleared.

PostgreSQL is backed up with its own tools (`pg_dump -Fc`, `pg_restore --clean`): the commands
refuse with that advice.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
DISPATCHER_LEASE = "dispatcher"

PG_BACKUP_ADVICE = (
    "This database is PostgreSQL: back it up with its own tool, e.g.\n"
    "  pg_dump --format=custom --file=salesbot.dump <database>\n"
    "(see 'Operating it' in the README)."
)
PG_RESTORE_ADVICE = (
    "This database is PostgreSQL: stop the bot, then restore with its own tool, e.g.\n"
    "  pg_restore --clean --if-exists --no-owner --dbname=<database> salesbot.dump\n"
    "(see 'Operating it' in the README)."
)


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Report:
    path: Path
    tables: int
    rows: int
    settled_reminders: int = 0


def sqlite_file(database_url: str) -> Path:
    """The database file of a SQLite URL; refuses PostgreSQL (with the advice) and in-memory ones."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(PG_BACKUP_ADVICE)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(f"Backups need a SQLite database file; DATABASE_URL names {url.get_backend_name()}.")
    return Path(url.database)


def _is_postgres(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def _private_file(path: Path) -> None:
    """Create `path` empty and 0600 (refuse to overwrite a file that is there)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; choose a new file name.") from None
    os.close(fd)
    os.chmod(path, 0o600)  # whatever the umask said


def _check_app_database(conn: sqlite3.Connection, path: Path) -> None:
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()
        has_version = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone() if has_version else None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    if ok is None or ok[0] != "ok":
        raise BackupError(f"{path} is damaged (integrity check: {ok[0] if ok else 'no answer'}).")
    if version is None:
        raise BackupError(f"{path} is a SQLite database, but not one of this bot (no alembic_version).")


def _count(conn: sqlite3.Connection) -> tuple[int, int]:
    names = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    rows = sum(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names)
    return len(names), rows


def backup(database_url: str, target: Path) -> Report:
    """A consistent copy of the live SQLite database at `target` (a new file, 0600)."""
    if _is_postgres(database_url):
        raise BackupError(PG_BACKUP_ADVICE)
    source = sqlite_file(database_url)
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    _private_file(target)
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)  # one consistent snapshot, while the bot goes on writing
            dst.execute("PRAGMA journal_mode=DELETE")  # a single, self-contained file
            _check_app_database(dst, target)
            tables, rows = _count(dst)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    os.chmod(target, 0o600)
    return Report(target, tables, rows)


def _bot_running(conn: sqlite3.Connection, now: datetime) -> bool:
    """Whether a bot process holds the dispatcher lease (it renews it every poll while it runs)."""
    try:
        row = conn.execute("SELECT expires_at FROM worker_lease WHERE name = ?", (DISPATCHER_LEASE,)).fetchone()
    except sqlite3.OperationalError:  # no such table: an empty database
        return False
    if row is None or row[0] is None:
        return False
    expires = datetime.fromisoformat(str(row[0]))
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return expires > now


def _settle(conn: sqlite3.Connection) -> int:
    """In-flight work at backup time, settled so that nothing goes out twice after a restore."""
    settled = conn.execute(
        "UPDATE reminder SET status = 'sent', lease_owner = NULL, lease_until = NULL WHERE status = 'sending'"
    ).rowcount
    conn.execute("UPDATE reminder SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
    conn.execute("UPDATE group_subscription SET lease_owner = NULL, lease_until = NULL")
    conn.execute("DELETE FROM worker_lease")
    return settled


def restore(database_url: str, source: Path, *, now: datetime | None = None, force: bool = False) -> Report:
    """Replace the SQLite database with the backup at `source`. The bot must be stopped."""
    if _is_postgres(database_url):
        raise BackupError(PG_RESTORE_ADVICE)
    target = sqlite_file(database_url)
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    with source.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{source} is not a SQLite database.")
    if not target.exists():
        _private_file(target)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target, timeout=5, isolation_level=None)) as dst,
    ):
        _check_app_database(src, source)
        if not force and _bot_running(dst, now or datetime.now(UTC)):
            raise BackupError(
                "The bot is running on this database (it holds the dispatcher lease): stop the bot first, "
                "then restore. (--force restores anyway, e.g. after a crash, once the bot is surely stopped.)"
            )
        try:
            src.backup(dst)
        except sqlite3.OperationalError as exc:
            raise BackupError(f"The database is in use ({exc}): stop the bot first, then restore.") from None
        dst.execute("BEGIN IMMEDIATE")
        settled = _settle(dst)
        dst.execute("COMMIT")
        tables, rows = _count(dst)
    return Report(target, tables, rows, settled)
