"""Through the emulator: a follow-up that fell due while the bot was killed goes out, marked late,
as soon as the bot is back; and only once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db import Scope
from models import Member, Reminder, ReminderStatus
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot


async def test_a_reminder_due_during_downtime_arrives_after_restart(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, REMINDER_POLL_SECONDS=1, LOG_LEVEL="WARNING") as bot:
        olga = await bot.fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        await bot.kill9()
        async with db.begin(Scope.system()) as s:
            member = (await s.exec(select(Member))).one()
            s.add(
                Reminder(
                    team_id=member.team_id, owner_id=member.id, due_at=utcnow() - timedelta(hours=2), reason="not_ready"
                )
            )
        await bot.start_again()
        [reminder] = await olga.wait_replies(1, timeout=15)
        assert "Follow-up due" in reminder.text and "could not send it then" in reminder.text
        await olga.expect_silence(2.5)  # polled twice more: not sent again
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Reminder))).one()
    assert row.status is ReminderStatus.SENT and row.late and row.attempts == 1
