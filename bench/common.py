"""What the benches share: a PostgreSQL database of their own beside the one named, migrated."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import Database


async def fresh_database(url: str, suffix: str) -> str:
    """Drop and create `<name>_<suffix>` beside the database `url` names (PostgreSQL), or use the
    SQLite file as it is; migrate it to the newest schema and return its URL."""
    if url.startswith("postgresql"):
        target = make_url(url)
        name = f"{target.database}_{suffix}"
        admin = Database(url, isolation_level="AUTOCOMMIT")
        async with admin.engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        url = target.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    await db.upgrade()
    await db.dispose()
    return url
