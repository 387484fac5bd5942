"""Claiming the bot on its first run: the one-time link `salesbot run` prints while no team exists,
and a stranger told their own Telegram user id."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from bot.db import Scope
from bot.runtime import claim as announce_claim
from bot.services import claims
from models import ClaimToken, Member, Role, Team
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.handlers.test_access import REFUSAL, WELCOME_OWNER
from tests.support import msg, sent
from tests.telegram_fake import BOT_USERNAME, FakeTelegram

USED = "This link has already been used."


async def new_claim(db, *, now=None) -> str:
    async with db.begin(Scope.system()) as s:
        token = await claims.open_claim(s, now=now or utcnow())
    assert token is not None
    return f"{claims.PREFIX}{token}"


async def teams_and_members(db) -> tuple[list[Team], list[Member]]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(Team))).all()), list((await s.exec(select(Member))).all())


async def test_start_prints_the_claim_link_once_while_no_team_exists(tg: FakeTelegram, db, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.runtime"):
        link = await announce_claim.announce(tg.app)
    assert link is not None and link.startswith(f"https://t.me/{BOT_USERNAME}?start=claim-")
    [line] = [r.getMessage() for r in caplog.records if "claim-" in r.getMessage()]
    assert link in line and "ADMIN_IDS" in line
    async with db.read(Scope.system()) as s:
        [row] = (await s.exec(select(ClaimToken))).all()
    assert link.rsplit("claim-", 1)[1] not in row.token_hash  # only the hash is stored
    # Once a team exists, no link.
    await tg.person(ADMIN_ID, "Olga").send("/start")
    assert await announce_claim.announce(tg.app) is None


async def test_the_claim_link_makes_its_opener_the_owner_and_works_once(tg: FakeTelegram, db):
    payload = await new_claim(db)
    welcome, question = sent(await tg.person(4242, "Nina").send(f"/start {payload}"))
    assert welcome.text == msg(WELCOME_OWNER, name="Nina", team="Nina's team")
    assert question.text == msg("Which time zone are you in? Reminders and dates will follow it.")
    [team], [owner] = await teams_and_members(db)
    assert owner.telegram_user_id == 4242 and owner.role is Role.OWNER and owner.team_id == team.id
    async with db.read(Scope.system()) as s:
        row = (await s.exec(select(ClaimToken))).one()
    assert row.used_at is not None and row.used_by_telegram_id == 4242

    # Single use: someone else opening it is refused and stays a stranger.
    [answer] = sent(await tg.person(4343, "Mallory").send(f"/start {payload}"))
    assert answer.text == msg(USED)
    [answer] = sent(await tg.person(4343, "Mallory").send("/help"))
    assert answer.text == msg(REFUSAL, id="4343")
    # The owner opening it again is just greeted.
    again = sent(await tg.person(4242, "Nina").send(f"/start {payload}"))[0]
    assert "Nina's team" in again.text
    assert len((await teams_and_members(db))[1]) == 1


async def test_an_expired_or_forged_link_is_refused(tg: FakeTelegram, db):
    old = await new_claim(db, now=utcnow() - claims.TTL - timedelta(minutes=1))
    [answer] = sent(await tg.person(4242, "Nina").send(f"/start {old}"))
    assert answer.text == msg("This link has expired. Start the bot again for a new one.")
    [answer] = sent(await tg.person(4242, "Nina").send("/start claim-forged0000000000000000000000000"))
    assert answer.text == msg("This link is not valid. The bot prints a new one each time it starts without a team.")
    assert await teams_and_members(db) == ([], [])


async def test_a_link_printed_before_a_team_existed_no_longer_works(tg: FakeTelegram, db):
    payload = await new_claim(db)
    await tg.person(ADMIN_ID, "Olga").send("/start")  # ADMIN_IDS: the other way to the first team
    [answer] = sent(await tg.person(4242, "Nina").send(f"/start {payload}"))
    assert answer.text == msg("This bot already has a team: ask its owner or a manager for an invite link.")
    teams, people = await teams_and_members(db)
    assert len(teams) == 1 and [m.telegram_user_id for m in people] == [ADMIN_ID]
    async with db.begin(Scope.system()) as s:
        assert await claims.open_claim(s, now=utcnow()) is None


async def test_of_two_live_links_only_the_first_opened_makes_an_owner(tg: FakeTelegram, db):
    first, second = await new_claim(db), await new_claim(db)
    assert len(sent(await tg.person(4242, "Nina").send(f"/start {first}"))) == 2
    [answer] = sent(await tg.person(4343, "Mallory").send(f"/start {second}"))
    assert answer.text == msg(USED)
    teams, people = await teams_and_members(db)
    assert len(teams) == 1 and [m.telegram_user_id for m in people] == [4242]
