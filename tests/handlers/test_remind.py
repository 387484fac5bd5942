"""Setting reminders in words: /remind, ⏰ on a record, and snoozing to a typed time. The date is
always shown back and saved only on confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import select

from bot import dispatcher
from bot.db import Scope
from bot.domain.dates import parse_when
from models import Member, Reminder, ReminderKind, ReminderStatus
from models.base import utcnow
from tests.support import add_lead, due_reminder, make_team
from tests.support import reminder_rows as rows

ZAGREB = "Europe/Zagreb"


def sent(calls, method="sendMessage"):
    return [c for c in calls if c.method == method]


def expected(phrase: str) -> datetime:
    when = parse_when(phrase, language="en", zone=ZAGREB, now=utcnow())
    assert when is not None
    return when.at


async def test_remind_by_words_names_the_record_and_asks_before_saving(tg, db):
    team = await make_team(db, "T", 4000)
    rep = team["rep1"]
    ana = await add_lead(db, rep, "Ana")
    rita = tg.person(rep.telegram_user_id, "Rita")
    [proposal] = sent(await rita.send("/remind Ana next Friday 3pm call about the quote"))
    assert "Ana (Acme d.o.o.)" in proposal.text and "call about the quote" in proposal.text
    assert "Friday" in proposal.text and "3:00" in proposal.text
    assert await rows(db) == []  # nothing saved before the rep confirms
    calls = await rita.tap(proposal, "Set reminder")
    assert "Reminder set for" in sent(calls, "editMessageText")[0].text
    [row] = await rows(db)
    assert row.kind is ReminderKind.CUSTOM and row.lead_id == ana.id and row.reason == "call about the quote"
    assert row.due_at == expected("next friday 3pm") and row.status is ReminderStatus.PENDING
    again = await rita.tap(proposal, "Set reminder")  # a double tap
    assert "no longer active" in sent(again, "answerCallbackQuery")[0].params["text"]
    assert len(await rows(db)) == 1

    # When it falls due, it says what it is about, with the record's buttons.
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Reminder).values(due_at=utcnow() - timedelta(minutes=1)))
    await dispatcher.deliver_due(tg.app)
    [message] = [c for c in tg.request.calls if c.method == "sendMessage" and "Reminder" in c.text]
    assert "call about the quote" in message.text and "Ana (Acme d.o.o.)" in message.text


async def test_remind_asks_which_record_when_the_name_is_shared_and_refuses_what_it_cannot_read(tg, db):
    team = await make_team(db, "T", 4100)
    rep = team["rep1"]
    await add_lead(db, rep, "Marko")
    second = await add_lead(db, rep, "Marko")
    await add_lead(db, team["rep2"], "Zdenka")  # another rep's record
    rita = tg.person(rep.telegram_user_id, "Rita")
    [question] = sent(await rita.send("/remind Marko tomorrow 10am send the offer"))
    assert "Which record" in question.text and len([b for b in question.buttons if "Marko" in b["text"]]) == 2
    pick = next(b for b in question.buttons if b["callback_data"].endswith(f":{second.id}"))
    calls = await rita.press(pick["callback_data"])
    proposal = sent(calls, "editMessageText")[0]
    await rita.tap(proposal, "Set reminder")
    [row] = await rows(db)
    assert row.lead_id == second.id and row.due_at == expected("tomorrow 10am")

    [answer] = sent(await rita.send("/remind Marko sometime soon"))
    assert "could not find a date" in answer.text
    [answer] = sent(await rita.send("/remind Zdenka tomorrow call"))
    assert "No record of yours matches" in answer.text
    [answer] = sent(await rita.send("/remind"))
    assert "/remind Ana next Friday 3pm" in answer.text
    [answer] = sent(await rita.send("/remind Marko 1.1.2020 call"))
    assert "already passed" in answer.text
    [own] = sent(await rita.send("/remind tomorrow 9:30 renew the car insurance"))
    await rita.tap(own, "Cancel")
    assert len(await rows(db)) == 1
    [own] = sent(await rita.send("/remind tomorrow 9:30 renew the car insurance"))
    await rita.tap(own, "Set reminder")
    newest = (await rows(db))[-1]
    assert newest.lead_id is None and newest.reason == "renew the car insurance"


async def test_a_rep_without_a_time_zone_is_asked_for_one_first(tg, db):
    team = await make_team(db, "T", 4200)
    rep = team["rep1"]
    await add_lead(db, rep, "Ana")
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Member).where(Member.id == rep.id).values(timezone=None))
    rita = tg.person(rep.telegram_user_id, "Rita")
    [answer] = sent(await rita.send("/remind Ana tomorrow call"))
    assert "which time zone" in answer.text and any(b["callback_data"].startswith("1tz:") for b in answer.buttons)
    assert await rows(db) == []


async def test_remind_me_on_a_record_card(tg, db):
    team = await make_team(db, "T", 4300)
    rep = team["rep1"]
    ana = await add_lead(db, rep, "Ana")
    rita = tg.person(rep.telegram_user_id, "Rita")
    card = sent(await rita.press(f"1rec:{ana.id}"), "editMessageText") or sent(await rita.press(f"1rec:{ana.id}"))
    calls = await rita.tap(card[0], "Remind me")
    assert "When shall I remind you about Ana" in sent(calls)[0].text
    [answer] = sent(await rita.send("whenever"))
    assert "could not find a date" in answer.text
    [proposal] = sent(await rita.send("in 3 days at 11 ask about the budget"))
    assert "ask about the budget" in proposal.text
    await rita.tap(proposal, "Set reminder")
    [row] = await rows(db)
    assert row.lead_id == ana.id and row.due_at == expected("in 3 days at 11")


async def test_snooze_to_a_typed_time_edits_the_reminder_in_place(tg, db):
    team = await make_team(db, "T", 4400)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await dispatcher.deliver_due(tg.app)
    [reminder] = [c for c in tg.request.calls if c.method == "sendMessage"]
    rita = tg.person(rep.telegram_user_id, "Rita")
    calls = await rita.tap(reminder, "Other time")
    assert "Until when?" in sent(calls)[0].text
    [answer] = sent(await rita.send("yesterday"))
    assert "future date" in answer.text
    [proposal] = sent(await rita.send("friday 16:30"))
    assert "Snooze until" in proposal.text
    calls = await rita.tap(proposal, "Snooze until then")
    edits = sent(calls, "editMessageText")
    original = (await rows(db))[0]
    assert len(edits) == 2 and any(e.params.get("message_id") == original.message_id for e in edits)
    first = await rows(db)
    async with db.begin(Scope.system()) as s:
        new = (await s.exec(select(Reminder).where(Reminder.status == ReminderStatus.PENDING))).one()
    local = new.due_at.astimezone(ZoneInfo(ZAGREB))
    assert local.weekday() == 4 and (local.hour, local.minute) == (16, 30)
    assert first[0].status is ReminderStatus.SNOOZED
    stale = await rita.tap(proposal, "Snooze until then")
    assert "already handled" in sent(stale, "answerCallbackQuery")[0].params["text"]
