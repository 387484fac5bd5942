"""The `salesbot` command: `salesbot try` runs the bot against the bundled Bot API emulator with a web
chat (no token), `salesbot init` writes `.env` with the bot's token, `salesbot run` starts the bot,
`salesbot db upgrade` migrates,
`salesbot db backup PATH` copies the live SQLite database, `salesbot db restore PATH` (bot stopped)
puts a copy back."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError


def _run() -> int:
    from bot.config import Settings, describe_error
    from bot.logs import setup_logging
    from bot.runtime.main import serve

    try:
        settings = Settings()
    except ValidationError as exc:
        print(describe_error(exc), file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.secrets, json_lines=settings.log_format == "json")
    # SIGINT and SIGTERM stop it cleanly; updates sent while the bot was down are kept by Telegram.
    return asyncio.run(serve(settings))


def _db_upgrade() -> int:
    from bot.config import DatabaseSettings
    from bot.db import Database
    from bot.logs import setup_logging

    setup_logging("INFO", [])

    async def upgrade() -> None:
        db = Database(DatabaseSettings().database_url)
        try:
            await db.upgrade()
        finally:
            await db.dispose()

    asyncio.run(upgrade())
    return 0


def _db_backup(path: Path) -> int:
    from bot.backup import BackupError, backup
    from bot.config import DatabaseSettings

    try:
        report = backup(DatabaseSettings().database_url, path)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Backed up {report.rows} rows in {report.tables} tables to {report.path} (mode 0600).")
    return 0


def _db_restore(path: Path, *, force: bool) -> int:
    from bot.backup import BackupError, restore
    from bot.config import DatabaseSettings

    try:
        report = restore(DatabaseSettings().database_url, path, force=force)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"Restored {report.rows} rows in {report.tables} tables into {report.path}; "
        f"{report.settled_reminders} reminder(s) being sent at backup time marked as sent. Start the bot again."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="salesbot", description="A Telegram sales assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    try_ = sub.add_parser("try", help="try the bot in a browser: no token, no network, nothing kept")
    try_.add_argument("--port", type=int, default=8765, help="the web chat's port on 127.0.0.1 (0: any free one)")
    try_.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    init = sub.add_parser("init", help="ask for the bot token, check it with Telegram and write .env")
    init.add_argument("--env-file", type=Path, default=Path(".env"), help="where to write (default: ./.env)")
    sub.add_parser("run", help="run the bot (long polling)")
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    backup = db_sub.add_parser("backup", help="copy the live SQLite database to PATH (a new file, mode 0600)")
    backup.add_argument("path", type=Path)
    restore = db_sub.add_parser("restore", help="replace the SQLite database with the backup at PATH (bot stopped)")
    restore.add_argument("path", type=Path)
    restore.add_argument("--force", action="store_true", help="restore although a dispatcher lease is held")
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run()
    if args.command == "try":
        from bot.tryout.main import main as try_main

        return try_main(args.port, open_browser=not args.no_browser)
    if args.command == "init":
        from bot.setup_env import init as init_env

        return init_env(args.env_file)
    if args.db_command == "backup":
        return _db_backup(args.path)
    if args.db_command == "restore":
        return _db_restore(args.path, force=args.force)
    return _db_upgrade()


if __name__ == "__main__":
    sys.exit(main())
