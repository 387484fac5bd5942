"""The update inbox: stored once, handled one chat at a time in order, fairly across chats, and
taken again when the process handling it died."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.db import Scope
from bot.services import inbox
from models import InboxStatus, InboxUpdate
from models.base import utcnow

LEASE = timedelta(seconds=20)


def message(update_id: int, chat: int, text: str = "hi") -> inbox.Incoming:
    payload = {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"}, "text": text},
    }
    return inbox.Incoming(update_id, inbox.chat_key_of(payload), payload)


async def store(db, *updates: inbox.Incoming) -> list[int]:
    async with db.core() as conn:
        return (await inbox.accept(conn, list(updates), now=utcnow())).new


async def accept(db, *updates: inbox.Incoming, owner: str = "one", take: int = 1) -> inbox.Accepted:
    async with db.core() as conn:
        return await inbox.accept(conn, list(updates), now=utcnow(), owner=owner, take=take, lease=LEASE)


async def claim(db, owner: str = "one", now=None, exclude=()) -> inbox.Claimed | None:
    async with db.core() as conn:
        return await inbox.claim(conn, owner=owner, now=now or utcnow(), lease=LEASE, exclude=exclude)


async def finish(db, claimed: inbox.Claimed, owner: str = "one") -> bool:
    async with db.core() as conn:
        return await inbox.finish(conn, claimed, owner=owner, now=utcnow())


async def attempts(db, update_id: int) -> int:
    async with db.read(Scope.system()) as s:
        return (await s.get_one(InboxUpdate, update_id)).attempts


def test_chat_key_follows_the_chat_of_a_message_or_button():
    assert message(1, 42).chat_key == 42
    button = {"update_id": 2, "callback_query": {"id": "x", "from": {"id": 7}, "message": {"chat": {"id": -5}}}}
    assert inbox.chat_key_of(button) == -5
    assert inbox.chat_key_of({"update_id": 3, "inline_query": {"id": "q", "from": {"id": 9}}}) == 9
    assert inbox.chat_key_of({"update_id": 4}) == 0


async def test_an_update_sent_twice_is_stored_once(db):
    assert await store(db, message(10, 1), message(11, 1)) == [10, 11]
    assert await store(db, message(11, 1), message(12, 1)) == [12]
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(InboxUpdate))).all()) == 3


async def test_one_chat_is_handled_in_update_order_one_at_a_time(db):
    await store(db, message(3, 1, "c"), message(1, 1, "a"), message(2, 1, "b"))
    first = await claim(db, "one")
    assert first is not None and first.update_id == 1 and first.payload["message"]["text"] == "a"
    assert await claim(db, "two") is None  # the chat is in hand: nobody else takes its next update
    await finish(db, first)
    second = await claim(db, "two")
    assert second is not None and second.update_id == 2


async def test_a_chat_with_a_long_queue_does_not_hold_up_another_chat(db):
    await store(db, *(message(i, 1) for i in range(1, 201)))
    await store(db, message(1000, 2))
    first = await claim(db)
    assert first is not None and first.chat_key in (1, 2)
    await finish(db, first)
    second = await claim(db)
    assert second is not None and second.chat_key != first.chat_key  # the other chat's turn
    assert (first.chat_key, second.chat_key) in ((1, 2), (2, 1))
    await finish(db, second)
    # and chat 1 goes on in order afterwards
    following = [await claim(db) for _ in range(1)]
    assert following[0] is not None and following[0].chat_key == 1


async def test_an_update_whose_process_died_is_handled_again_after_the_lease(db):
    await store(db, message(5, 9))
    taken = await claim(db, "dead")
    assert taken is not None
    assert await claim(db, "alive") is None  # leased
    again = await claim(db, "alive", now=utcnow() + LEASE + timedelta(seconds=1))
    assert again is not None and again.update_id == 5 and again.attempts == 2


async def test_work_marked_done_with_the_handler_is_not_handled_twice(db):
    await store(db, message(7, 3), message(8, 3))
    taken = await claim(db)
    async with db.begin(Scope.system()) as s:  # what BotContext.write does inside the handler's transaction
        assert await inbox.mark_done(await s.connection(), taken.update_id, now=utcnow())
    # the process dies before `finish`: the next claimer skips the handled update
    nxt = await claim(db, "other", now=utcnow() + LEASE + timedelta(seconds=1))
    assert nxt is not None and nxt.update_id == 8


async def test_handled_updates_are_pruned_and_the_lag_is_measured(db):
    await store(db, message(20, 4), message(21, 5))
    async with db.core_read() as conn:
        assert await inbox.lag(conn, now=utcnow() + timedelta(seconds=30)) >= 29
    taken = await claim(db)
    await finish(db, taken)
    async with db.core() as conn:
        assert await inbox.prune(conn, before=utcnow() + timedelta(seconds=1)) == 1
    async with db.read(Scope.system()) as s:
        left = (await s.exec(select(InboxUpdate))).all()
    assert [(u.update_id, u.status) for u in left] == [(21 if taken.update_id == 20 else 20, InboxStatus.PENDING)]


async def test_an_update_of_an_idle_chat_is_taken_on_receipt_in_the_same_transaction(db):
    got = await accept(db, message(30, 6, "first"), take=1)
    assert got.new == [30] and [(c.update_id, c.chat_key, c.attempts) for c in got.taken] == [(30, 6, 1)]
    assert got.taken[0].payload["message"]["text"] == "first"
    assert await claim(db, "two") is None  # leased to the receiver: nobody else takes the chat
    # the chat's next update, received while the first is in hand, waits behind it
    behind = await accept(db, message(31, 6, "second"), take=1)
    assert behind.new == [31] and behind.taken == []
    assert await attempts(db, 31) == 0  # not taken: not counted as tried
    assert await finish(db, got.taken[0]) is True  # more waits in this chat
    nxt = await claim(db, "two")
    assert nxt is not None and nxt.update_id == 31 and nxt.attempts == 1
    assert await finish(db, nxt, owner="two") is False


async def test_taking_on_receipt_keeps_order_and_the_number_of_free_slots(db):
    await store(db, message(40, 7))  # chat 7 already has an update waiting
    got = await accept(db, message(41, 7), message(50, 8), message(51, 8), message(60, 9), take=1)
    assert got.new == [41, 50, 51, 60]
    assert [c.update_id for c in got.taken] == [50]  # chat 8's first; chat 7 waits in order; one slot only
    again = await accept(db, message(50, 8), take=1)  # Telegram sends it again: never taken twice
    assert again.new == [] and again.taken == []
    first = await claim(db, "two")
    assert first is not None and first.update_id in (40, 60)


async def test_a_dead_receiver_s_update_is_taken_again_after_its_lease(db):
    got = await accept(db, message(70, 10), owner="dead")
    assert [c.update_id for c in got.taken] == [70]
    again = await claim(db, "alive", now=utcnow() + LEASE + timedelta(seconds=1))
    assert again is not None and again.update_id == 70 and again.attempts == 2


async def test_finishing_a_chat_sees_the_update_queued_while_it_finished(db):
    """The race of `finish` and an `accept` for the same chat: the update queued meanwhile is
    never left waiting without a head (it would never be claimed)."""
    first = (await accept(db, message(80, 12))).taken[0]
    async with db.core() as conn:  # the next update's receipt, committed only after finish started
        queued = await inbox.accept(conn, [message(81, 12)], now=utcnow(), owner="one", take=1, lease=LEASE)
        assert queued.new == [81] and queued.taken == []
        finishing = asyncio.create_task(finish(db, first))
        await asyncio.sleep(0.2)
    assert await finishing is True
    nxt = await claim(db, "two")
    assert nxt is not None and nxt.update_id == 81
