"""The real bot process against the emulated Bot API: a manager removes a rep and hands their records
to another rep. The removed rep's next message, their button from an old message and their due
reminder are refused or not sent; the other rep sees the record in /leads and gets its reminder."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.db import Scope
from bot.services import leads
from models import Member, Reminder, ReminderStatus
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot

LINK = re.compile(r"\?start=(i-[A-Za-z0-9_-]+)")
REFUSAL = "ask your team's manager for an invite link"


async def test_a_manager_removes_a_rep_and_hands_their_records_over(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, REMINDER_POLL_SECONDS=1, LOG_LEVEL="WARNING") as bot:
        fg = bot.fg
        olga = await fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        [inv] = await olga.ask("/invite manager")
        maja = await fg.user(7101, first_name="Maja")
        await maja.ask(f"/start {LINK.search(inv.text).group(1)}", n=2)
        reps = {}
        for user_id, name in ((7102, "Rita"), (7103, "Rob")):
            [inv] = await maja.ask("/invite")
            reps[name] = await fg.user(user_id, first_name=name)
            await reps[name].ask(f"/start {LINK.search(inv.text).group(1)}", n=2)
        rita, rob = reps["Rita"], reps["Rob"]

        # Rita has a record with a follow-up due in an hour, and a list with its button.
        async with db.begin(Scope.system()) as s:
            rita_row = (await s.exec(select(Member).where(col(Member.telegram_user_id) == 7102))).one()
        async with db.begin(Scope.of(rita_row)) as s:
            lead = await leads.create_lead(s, rita_row, now=utcnow(), first_name="Ana", company="Acme")
            s.add(
                Reminder(
                    team_id=rita_row.team_id,
                    owner_id=rita_row.id,
                    lead_id=lead.id,
                    due_at=utcnow() + timedelta(hours=1),
                    reason="not_ready",
                )
            )
        [listing] = await rita.ask("/leads")
        assert "Ana" in listing.text

        # Maja removes Rita and hands her records to Rob.
        [roster] = await maja.ask("/team")
        assert "Rita" in roster.button_texts
        _, [card] = await maja.click("Rita", message=roster)
        _, [question] = await maja.click("Remove from the team", message=card)
        assert "Remove Rita from the team?" in question.text
        _, [done] = await maja.click("Hand to Rob", message=question)
        assert "Rita was removed from the team." in done.text and "now belongs to Rob" in done.text

        # Rita's next message and her old button: refused as a stranger's.
        [refused] = await rita.ask("/leads")
        assert REFUSAL in refused.text
        await rita.press(listing.button_texts[0], message=listing)
        answer = await rita.wait_answer()
        assert answer.show_alert and REFUSAL in (answer.text or "")

        # The follow-up falls due: Rob gets it, Rita nothing.
        async with db.begin(Scope.system()) as s:
            await s.exec(update(Reminder).values(due_at=utcnow() - timedelta(seconds=1)))
        [due] = await rob.wait_replies(1, timeout=15)
        assert "Ana" in due.text
        await rita.expect_silence(1.5)
        [mine] = await rob.ask("/leads")
        assert "Ana" in mine.text
        assert await fg.unsupported_calls() == []

    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Reminder))).one()
    assert row.status is ReminderStatus.SENT and row.owner_id != rita_row.id
    assert "Traceback" not in (tmp_path / "bot.log").read_text()
