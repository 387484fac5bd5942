"""Strangers, the first owner, invites and joining: through the real handlers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from bot.db import Scope
from models import Invite, Member, Role, Team
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.telegram_fake import BOT_USERNAME, FakeTelegram

INVITE_RE = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=(i-[A-Za-z0-9_-]+)")


def sent(calls, method="sendMessage"):
    return [c for c in calls if c.method == method]


async def owner_and_invite(tg: FakeTelegram, args: str = "") -> tuple[object, str]:
    owner = tg.person(ADMIN_ID, "Olga")
    await owner.send("/start")
    calls = await owner.send(f"/invite {args}".strip())
    match = INVITE_RE.search(sent(calls)[0].text)
    assert match, sent(calls)[0].text
    return owner, match.group(1)


async def test_stranger_gets_a_polite_refusal_and_nothing_is_stored(tg, db):
    stranger = tg.person(555, "Eve")
    for text in ("/start", "hello", "/settings", "/invite"):
        calls = await stranger.send(text)
        [msg] = sent(calls)
        assert "ask your team's manager for an invite link" in msg.text
    async with db.begin(Scope.system()) as s:
        assert (await s.exec(select(Member))).all() == []


async def test_stranger_pressing_a_button_gets_an_alert_only(tg):
    calls = await tg.person(556, "Eve").press("1set:lang:en")
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params["show_alert"] is True
    assert not sent(calls) and not sent(calls, "editMessageText")


async def test_admin_becomes_owner_of_a_new_team_on_first_contact(tg, db):
    calls = await tg.person(ADMIN_ID, "Olga").send("/start")
    assert "you are its owner" in sent(calls)[0].text
    assert "time zone" in sent(calls)[1].text  # onboarding asks once
    async with db.begin(Scope.system()) as s:
        member = (await s.exec(select(Member))).one()
        team = (await s.exec(select(Team))).one()
    assert member.role is Role.OWNER and member.team_id == team.id
    assert team.name == "Olga's team"


async def test_invited_rep_joins_and_the_link_works_once(tg, db):
    _, payload = await owner_and_invite(tg)
    rep = tg.person(777, "Rita", language_code="en-GB")
    calls = await rep.send(f"/start {payload}")
    assert "You joined as a rep" in sent(calls)[0].text
    async with db.begin(Scope.system()) as s:
        member = (await s.exec(select(Member).where(Member.telegram_user_id == 777))).one()
        invite = (await s.exec(select(Invite))).one()
    assert member.role is Role.REP and member.language == "en"
    assert invite.used_by_id == member.id
    # only the hash is stored
    assert payload.removeprefix("i-") not in invite.token_hash

    other = tg.person(778, "Mallory")
    calls = await other.send(f"/start {payload}")
    assert "already been used" in sent(calls)[0].text
    # and Mallory is still a stranger
    calls = await other.send("/help")
    assert "invite link" in sent(calls)[0].text


async def test_expired_and_forged_invites_are_refused(tg, db):
    _, payload = await owner_and_invite(tg)
    async with db.begin(Scope.system()) as s:
        invite = (await s.exec(select(Invite))).one()
        invite.expires_at = utcnow() - timedelta(minutes=1)
        s.add(invite)
    calls = await tg.person(779, "Late").send(f"/start {payload}")
    assert "has expired" in sent(calls)[0].text
    calls = await tg.person(780, "Forger").send("/start i-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert "not valid" in sent(calls)[0].text


async def test_only_owner_and_managers_invite_and_only_owner_invites_managers(tg):
    owner, payload = await owner_and_invite(tg, "manager")
    manager = tg.person(801, "Mia")
    calls = await manager.send(f"/start {payload}")
    assert "You joined as a manager" in sent(calls)[0].text
    calls = await manager.send("/invite manager")
    assert "Only the team's owner can invite a manager" in sent(calls)[0].text
    calls = await manager.send("/invite")
    match = INVITE_RE.search(sent(calls)[0].text)
    assert match
    rep = tg.person(802, "Rob")
    await rep.send(f"/start {match.group(1)}")
    calls = await rep.send("/invite")
    assert "Only the team's owner or a manager" in sent(calls)[0].text


async def test_a_member_who_opens_an_invite_is_told_they_are_in_a_team(tg):
    owner, payload = await owner_and_invite(tg)
    calls = await owner.send(f"/start {payload}")
    assert "already a member" in sent(calls)[0].text


async def test_strangers_in_groups_get_silence(tg):
    calls = await tg.person(990, "Eve").send("/help", chat_id=-100123)
    assert sent(calls) == []
