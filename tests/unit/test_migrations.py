"""Every table change comes with a migration: the migrated schema equals the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from bot.db import Database


async def test_migrated_database_matches_the_models(database_url):
    db = Database(database_url)
    try:
        await db.upgrade()  # idempotent on an up-to-date database
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), SQLModel.metadata
                )
            )
    finally:
        await db.dispose()
    assert diff == []
