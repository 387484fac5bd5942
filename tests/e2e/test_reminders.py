"""Through the emulator: a follow-up that fell due while the bot was killed goes out, marked late,
as soon as the bot is back; and only once."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

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


async def test_remind_in_words_then_snooze_in_words(database_url, db, tmp_path):
    from sqlalchemy import update

    from bot.services import leads

    async with running_bot(database_url, tmp_path, REMINDER_POLL_SECONDS=1, LOG_LEVEL="WARNING") as bot:
        olga = await bot.fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        await olga.click("1tz:set:Europe/Zagreb", n=1)
        async with db.begin(Scope.system()) as s:
            owner = (await s.exec(select(Member))).one()
        async with db.begin(Scope.of(owner)) as s:
            await leads.create_lead(s, owner, now=utcnow(), first_name="Ana", company="Acme")
        [proposal] = await olga.ask("/remind Ana tomorrow 10am call about the quote")
        assert "Ana (Acme)" in proposal.text and "call about the quote" in proposal.text
        _, [saved] = await olga.click("✅ Set reminder", n=1)
        assert saved.edited and "Reminder set for" in saved.text
        async with db.begin(Scope.system()) as s:
            await s.exec(update(Reminder).values(due_at=utcnow() - timedelta(seconds=5)))
        [due] = await olga.wait_replies(1, timeout=15)
        assert "call about the quote" in due.text and "Other time" in " ".join(due.button_texts)
        [question] = (await olga.click("⏰ Other time…", n=1))[1]
        assert "Until when?" in question.text
        [confirm] = await olga.ask("friday 16:00")
        assert "Snooze until" in confirm.text
        _, edits = await olga.click("✅ Snooze until then", n=2)
        assert all("Snoozed until" in e.text for e in edits)
    async with db.begin(Scope.system()) as s:
        statuses = sorted(r.status.value for r in (await s.exec(select(Reminder))).all())
    assert statuses == ["pending", "snoozed"]


async def test_remind_with_a_part_of_the_day_a_solar_date_and_a_numeral_asked_back(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
        olga = await bot.fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        await olga.click("1tz:set:Europe/Zagreb", n=1)

        # A part of the day: its hour, said back with the part.
        [morning] = await olga.ask("/remind tomorrow morning call the bank")
        assert "9:00" in morning.text and "(morning)" in morning.text and "call the bank" in morning.text
        await olga.click("✅ Set reminder", n=1)

        # An ambiguous numeral: both readings as buttons; one tap sets the reminder.
        [ask] = await olga.ask("/remind 14.11 send the offer")
        assert "two ways" in ask.text
        options = [label for label in ask.button_texts if label != "Cancel"]
        assert len(options) == 2
        _, [saved] = await olga.click(options[0], n=1)
        assert "Reminder set for" in saved.text

        # A Persian rep: a Solar Hijri date, shown back in both calendars.
        await olga.ask("/settings")
        await olga.click("Language", n=1)
        await olga.click("فارسی", n=1)
        [solar] = await olga.ask("/remind ۲۰ اردیبهشت تماس با بانک")
        assert "اردیبهشت" in solar.text and "تماس با بانک" in solar.text
        await olga.click(solar.button_texts[0], n=1)
    async with db.begin(Scope.system()) as s:
        rows = (await s.exec(select(Reminder))).all()
    assert sorted(r.reason or "" for r in rows) == ["call the bank", "send the offer", "تماس با بانک"]
    [solar_row] = [r for r in rows if r.reason == "تماس با بانک"]
    local = solar_row.due_at.astimezone(ZoneInfo("Europe/Zagreb"))
    assert (local.month, local.day, local.hour) == (5, 10, 9)  # 20 Ordibehesht is 10 May
