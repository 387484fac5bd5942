"""The `salesbot` command: `salesbot run` starts the bot, `salesbot db upgrade` migrates."""

from __future__ import annotations

import argparse
import asyncio
import sys

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="salesbot", description="A Telegram sales assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (long polling)")
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run()
    return _db_upgrade()


if __name__ == "__main__":
    sys.exit(main())
