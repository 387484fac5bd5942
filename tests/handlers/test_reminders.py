"""Reminder delivery: due rows go out once, with the record's context; late ones say so; a rep who
blocked the bot is marked and not retried; two claimers never take the same row."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot import dispatcher
from bot.db import Scope
from bot.services import reminders
from bot.state import state_of
from models import Member, Reminder, ReminderStatus
from models.base import utcnow
from tests.support import due_reminder, make_team
from tests.support import reminder_rows as rows


async def test_a_due_reminder_is_sent_once_with_context(tg, db):
    team = await make_team(db, "T", 1000)
    rep = team["rep1"]
    await due_reminder(db, rep)
    assert await dispatcher.deliver_due(tg.app) == 1
    [call] = [c for c in tg.request.calls if c.method == "sendMessage"]
    assert call.params["chat_id"] == rep.telegram_user_id
    assert "Follow-up due" in call.text and "Ana" in call.text and "No budget now" in call.text
    assert "call after the budget meeting" in call.text and "could not send it then" not in call.text
    assert any(b["callback_data"].startswith("1rec:") for b in call.buttons)
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.message_id and row.attempts == 1 and not row.late
    assert await dispatcher.deliver_due(tg.app) == 0  # never twice


async def test_future_reminders_wait_and_late_ones_say_so(tg, db):
    team = await make_team(db, "T", 1100)
    await due_reminder(db, team["rep1"], minutes_ago=-30)  # due in half an hour
    assert await dispatcher.deliver_due(tg.app) == 0
    await due_reminder(db, team["rep2"], minutes_ago=180)  # fell due while the bot was down
    assert await dispatcher.deliver_due(tg.app) == 1
    [call] = [c for c in tg.request.calls if c.method == "sendMessage"]
    assert "could not send it then" in call.text
    assert [r.late for r in await rows(db)] == [False, True]


async def test_a_rep_who_blocked_the_bot_is_marked_and_not_retried(tg, db):
    team = await make_team(db, "T", 1200)
    await due_reminder(db, team["rep1"])
    tg.request.failures["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    assert await dispatcher.deliver_due(tg.app) == 0
    [row] = await rows(db)
    assert row.status is ReminderStatus.FAILED and "blocked" in row.last_error
    async with db.begin(Scope.system()) as s:
        member = (await s.exec(select(Member).where(Member.id == team["rep1"].id))).one()
    assert not member.is_active and member.blocked_at is not None
    assert await dispatcher.deliver_due(tg.app) == 0
    # The rep unblocks the bot and writes again: the follow-up that could not go out is delivered.
    tg.request.calls.clear()
    await tg.person(team["rep1"].telegram_user_id, "Rita").send("/help")
    assert await dispatcher.deliver_due(tg.app) == 1
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.attempts == 1 and row.message_id


async def test_an_expired_lease_is_taken_again(tg, db):
    team = await make_team(db, "T", 1300)
    await due_reminder(db, team["rep1"])
    async with db.begin(Scope.system()) as s:
        [claimed] = await reminders.claim_due(s, now=utcnow(), owner="crashed-process")
    assert await dispatcher.deliver_due(tg.app) == 0  # leased to the other process
    later = utcnow() + reminders.LEASE + timedelta(seconds=1)
    async with db.begin(Scope.system()) as s:
        [again] = await reminders.claim_due(s, now=later, owner="me")
    assert again.id == claimed.id and again.attempts == 2


async def test_two_claimers_never_take_the_same_row(db):
    team = await make_team(db, "T", 1400)
    async with db.begin(Scope.system()) as s:
        for i in range(30):
            s.add(
                Reminder(
                    team_id=team["rep1"].team_id, owner_id=team["rep1"].id, due_at=utcnow() - timedelta(minutes=i + 1)
                )
            )

    async def claim(owner: str) -> list[int]:
        async with db.begin(Scope.system()) as s:
            return [r.id for r in await reminders.claim_due(s, now=utcnow(), owner=owner, limit=20)]

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 30


async def test_done_logs_the_follow_up_and_snooze_reschedules(tg, db):
    from models import Activity, ActivityKind

    team = await make_team(db, "T", 1500)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await due_reminder(db, rep)
    await dispatcher.deliver_due(tg.app)
    first, second = [c for c in tg.request.calls if c.method == "sendMessage"]
    person = tg.person(rep.telegram_user_id, "Rita")
    calls = await person.tap(first, "Done")
    [done] = [c for c in calls if c.method == "editMessageText"]
    assert "Follow-up done" in done.text
    assert any(b["callback_data"].startswith("1pk:") for b in done.buttons)  # park again, move, close
    again = await person.tap(first, "Done")
    assert "already handled" in [c for c in again if c.method == "answerCallbackQuery"][0].params["text"]
    calls = await person.tap(second, "Tomorrow 9:00")
    assert "Snoozed until" in [c for c in calls if c.method == "editMessageText"][0].text
    statuses = [r.status for r in await rows(db)]
    assert statuses == [ReminderStatus.DONE, ReminderStatus.SNOOZED, ReminderStatus.PENDING]
    new = (await rows(db))[2]
    local = new.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Zagreb"))
    assert (local.hour, local.minute) == (9, 0) and new.due_at > utcnow()
    async with db.begin(Scope.system()) as s:
        kinds = [a.kind for a in (await s.exec(select(Activity))).all()]
    assert ActivityKind.FOLLOW_UP in kinds
    # another rep cannot act on it
    other = tg.person(team["rep2"].telegram_user_id, "Ivo")
    assert (
        "already handled"
        in [c for c in await other.tap(second, "Next week") if c.method == "answerCallbackQuery"][0].params["text"]
    )


async def test_add_to_calendar_sends_an_ics_file(tg, db):

    team = await make_team(db, "T", 1600)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await dispatcher.deliver_due(tg.app)
    [message] = [c for c in tg.request.calls if c.method == "sendMessage"]
    calls = await tg.person(rep.telegram_user_id, "Rita").tap(message, "Add to calendar")
    [document] = [c for c in calls if c.method == "sendDocument"]
    assert "calendar" in document.params["caption"]


def test_ics_event_is_valid():
    from datetime import UTC, datetime

    import vobject

    from bot.domain.calendar import follow_up_event

    data = follow_up_event(
        uid="x-1", title="Follow up: Ana", description="d", start=datetime(2026, 1, 5, 9, tzinfo=UTC)
    )
    event = vobject.readOne(data.decode()).vevent
    assert event.summary.value == "Follow up: Ana" and event.dtstart.value == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert event.valarm.trigger.value.total_seconds() == -600


async def make_reminders(db, member: Member, count: int) -> None:
    async with db.begin(Scope.system()) as s:
        for i in range(count):
            s.add(Reminder(team_id=member.team_id, owner_id=member.id, due_at=utcnow() - timedelta(seconds=i + 1)))


async def test_two_dispatchers_on_one_database_deliver_each_reminder_exactly_once(tg, db, settings, monkeypatch):
    from bot.app import build_application
    from models import Team
    from tests.telegram_fake import RecordingRequest

    monkeypatch.setattr(dispatcher, "PER_CHAT_INTERVAL", 0)
    monkeypatch.setattr(dispatcher, "BATCH", 7)
    # 40 reps with 3 reminders each.
    async with db.begin(Scope.system()) as s:
        team = Team(name="Big")
        s.add(team)
        await s.flush()
        people = [Member(team_id=team.id, telegram_user_id=50_000 + i, timezone="Europe/Zagreb") for i in range(40)]
        s.add_all(people)
    for member in people:
        await make_reminders(db, member, 3)
    other_request = RecordingRequest()
    other = build_application(settings, request=other_request, rate_limiter=False, migrate=False)
    async with other:
        state_of(tg.app).worker_id, state_of(other).worker_id = "one", "two"
        # Both claim and send at the same time (no lease between them): rows are never shared.
        first, second = await asyncio.gather(dispatcher.deliver_due(tg.app), dispatcher.deliver_due(other))
        await state_of(other).db.dispose()
    sent = [c for r in (tg.request, other_request) for c in r.calls if c.method == "sendMessage"]
    assert first + second == 120 == len(sent)
    assert {r.status for r in await rows(db)} == {ReminderStatus.SENT}
    assert all(r.attempts == 1 for r in await rows(db))


async def test_only_the_lease_holder_sends(tg, db, settings):
    from bot.app import build_application
    from tests.telegram_fake import RecordingRequest

    team = await make_team(db, "T", 1700)
    await due_reminder(db, team["rep1"])
    other_request = RecordingRequest()
    other = build_application(settings, request=other_request, rate_limiter=False, migrate=False)
    async with other:
        state_of(tg.app).worker_id, state_of(other).worker_id = "one", "two"
        assert await dispatcher.holds_lease(tg.app)
        assert not await dispatcher.holds_lease(other)
        assert await dispatcher.tick(other) == 0  # not the holder: sends nothing
        assert await dispatcher.tick(tg.app) == 1
        # The holder stops (or dies): once the lease lapses, the other process takes over.
        later = utcnow() + timedelta(seconds=dispatcher.LEASE_POLLS * settings.reminder_poll_seconds + 1)
        assert await dispatcher.holds_lease(other, later)
        assert not await dispatcher.holds_lease(tg.app, later)
        await state_of(other).db.dispose()
    assert not [c for c in other_request.calls if c.method == "sendMessage"]


async def test_a_429_puts_the_reminder_back_and_pauses_sending(tg, db):
    team = await make_team(db, "T", 1800)
    await due_reminder(db, team["rep1"])
    tg.request.failures["sendMessage"] = (429, "Too Many Requests: retry after 7", {"retry_after": 7})
    assert await dispatcher.deliver_due(tg.app) == 0
    assert state_of(tg.app).dispatcher.retry_after == 7
    [row] = await rows(db)
    assert row.status is ReminderStatus.PENDING and row.attempts == 0 and row.lease_until is None
    assert await dispatcher.deliver_due(tg.app) == 1  # after the pause it goes out, once
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.attempts == 1


async def test_a_timed_out_send_is_not_repeated(tg, db):
    from telegram.error import TimedOut

    team = await make_team(db, "T", 1850)
    await due_reminder(db, team["rep1"])

    tg.request.failures["sendMessage"] = (TimedOut(),)
    assert await dispatcher.deliver_due(tg.app) == 0
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.message_id is None and "timed out" in row.last_error
    assert await dispatcher.deliver_due(tg.app) == 0


async def test_messages_to_one_chat_are_spaced_a_second_apart(tg, db, monkeypatch):
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(dispatcher.asyncio, "sleep", fake_sleep)
    team = await make_team(db, "T", 1900)
    await make_reminders(db, team["rep1"], 3)
    await make_reminders(db, team["rep2"], 1)
    assert await dispatcher.deliver_due(tg.app) == 4
    assert waits == [1.0, 1.0]  # between rep1's three messages; rep2's went out alongside


async def test_reminders_of_an_inactive_member_are_not_sent(tg, db):
    from sqlalchemy import update

    team = await make_team(db, "T", 1950)
    await due_reminder(db, team["rep1"])
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Member).where(Member.id == team["rep1"].id).values(is_active=False))
    assert await dispatcher.deliver_due(tg.app) == 0
    assert not [c for c in tg.request.calls if c.method == "sendMessage"]
    [row] = await rows(db)
    assert row.status is ReminderStatus.FAILED and row.last_error == "member inactive"
