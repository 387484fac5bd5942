"""Summaries in a topic of a forum supergroup: /subscribe in a topic keeps the topic, summaries and
/funnel answers go there, and a closed or deleted topic is handled like a group the bot left."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from bot.delivery import summaries as summary_delivery
from models import GroupSubscription
from models.base import utcnow
from tests.support import WriteWatch, make_team, says, sent
from tests.telegram_fake import Call, Person

FORUM = -1003333
TOPIC = 77
GONE = (
    "I could not post the summary in the group {group}: I am no longer in it or may not write there. "
    "Its summaries are switched off; add me again and send /subscribe there to resume."
)

CLOSED = (
    "The topic of the group {group} that got the funnel summaries was closed, so they are switched "
    "off. Send /subscribe in an open topic there to resume."
)


@pytest.fixture(autouse=True)
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


async def in_topic(person: Person, text: str, topic: int | None = TOPIC) -> list[Call]:
    """A command sent in a topic of the forum (None: its General topic, not a topic message)."""
    fields: dict[str, Any] = {
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        "chat": {"id": FORUM, "type": "supergroup", "title": "Sales HQ", "is_forum": True},
    }
    if topic is not None:
        fields.update(message_thread_id=topic, is_topic_message=True)
    return await person.send_message(**fields)


async def subscribed(tg: Any, db: Any) -> dict[str, Any]:
    team = await make_team(db, "Acme sales", 9300)
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    [linked] = sent(await in_topic(boss, "/link"))
    assert linked.params["message_thread_id"] == TOPIC  # the answer in the topic, too
    [ok] = sent(await in_topic(boss, "/subscribe daily 9:00"))
    assert ok.params["message_thread_id"] == TOPIC
    async with db.begin(Scope.system()) as s:
        await s.exec(update(GroupSubscription).values(next_due_at=utcnow() - timedelta(minutes=1)))
    return {**team, "boss": boss}


async def test_subscribe_in_a_topic_sends_the_summaries_there(tg, db):
    await subscribed(tg, db)
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert (sub.chat_id, sub.message_thread_id) == (FORUM, TOPIC)
    tg.request.calls.clear()
    assert await summary_delivery.deliver_due(tg.app, "one") == 1
    [photo] = sent(tg.request.calls, "sendPhoto")
    assert (photo.params["chat_id"], photo.params["message_thread_id"]) == (FORUM, TOPIC)


async def test_funnel_in_a_topic_answers_in_the_topic_and_subscribing_in_general_moves_there(tg, db):
    team = await subscribed(tg, db)
    [photo] = sent(await in_topic(team["boss"], "/funnel week"), "sendPhoto")
    assert photo.params["message_thread_id"] == TOPIC
    [ok] = sent(await in_topic(team["boss"], "/subscribe daily 9:00", topic=None))
    assert "message_thread_id" not in ok.params
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(GroupSubscription))).one().message_thread_id is None


@pytest.mark.parametrize("error", ["Bad Request: TOPIC_CLOSED", "Bad Request: message thread not found"])
async def test_a_closed_or_deleted_topic_pauses_the_summaries_and_tells_the_managers(tg, db, error):
    await subscribed(tg, db)
    tg.request.calls.clear()
    tg.request.failures["sendPhoto"] = (400, error)
    assert await summary_delivery.deliver_due(tg.app, "one") == 0
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert not sub.enabled
    told = [c for c in sent(tg.request.calls) if c.params["chat_id"] > 0]
    assert told and all(says(c, GONE, group="Sales HQ") for c in told)


async def test_closing_the_topic_switches_its_summaries_off_and_tells_the_managers(tg, db):
    team = await subscribed(tg, db)
    chat = {"id": FORUM, "type": "supergroup", "title": "Sales HQ", "is_forum": True}
    other = await team["boss"].send_message(
        chat=chat, message_thread_id=TOPIC + 1, is_topic_message=True, forum_topic_closed={}
    )
    assert sent(other) == []  # another topic: nothing changes
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(GroupSubscription))).one().enabled
    calls = await team["boss"].send_message(
        chat=chat, message_thread_id=TOPIC, is_topic_message=True, forum_topic_closed={}
    )
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert not sub.enabled and sub.disabled_reason == "topic closed"
    told = sent(calls)
    assert told and all(c.params["chat_id"] > 0 for c in told)
    assert all(says(c, CLOSED, group="Sales HQ") for c in told)
    assert await summary_delivery.deliver_due(tg.app, "one") == 0
