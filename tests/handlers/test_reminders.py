"""Reminder delivery and a reminder's buttons: due rows go out once, with the record's context; late
ones say so; a rep who blocked the bot is marked and not retried; two claimers never take the same
row; Done and Snooze act once, on the rep's own reminder, also while the row is still being sent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import vobject
from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from bot.delivery import loop
from bot.delivery import reminders as delivery
from bot.domain.calendar import follow_up_event
from bot.services import reminders
from bot.state import state_of
from models import Activity, ActivityKind, Member, Reminder, ReminderKind, ReminderStatus
from models.base import utcnow
from models.errors import DomainError
from tests.support import WriteWatch, alert, catalogue, due_reminder, make_team, msg, says, sent
from tests.support import reminder_rows as rows

ZAGREB = ZoneInfo("Europe/Zagreb")
HANDLED = "This reminder was already handled."


@pytest.fixture
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


async def follow_ups(db: Any) -> list[Activity]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(Activity).where(Activity.kind == ActivityKind.FOLLOW_UP))).all())


async def test_a_due_reminder_is_sent_once_with_context(tg, db):
    team = await make_team(db, "T", 1000)
    rep = team["rep1"]
    watch = WriteWatch(tg, background=True)  # one chat: every send is checked
    await due_reminder(db, rep)
    assert await delivery.deliver_due(tg.app) == 1
    [call] = sent(tg.request.calls)
    assert call.params["chat_id"] == rep.telegram_user_id
    assert says(call, "⏰ <b>Follow-up due</b>")
    assert says(call, "{name} ({company}), stage: {stage}", name="Ana", company="Acme d.o.o.", stage="lead")
    assert says(call, "Parked because: {reason}", reason=msg("No budget now"))
    assert says(call, "Last note: {note}", note="call after the budget meeting")
    assert not says(call, "(It was due {date}; I could not send it then.)")
    assert any(b["callback_data"].startswith("1rec:") for b in call.buttons)
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.message_id and row.attempts == 1 and not row.late
    assert await delivery.deliver_due(tg.app) == 0  # never twice
    assert watch.problems == []


async def test_future_reminders_wait_and_late_ones_say_so(tg, db):
    team = await make_team(db, "T", 1100)
    await due_reminder(db, team["rep1"], minutes_ago=-30)  # due in half an hour
    assert await delivery.deliver_due(tg.app) == 0
    await due_reminder(db, team["rep2"], minutes_ago=180)  # fell due while the bot was down
    assert await delivery.deliver_due(tg.app) == 1
    [call] = sent(tg.request.calls)
    assert says(call, "(It was due {date}; I could not send it then.)")
    assert [r.late for r in await rows(db)] == [False, True]


async def test_a_rep_who_blocked_the_bot_is_marked_and_not_retried(tg, db):
    team = await make_team(db, "T", 1200)
    await due_reminder(db, team["rep1"])
    tg.request.failures["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    assert await delivery.deliver_due(tg.app) == 0
    [row] = await rows(db)
    assert row.status is ReminderStatus.FAILED and "blocked" in row.last_error
    async with db.read(Scope.system()) as s:
        member = (await s.exec(select(Member).where(Member.id == team["rep1"].id))).one()
    assert not member.is_active and member.blocked_at is not None
    assert await delivery.deliver_due(tg.app) == 0
    # The rep unblocks the bot and writes again: the follow-up that could not go out is delivered.
    tg.request.calls.clear()
    await tg.person(team["rep1"].telegram_user_id, "Rita").send("/help")
    assert await delivery.deliver_due(tg.app) == 1
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.attempts == 1 and row.message_id


async def test_an_expired_lease_is_taken_again(tg, db):
    team = await make_team(db, "T", 1300)
    await due_reminder(db, team["rep1"])
    async with db.begin(Scope.system()) as s:
        [claimed] = await reminders.claim_due(s, now=utcnow(), owner="crashed-process")
    assert await delivery.deliver_due(tg.app) == 0  # leased to the other process
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


@pytest.mark.usefixtures("watch")
async def test_done_logs_the_follow_up_and_offers_the_record(tg, db):
    team = await make_team(db, "T", 1500)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await delivery.deliver_due(tg.app)
    [message] = sent(tg.request.calls)
    person = tg.person(rep.telegram_user_id, "Rita")
    calls = await person.tap(message, "Done")
    [done] = sent(calls, "editMessageText")
    assert says(done, "✅ Follow-up done and noted. What happens next? Advance, park again or close it here.")
    assert any(b["callback_data"].startswith("1pk:") for b in done.buttons)  # park again, move, close
    [row] = await rows(db)
    assert row.status is ReminderStatus.DONE
    [activity] = await follow_ups(db)
    assert activity.lead_id == row.lead_id and activity.member_id == rep.id
    again = await person.tap(message, "Done")
    assert alert(again) == msg(HANDLED) and not sent(again, "editMessageText")
    assert len(await follow_ups(db)) == 1  # logged once


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZAGREB)


@pytest.mark.usefixtures("watch")
@pytest.mark.parametrize("button", ["1 hour", "Tomorrow 9:00", "Next week"])
async def test_snooze_buttons_reschedule_and_edit_the_message(tg, db, button):
    team = await make_team(db, "T", 1550)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await delivery.deliver_due(tg.app)
    [message] = sent(tg.request.calls)
    person = tg.person(rep.telegram_user_id, "Rita")
    before = utcnow()
    calls = await person.tap(message, button)
    after = utcnow()
    old, new = await rows(db)
    assert (old.status, new.status) == (ReminderStatus.SNOOZED, ReminderStatus.PENDING)
    assert (new.lead_id, new.reason, new.kind, new.owner_id) == (old.lead_id, old.reason, old.kind, rep.id)
    due, today = local(new.due_at), local(before).date()
    if button == "1 hour":
        assert before + timedelta(hours=1) <= new.due_at <= after + timedelta(hours=1)
    elif button == "Tomorrow 9:00":
        assert due.date() == today + timedelta(days=1) and (due.hour, due.minute) == (9, 0)
    else:  # next week: Monday 9:00 local time
        assert due.weekday() == 0 and (due.hour, due.minute) == (9, 0)
        assert 1 <= (due.date() - today).days <= 7
    [edited] = sent(calls, "editMessageText")
    assert edited.text.splitlines()[0] == msg("⏰ <b>Follow-up due</b>")  # still says what it is about
    assert edited.text.splitlines()[-1] == msg(
        "⏰ Snoozed until {date}.", date=catalogue().when(new.due_at, "Europe/Zagreb")
    )
    again = await person.tap(message, "Next week")
    assert alert(again) == msg(HANDLED) and len(await rows(db)) == 2


@pytest.mark.usefixtures("watch")
async def test_another_rep_cannot_act_on_a_reminder(tg, db):
    team = await make_team(db, "T", 1580)
    await due_reminder(db, team["rep1"])
    await delivery.deliver_due(tg.app)
    [message] = sent(tg.request.calls)
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.owner_id == team["rep1"].id  # open, and rep1's
    other = tg.person(team["rep2"].telegram_user_id, "Ivo")
    for button in ("Done", "Next week", "Other time", "Add to calendar"):
        calls = await other.tap(message, button)
        assert alert(calls) == msg(HANDLED), button  # the same answer as for no such reminder
        assert not sent(calls) and not sent(calls, "editMessageText") and not sent(calls, "sendDocument")
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and await follow_ups(db) == []
    # A manager sees the team: the same Done works for them (and logs who did it).
    calls = await tg.person(team["manager"].telegram_user_id, "Maja").tap(message, "Done")
    assert sent(calls, "editMessageText") and (await rows(db))[0].status is ReminderStatus.DONE


@pytest.mark.usefixtures("watch")
@pytest.mark.parametrize("button", ["Done", "1 hour"])
async def test_a_tap_while_the_reminder_is_still_sending_counts(tg, db, button):
    """The message exists (and its buttons work) before the loop records that it was sent: the
    rep's answer stands, and the loop's "sent" does not overwrite it."""
    team = await make_team(db, "T", 1590)
    rep = team["rep1"]
    await due_reminder(db, rep)
    person = tg.person(rep.telegram_user_id, "Rita")
    send = tg.request.do_request
    seen: dict[str, Any] = {}

    async def tap_as_it_arrives(url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        answer = await send(url, method, *args, **kwargs)
        if url.endswith("/sendMessage") and not seen:
            seen["status"] = (await rows(db))[0].status
            seen["tap"] = await person.tap(tg.request.calls[-1], button)
        return answer

    tg.request.do_request = tap_as_it_arrives
    assert await delivery.deliver_due(tg.app) == 1
    assert seen["status"] is ReminderStatus.SENDING
    assert alert(seen["tap"]) == "" and sent(seen["tap"], "editMessageText")
    first = (await rows(db))[0]
    expected = ReminderStatus.DONE if button == "Done" else ReminderStatus.SNOOZED
    assert first.status is expected and first.lease_until is None
    async with db.begin(Scope.system()) as s:  # a late "sent" (e.g. another process) changes nothing
        assert not await reminders.mark_sent(s, first.id, now=utcnow(), chat_id=1, message_id=2, late=False)
    assert (await rows(db))[0].status is expected
    assert await delivery.deliver_due(tg.app) == 0


async def test_done_and_snooze_change_only_open_reminders(db):
    """The rule is in the service's UPDATE: pending, done, snoozed, failed rows and morning briefs
    are left alone, whoever calls it."""
    team = await make_team(db, "T", 1595)
    rep = team["rep1"]
    now = utcnow()
    statuses = list(ReminderStatus)
    async with db.begin(Scope.system()) as s:
        for status in statuses:
            s.add(Reminder(team_id=rep.team_id, owner_id=rep.id, due_at=now, status=status))
        brief = Reminder(
            team_id=rep.team_id, owner_id=rep.id, due_at=now, status=ReminderStatus.SENT, kind=ReminderKind.DIGEST
        )
        s.add(brief)
    ids = {r.status: r.id for r in await rows(db) if r.kind is not ReminderKind.DIGEST}
    for status in statuses:
        async with db.begin(Scope.of(rep)) as s:
            done = await reminders.done(s, ids[status], by=rep, now=now)
        assert (done is not None) == (status in (ReminderStatus.SENDING, ReminderStatus.SENT)), status
    async with db.begin(Scope.of(rep)) as s:
        assert await reminders.done(s, brief.id, by=rep, now=now) is None  # a morning brief has no Done
        assert await reminders.snooze(s, ids[ReminderStatus.SENT], until=now + timedelta(hours=1), now=now) is None
    with pytest.raises(DomainError):  # nor can anything be snoozed into the past
        async with db.begin(Scope.of(rep)) as s:
            await reminders.snooze(s, brief.id, until=now - timedelta(minutes=1), now=now)
    assert {r.id: r.status for r in await rows(db)}[brief.id] is ReminderStatus.SENT


@pytest.mark.usefixtures("watch")
async def test_other_time_asks_in_words_and_a_double_tap_is_refused(tg, db):
    team = await make_team(db, "T", 1598)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await delivery.deliver_due(tg.app)
    [message] = sent(tg.request.calls)
    person = tg.person(rep.telegram_user_id, "Rita")
    [question] = sent(await person.tap(message, "Other time"))
    assert says(question, "Until when? ") and says(
        question, "Try for example: tomorrow 10am, Friday 15:00, in 3 days, end of month."
    )
    await person.tap(message, "Done")
    assert alert(await person.tap(message, "Other time")) == msg(HANDLED)


@pytest.mark.usefixtures("watch")
async def test_add_to_calendar_sends_an_ics_event_for_the_follow_up(tg, db):
    team = await make_team(db, "T", 1600)
    rep = team["rep1"]
    await due_reminder(db, rep, minutes_ago=-180)  # due in three hours
    async with db.begin(Scope.system()) as s:  # sent early, so that its due time is still ahead
        await s.exec(update(Reminder).values(status=ReminderStatus.SENT))
    [row] = await rows(db)
    files: list[Any] = []
    send = tg.request.do_request

    async def keep_files(url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any) -> Any:
        if request_data is not None and request_data.contains_files:
            files.append(request_data.multipart_data)
        return await send(url, method, request_data, *args, **kwargs)

    tg.request.do_request = keep_files
    calls = await tg.person(rep.telegram_user_id, "Rita").press(f"1rc:{row.id}")
    [document] = sent(calls, "sendDocument")
    assert says(document, "Open it to add the follow-up to your calendar.")
    [parts] = files
    [(name, content, _mime)] = parts.values()
    assert name == "follow-up.ics"
    event = vobject.readOne(content.decode()).vevent
    assert event.summary.value == msg("Follow up: {name}", name="Ana · Acme d.o.o.")
    assert event.description.value == msg("A follow-up from your sales assistant.")
    assert event.uid.value == f"salesbot-reminder-{row.id}"
    assert event.dtstart.value == row.due_at.replace(microsecond=0)
    assert event.dtend.value - event.dtstart.value == timedelta(minutes=30)
    assert event.valarm.trigger.value == timedelta(minutes=-10)


def test_ics_event_is_valid():
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

    monkeypatch.setattr(delivery, "PER_CHAT_INTERVAL", 0)
    monkeypatch.setattr(delivery, "BATCH", 7)
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
        first, second = await asyncio.gather(delivery.deliver_due(tg.app), delivery.deliver_due(other))
        await state_of(other).db.dispose()
    messages = [c for r in (tg.request, other_request) for c in sent(r.calls)]
    assert first + second == 120 == len(messages)
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
        assert await loop.holds_lease(tg.app)
        assert not await loop.holds_lease(other)
        assert await loop.tick(other) == 0  # not the holder: sends nothing
        assert await loop.tick(tg.app) == 1
        # The holder stops (or dies): once the lease lapses, the other process takes over.
        later = utcnow() + timedelta(seconds=loop.LEASE_POLLS * settings.reminder_poll_seconds + 1)
        assert await loop.holds_lease(other, later)
        assert not await loop.holds_lease(tg.app, later)
        await state_of(other).db.dispose()
    assert not sent(other_request.calls)


async def test_a_429_puts_the_reminder_back_and_pauses_sending(tg, db):
    team = await make_team(db, "T", 1800)
    await due_reminder(db, team["rep1"])
    tg.request.failures["sendMessage"] = (429, "Too Many Requests: retry after 7", {"retry_after": 7})
    assert await delivery.deliver_due(tg.app) == 0
    assert state_of(tg.app).dispatcher.retry_after == 7
    [row] = await rows(db)
    assert row.status is ReminderStatus.PENDING and row.attempts == 0 and row.lease_until is None
    assert await delivery.deliver_due(tg.app) == 1  # after the pause it goes out, once
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.attempts == 1


async def test_a_timed_out_send_is_not_repeated(tg, db):
    from telegram.error import TimedOut

    team = await make_team(db, "T", 1850)
    await due_reminder(db, team["rep1"])

    tg.request.failures["sendMessage"] = (TimedOut(),)
    assert await delivery.deliver_due(tg.app) == 0
    [row] = await rows(db)
    assert row.status is ReminderStatus.SENT and row.message_id is None and "timed out" in row.last_error
    assert await delivery.deliver_due(tg.app) == 0


async def test_messages_to_one_chat_are_spaced_a_second_apart(tg, db, monkeypatch):
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(delivery.asyncio, "sleep", fake_sleep)
    team = await make_team(db, "T", 1900)
    await make_reminders(db, team["rep1"], 3)
    await make_reminders(db, team["rep2"], 1)
    assert await delivery.deliver_due(tg.app) == 4
    assert waits == [1.0, 1.0]  # between rep1's three messages; rep2's went out alongside


async def test_reminders_of_an_inactive_member_are_not_sent(tg, db):
    team = await make_team(db, "T", 1950)
    await due_reminder(db, team["rep1"])
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Member).where(Member.id == team["rep1"].id).values(is_active=False))
    assert await delivery.deliver_due(tg.app) == 0
    assert not sent(tg.request.calls)
    [row] = await rows(db)
    assert row.status is ReminderStatus.FAILED and row.last_error == "member inactive"


@pytest.mark.parametrize(
    ("cause", "resent"),
    [(httpx.ConnectTimeout("no connection"), True), (httpx.PoolTimeout("pool full"), True),
     (httpx.ReadTimeout("no answer"), False), (httpx.WriteTimeout("half sent"), False)],
)  # fmt: skip
async def test_a_time_out_before_telegram_is_sent_again_one_after_is_not(tg, db, cause, resent):
    """Connect and pool time-outs never reached Telegram: the reminder goes out at the next try.
    Read and write time-outs may have delivered it: it is kept as sent, never sent twice."""
    from telegram.error import TimedOut

    team = await make_team(db, "T", 1870)
    await due_reminder(db, team["rep1"])
    failure = TimedOut()
    failure.__cause__ = cause
    tg.request.failures["sendMessage"] = (failure,)
    assert await delivery.deliver_due(tg.app) == 0
    [row] = await rows(db)
    if resent:
        assert row.status is ReminderStatus.PENDING
        assert await delivery.deliver_due(tg.app) == 1
        [row] = await rows(db)
        assert row.status is ReminderStatus.SENT and row.message_id is not None
    else:
        assert row.status is ReminderStatus.SENT and row.message_id is None
        assert await delivery.deliver_due(tg.app) == 0


async def test_rows_of_a_process_that_died_come_back_after_a_short_lease(tg, db):
    """A claim lasts two polls, not minutes: the next poll after that takes the row again."""
    team = await make_team(db, "T", 1880)
    await due_reminder(db, team["rep1"])
    lease = delivery.claim_lease(tg.app)
    assert lease == timedelta(seconds=2 * state_of(tg.app).settings.reminder_poll_seconds)
    async with db.begin(Scope.system()) as s:  # a process claims it, then dies
        [claimed] = await reminders.claim_due(s, now=utcnow(), owner="dead", lease=lease)
    assert await delivery.deliver_due(tg.app) == 0  # still leased
    later = utcnow() + lease + timedelta(seconds=1)
    assert await delivery.deliver_due(tg.app, now=later) == 1
    [row] = await rows(db)
    assert row.id == claimed.id and row.status is ReminderStatus.SENT and row.attempts == 2
