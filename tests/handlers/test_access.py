"""Strangers, the first owner, invites and joining: through the real handlers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from bot.db import Scope
from models import Invite, Member, Role, Team
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.support import alert, msg, says, sent
from tests.telegram_fake import BOT_USERNAME, FakeTelegram, Person

INVITE_RE = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=(i-[A-Za-z0-9_-]+)")
REFUSAL = (
    "Hello! I am a private sales assistant for teams. To use me, ask your team's manager for an invite link. "
    "Your Telegram user id is {id}."
)
WELCOME_OWNER = (
    "Welcome, {name}! Your team <b>{team}</b> is ready and you are its owner.\n\n"
    "Invite your reps with /invite. Send /help to see what I can do."
)
JOINED = (
    "Welcome to <b>{team}</b>, {name}! You joined as a {role}.\n\n"
    "After a meeting, send me the business card and I will keep the lead for you."
)
INVITE = "Invite link for a new {role} of <b>{team}</b>:\n{link}"


async def owner_and_invite(tg: FakeTelegram, args: str = "") -> tuple[Person, str]:
    owner = tg.person(ADMIN_ID, "Olga")
    await owner.send("/start")
    calls = await owner.send(f"/invite {args}".strip())
    match = INVITE_RE.search(sent(calls)[0].text)
    assert match, sent(calls)[0].text
    return owner, match.group(1)


async def test_stranger_gets_a_polite_refusal_and_nothing_is_stored(tg, db):
    stranger = tg.person(555, "Eve")
    for text in ("/start", "hello", "/settings", "/invite"):
        [answer] = sent(await stranger.send(text))
        assert answer.text == msg(REFUSAL, id="555")  # their own id, digits as they are
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(Member))).all() == []


async def test_stranger_pressing_a_button_gets_an_alert_only(tg):
    calls = await tg.person(556, "Eve").press("1set:lang:en")
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params["show_alert"] is True and answer.params["text"] == msg(REFUSAL, id="556")
    assert not sent(calls) and not sent(calls, "editMessageText")


async def test_admin_becomes_owner_of_a_new_team_on_first_contact(tg, db):
    welcome, question = sent(await tg.person(ADMIN_ID, "Olga").send("/start"))
    assert welcome.text == msg(WELCOME_OWNER, name="Olga", team="Olga's team")
    assert question.text == msg("Which time zone are you in? Reminders and dates will follow it.")  # asked once
    async with db.read(Scope.system()) as s:
        member = (await s.exec(select(Member))).one()
        team = (await s.exec(select(Team))).one()
    assert member.role is Role.OWNER and member.team_id == team.id
    assert team.name == "Olga's team"


async def test_the_invite_message_names_the_role_the_team_and_the_expiry(tg):
    _, payload = await owner_and_invite(tg)
    calls = tg.request.calls
    [invite] = [c for c in sent(calls) if says(c, INVITE)]
    link = f"https://t.me/{BOT_USERNAME}?start={payload}"
    assert says(invite, INVITE, role=msg("rep"), team="Olga's team", link=link)
    assert says(invite, "It works once, for {n} hours (until {expires}).")
    assert says(invite, "Send it only to the person you invite.")
    assert payload in invite.button(msg("Share the invite"))["url"]


async def test_invited_rep_joins_and_the_link_works_once(tg, db):
    _, payload = await owner_and_invite(tg)
    rep = tg.person(777, "Rita", language_code="en-GB")
    joined, question = sent(await rep.send(f"/start {payload}"))
    assert joined.text == msg(JOINED, team="Olga's team", name="Rita", role=msg("rep"))
    assert says(question, "Which time zone are you in? Reminders and dates will follow it.")
    async with db.read(Scope.system()) as s:
        member = (await s.exec(select(Member).where(col(Member.telegram_user_id) == 777))).one()
        invite = (await s.exec(select(Invite))).one()
    assert member.role is Role.REP and member.language == "en"
    assert invite.used_by_id == member.id
    # only the hash is stored
    assert payload.removeprefix("i-") not in invite.token_hash

    other = tg.person(778, "Mallory")
    [answer] = sent(await other.send(f"/start {payload}"))
    assert answer.text == msg("This invite link has already been used. Ask your manager for a new one.")
    # and Mallory is still a stranger
    [answer] = sent(await other.send("/help"))
    assert answer.text == msg(REFUSAL, id="778")


async def test_expired_and_forged_invites_are_refused(tg, db):
    _, payload = await owner_and_invite(tg)
    async with db.begin(Scope.system()) as s:
        invite = (await s.exec(select(Invite))).one()
        invite.expires_at = utcnow() - timedelta(minutes=1)
        s.add(invite)
    [answer] = sent(await tg.person(779, "Late").send(f"/start {payload}"))
    assert answer.text == msg("This invite link has expired. Ask your manager for a new one.")
    [answer] = sent(await tg.person(780, "Forger").send("/start i-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
    assert answer.text == msg("This invite link is not valid. Ask your manager for a new one.")


async def test_only_owner_and_managers_invite_and_only_owner_invites_managers(tg, db):
    owner, payload = await owner_and_invite(tg, "manager")
    manager = tg.person(801, "Mia")
    [joined, _question] = sent(await manager.send(f"/start {payload}"))
    assert joined.text == msg(JOINED, team="Olga's team", name="Mia", role=msg("manager"))
    [answer] = sent(await manager.send("/invite manager"))
    assert answer.text == msg("Only the team's owner can invite a manager.")
    calls = await manager.send("/invite")
    match = INVITE_RE.search(sent(calls)[0].text)
    assert match
    rep = tg.person(802, "Rob")
    await rep.send(f"/start {match.group(1)}")
    [answer] = sent(await rep.send("/invite"))
    assert answer.text == msg("Only the team's owner or a manager can invite people.")
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(Invite))).all()) == 2  # the refused ones left nothing


async def test_a_member_who_opens_an_invite_is_told_they_are_in_a_team(tg):
    owner, payload = await owner_and_invite(tg)
    [answer] = sent(await owner.send(f"/start {payload}"))
    assert answer.text == msg("You are already a member of a team. Send /help to see what I can do.")


async def test_strangers_in_groups_get_silence(tg):
    calls = await tg.person(990, "Eve").send("/help", chat_id=-100123)
    assert sent(calls) == [] and alert(calls) == ""
