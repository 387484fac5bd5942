"""Groups belong to a team: linked by a manager through the team's signed link or /link, unlinked
with /unlink; /funnel and /subscribe answer only in a group linked to the member's team, and the
scheduled summaries go only to linked groups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.delivery import summaries as summary_delivery
from bot.presentation.links import group_payload, team_of_group_payload
from models import GroupSubscription
from models.base import utcnow
from models.reminder import GroupLink
from tests.support import WriteWatch, add_lead, make_team, msg, sent
from tests.telegram_fake import TOKEN

GROUP = -100900
NOT_LINKED = "This group is not linked to a team. A manager of the team links it with /link."
OTHER_TEAM = "This group is linked to another team."
MANAGERS_ONLY = "Only a manager of the team can link or unlink this group."
LINKED = (
    "✅ This group now belongs to {team}. Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 "
    "for summaries, /funnel month for the month so far; /unlink undoes it."
)


@pytest.fixture
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


async def links(db) -> list[GroupLink]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(GroupLink))).all())


def test_the_group_payload_is_signed_short_and_url_safe():
    payload = group_payload(42, TOKEN)
    assert len(payload) <= 64 and payload.replace("-", "").replace("_", "").isalnum()
    assert team_of_group_payload(payload, TOKEN) == 42
    assert team_of_group_payload(payload, TOKEN + "x") is None  # another bot's key
    assert team_of_group_payload("g42", TOKEN) is None  # the old, guessable form
    assert team_of_group_payload(payload.replace("g42", "g43"), TOKEN) is None  # a guessed team id
    assert team_of_group_payload(payload[:-1] + ("A" if payload[-1] != "A" else "B"), TOKEN) is None


@pytest.mark.usefixtures("watch")
async def test_a_rep_gets_no_figure_in_a_group_nobody_linked(db, tg):
    team = await make_team(db, "T", 7000)
    await add_lead(db, team["rep2"], "Secret")
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")  # no records of her own
    calls = await rep.send("/funnel month", chat_id=GROUP)
    assert sent(calls, "sendPhoto") == []
    [refusal] = sent(calls)
    assert refusal.text == msg(NOT_LINKED)
    [refusal] = sent(await rep.send("/link", chat_id=GROUP))  # a rep cannot link it either
    assert refusal.text == msg(MANAGERS_ONLY)
    [refusal] = sent(await rep.send(f"/start {group_payload(team['rep1'].team_id, TOKEN)}", chat_id=GROUP))
    assert refusal.text == msg(NOT_LINKED)  # the team's link, but sent by a rep: not linked
    assert await links(db) == []


@pytest.mark.usefixtures("watch")
async def test_the_signed_link_sent_by_a_manager_links_the_group(db, tg):
    team = await make_team(db, "T", 7100)
    other = await make_team(db, "Other", 7200)
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    forged = f"/start g{team['manager'].team_id}"  # the old, guessable payload links nothing
    [refusal] = sent(await boss.send(forged, chat_id=GROUP))
    assert refusal.text == msg(NOT_LINKED)
    stranger = tg.person(other["manager"].telegram_user_id, "Olga")  # another team's valid link, wrong team
    [refusal] = sent(await stranger.send(f"/start {group_payload(team['manager'].team_id, TOKEN)}", chat_id=GROUP))
    assert refusal.text == msg(NOT_LINKED) and await links(db) == []
    [ok] = sent(await boss.send(f"/start {group_payload(team['manager'].team_id, TOKEN)}", chat_id=GROUP))
    assert ok.text == msg(LINKED, team="T")
    [link] = await links(db)
    assert (link.chat_id, link.team_id, link.linked_by_id) == (GROUP, team["manager"].team_id, team["manager"].id)
    # Another team's manager cannot take it over, by link or command.
    [refusal] = sent(await stranger.send(f"/start {group_payload(other['manager'].team_id, TOKEN)}", chat_id=GROUP))
    assert refusal.text == msg(OTHER_TEAM)
    [refusal] = sent(await stranger.send("/link", chat_id=GROUP))
    assert refusal.text == msg(OTHER_TEAM)
    [refusal] = sent(await stranger.send("/unlink", chat_id=GROUP))
    assert refusal.text == msg(OTHER_TEAM)
    [refusal] = sent(await stranger.send("/funnel month", chat_id=GROUP))
    assert refusal.text == msg(OTHER_TEAM)
    [only] = await links(db)
    assert only.team_id == team["manager"].team_id
    nobody = tg.person(999111, "Nobody")  # strangers: silence
    assert sent(await nobody.send("/funnel month", chat_id=GROUP)) == []
    assert sent(await nobody.send("/link", chat_id=GROUP)) == []


@pytest.mark.usefixtures("watch")
async def test_link_funnel_subscribe_unlink(db, tg):
    team = await make_team(db, "T", 7300)
    await add_lead(db, team["rep2"], "Ana")
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    [refusal] = sent(await boss.send("/subscribe daily 9:00", chat_id=GROUP))
    assert refusal.text == msg(NOT_LINKED)
    [ok] = sent(await boss.send("/link", chat_id=GROUP))
    assert ok.text == msg(LINKED, team="T")
    [again] = sent(await boss.send("/link", chat_id=GROUP))  # linking again changes nothing
    assert again.text == msg(LINKED, team="T") and len(await links(db)) == 1
    calls = await rep.send("/funnel month", chat_id=GROUP)  # the team's figures, in its group
    assert len(sent(calls, "sendPhoto")) == 1
    sent(await boss.send("/subscribe daily 9:00", chat_id=GROUP))
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(GroupSubscription))).one().enabled
    [refusal] = sent(await rep.send("/unlink", chat_id=GROUP))
    assert refusal.text == msg(MANAGERS_ONLY)
    [done] = sent(await boss.send("/unlink", chat_id=GROUP))
    assert done.text == msg(
        "Unlinked: this group gets no summaries and no figures any more. A manager can /link it again."
    )
    assert await links(db) == []
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert not sub.enabled and sub.disabled_reason == "unlinked"
    [refusal] = sent(await rep.send("/funnel month", chat_id=GROUP))
    assert refusal.text == msg(NOT_LINKED)


async def test_summaries_go_only_to_linked_groups(db, tg):
    team = await make_team(db, "T", 7400)
    now = utcnow()
    async with db.begin(Scope.system()) as s:  # a subscription without a link (e.g. unlinked meanwhile)
        s.add(GroupSubscription(team_id=team["rep1"].team_id, chat_id=GROUP, next_due_at=now - timedelta(minutes=1)))
    assert await summary_delivery.deliver_due(tg.app, "one", now=now) == 0
    assert sent(tg.request.calls, "sendPhoto") == []
    async with db.begin(Scope.system()) as s:
        s.add(GroupLink(team_id=team["rep1"].team_id, chat_id=GROUP, linked_by_id=team["manager"].id, linked_at=now))
    assert await summary_delivery.deliver_due(tg.app, "one", now=now) == 1
