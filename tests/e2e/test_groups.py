"""Through the emulator, in a group chat: a rep may not subscribe the group, the manager does; the
scheduled summary arrives once, as a chart with the team's numbers and no contact's details; and
/funnel answers on demand."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from bot.services import leads
from models import GroupSubscription, LeadSource, Member, Role, Stage
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot

GROUP = -100200
RITA = 5102


def all_text(replies) -> str:
    return "\n".join((r.text or "") + (r.caption or "") for r in replies)


async def test_a_manager_subscribes_a_group_and_the_summary_arrives_once(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, REMINDER_POLL_SECONDS=1, LOG_LEVEL="WARNING") as bot:
        fg = bot.fg
        olga = await fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        await olga.click("1tz:set:Europe/Zagreb", n=1)
        async with db.begin(Scope.system()) as s:
            owner = (await s.exec(select(Member))).one()
            rita = Member(
                team_id=owner.team_id, telegram_user_id=RITA, first_name="Rita", role=Role.REP, timezone="Europe/Zagreb"
            )
            s.add(rita)
        for name in ("Ana", "Boris", "Cvita"):
            async with db.begin(Scope.of(rita)) as s:
                await leads.create_lead(
                    s, rita, now=utcnow(), first_name=name, company="Secret d.o.o.", emails=[f"{name}@secret.hr"]
                )

        rita_in_group = await fg.user(RITA, first_name="Rita", chat_id=GROUP, chat_type="group", chat_title="Sales")
        [refusal] = await rita_in_group.ask("/subscribe daily 9:00")
        assert "Only a manager" in refusal.text

        olga_in_group = await fg.user(ADMIN_ID, first_name="Olga", chat_id=GROUP, chat_type="group", chat_title="Sales")
        [linked] = await olga_in_group.ask("/link")  # the group becomes the team's first
        assert "This group now belongs to Olga's team" in linked.text
        [ok] = await olga_in_group.ask("/subscribe daily 9:00")
        assert "This group gets Olga's team's funnel summary every day" in ok.text

        # The morning comes: the subscription falls due.
        async with db.begin(Scope.system()) as s:
            await s.exec(update(GroupSubscription).values(next_due_at=utcnow() - timedelta(minutes=1)))
        first = await olga_in_group.wait_replies(1, timeout=20)
        rest = await olga_in_group.settle(quiet=1.5)
        replies = first + rest
        assert replies[0].photo, "the chart comes as a photo"
        text = all_text(replies)
        assert "the funnel" in text and "lead: 3" in text and "Weighted pipeline" in text
        assert "Secret" not in text and "secret.hr" not in text and "Ana" not in text
        await olga_in_group.expect_silence(2.5)  # polled again: not sent twice

        replies = await rita_in_group.ask("/funnel week", n=1)
        replies += await rita_in_group.settle(quiet=1.5)
        text = all_text(replies)
        assert replies[0].photo and "New records: 3" in text and "Per rep" in text and "Rita: 3" in text
        assert await fg.unsupported_calls() == []
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log
    async with db.begin(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert sub.enabled and sub.last_period_key is not None


async def test_a_group_sees_where_the_records_came_from_without_anyones_details(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
        fg = bot.fg
        olga = await fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        await olga.click("1tz:set:Europe/Zagreb", n=1)
        async with db.begin(Scope.system()) as s:
            owner = (await s.exec(select(Member))).one()
        names = ("Ana", "Boris", "Cvita", "Dora", "Emil")
        for i, name in enumerate(names):
            async with db.begin(Scope.of(owner)) as s:
                lead = await leads.create_lead(
                    s, owner, now=utcnow(), first_name=name, company="Secret d.o.o.", emails=[f"{name}@secret.hr"],
                    source=LeadSource.REFERRAL, score=80 if i < 2 else 30,
                )  # fmt: skip
                if i == 0:  # one of them is an open opportunity expected to close this month
                    lead.stage, lead.deal_amount, lead.currency, lead.probability = Stage.OPPORTUNITY, 1000, "EUR", 50
                    lead.expected_close_date = utcnow().date()
                    s.add(lead)
        olga_in_group = await fg.user(ADMIN_ID, first_name="Olga", chat_id=GROUP, chat_type="group", chat_title="Sales")
        await olga_in_group.ask("/link")
        replies = await olga_in_group.ask("/funnel week", n=1)
        replies += await olga_in_group.settle(quiet=1.5)
        text = all_text(replies)
        assert "By source" in text and "Referral: 5 new · 40% · 20% · 0%" in text
        assert "Forecast" in text and "weighted €500" in text
        assert not any(name in text for name in names) and "Secret" not in text and "secret.hr" not in text
        assert await fg.unsupported_calls() == []
    assert "Traceback" not in (tmp_path / "bot.log").read_text()
