"""Through the emulator: a rep's /funnel in a group nobody linked gets no figure; a manager links
the group through the team's signed link, /funnel then shows the team's figures and /subscribe
works; /subscribe in an unlinked group is refused; the manager unlinks it and the figures stop."""

from __future__ import annotations

from sqlmodel import select

from bot.db import Scope
from bot.presentation.links import group_payload
from bot.services import leads
from models import Member, Role
from models.base import utcnow
from models.reminder import GroupLink
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot
from tests.telegram_fake import TOKEN

GROUP = -100310
OTHER_GROUP = -100311
RITA = 5202


def all_text(replies) -> str:
    return "\n".join((r.text or "") + (r.caption or "") for r in replies)


async def test_a_group_answers_only_once_a_manager_linked_it(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
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
        async with db.begin(Scope.of(owner)) as s:  # the team's records are the owner's, none is Rita's
            for name in ("Ana", "Boris"):
                await leads.create_lead(
                    s, owner, now=utcnow(), first_name=name, company="Secret d.o.o.", emails=[f"{name}@secret.hr"]
                )

        # A rep with no records of her own adds the bot to some group and asks: no figure.
        rita_there = await fg.user(RITA, first_name="Rita", chat_id=OTHER_GROUP, chat_type="group", chat_title="Mine")
        replies = await rita_there.ask("/funnel month", n=1)
        replies += await rita_there.settle(quiet=1.5)
        assert len(replies) == 1 and not replies[0].photo
        assert "not linked to a team" in replies[0].text

        olga_in_group = await fg.user(ADMIN_ID, first_name="Olga", chat_id=GROUP, chat_type="group", chat_title="Sales")
        [refusal] = await olga_in_group.ask("/subscribe daily 9:00")
        assert "not linked to a team" in refusal.text

        # The manager adds the bot through the team's link: Telegram sends /start <payload> in the group.
        [linked] = await olga_in_group.ask(f"/start {group_payload(owner.team_id, TOKEN)}")
        assert "This group now belongs to Olga's team" in linked.text

        rita_in_group = await fg.user(RITA, first_name="Rita", chat_id=GROUP, chat_type="group", chat_title="Sales")
        replies = await rita_in_group.ask("/funnel month", n=1)
        replies += await rita_in_group.settle(quiet=1.5)
        text = all_text(replies)
        assert replies[0].photo and "New records: 2" in text and "Olga's team" in text
        assert "Secret" not in text and "secret.hr" not in text

        [ok] = await olga_in_group.ask("/subscribe daily 9:00")
        assert "This group gets Olga's team's funnel summary every day" in ok.text

        [unlinked] = await olga_in_group.ask("/unlink")
        assert "Unlinked" in unlinked.text
        replies = await rita_in_group.ask("/funnel month", n=1)
        replies += await rita_in_group.settle(quiet=1.5)
        assert len(replies) == 1 and not replies[0].photo and "not linked to a team" in replies[0].text
        assert await fg.unsupported_calls() == []
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(GroupLink))).all() == []
