"""Setting reminders in words: /remind, ⏰ on a record, and snoozing to a typed time. The date is
always shown back and saved only on confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from bot.delivery import reminders as delivery
from bot.domain.dates import parse_when
from bot.presentation.records import card_buttons
from models import FlowState, Member, Reminder, ReminderKind, ReminderStatus
from models.base import utcnow
from tests.support import WriteWatch, add_lead, alert, catalogue, due_reminder, make_team, msg, says, sent
from tests.support import reminder_rows as rows

ZAGREB = "Europe/Zagreb"
STALE = "This button is no longer active. Please send the command again."


@pytest.fixture(autouse=True)
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


def expected(phrase: str) -> datetime:
    when = parse_when(phrase, language="en", zone=ZAGREB, now=utcnow())
    assert when is not None
    return when.at


async def flow_row(db: Any, member: Member) -> FlowState:
    async with db.read(Scope.system()) as s:
        return (await s.exec(select(FlowState).where(FlowState.member_id == member.id))).one()


def full(at: datetime) -> str:
    return catalogue().when(at, ZAGREB)


async def test_remind_by_words_names_the_record_and_asks_before_saving(tg, db):
    team = await make_team(db, "T", 4000)
    rep = team["rep1"]
    ana = await add_lead(db, rep, "Ana")
    rita = tg.person(rep.telegram_user_id, "Rita")
    [proposal] = sent(await rita.send("/remind Ana next Friday 3pm call about the quote"))
    at = expected("next friday 3pm")
    assert says(
        proposal,
        "Remind you on {date} about {who}: {what}?",
        date=full(at),
        who="Ana (Acme d.o.o.)",
        what="call about the quote",
    )
    assert await rows(db) == []  # nothing saved before the rep confirms
    calls = await rita.tap(proposal, "Set reminder")
    assert sent(calls, "editMessageText")[0].text == msg("⏰ Reminder set for {date}.", date=full(at))
    [row] = await rows(db)
    assert row.kind is ReminderKind.CUSTOM and row.lead_id == ana.id and row.reason == "call about the quote"
    assert row.due_at == at and row.status is ReminderStatus.PENDING
    again = await rita.tap(proposal, "Set reminder")  # a double tap
    assert alert(again) == msg(STALE)
    assert len(await rows(db)) == 1

    # When it falls due, it says what it is about, with the record's buttons.
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Reminder).values(due_at=utcnow() - timedelta(minutes=1)))
    await delivery.deliver_due(tg.app)
    [message] = [c for c in sent(tg.request.calls) if c.params["chat_id"] == rep.telegram_user_id][-1:]
    assert msg("⏰ <b>Reminder</b>: {text}", text="call about the quote") in message.text
    assert says(message, "{name} ({company}), stage: {stage}", name="Ana", company="Acme d.o.o.", stage="lead")
    assert message.button("Open the record")["callback_data"] == f"1rec:{ana.id}"


async def test_remind_asks_which_record_when_the_name_is_shared_and_refuses_what_it_cannot_read(tg, db):
    team = await make_team(db, "T", 4100)
    rep = team["rep1"]
    await add_lead(db, rep, "Marko")
    second = await add_lead(db, rep, "Marko")
    await add_lead(db, team["rep2"], "Zdenka")  # another rep's record
    rita = tg.person(rep.telegram_user_id, "Rita")
    [question] = sent(await rita.send("/remind Marko tomorrow 10am send the offer"))
    assert says(question, "Which record is it about?")
    assert len([b for b in question.buttons if "Marko" in b["text"]]) == 2
    pick = next(b for b in question.buttons if b["callback_data"].endswith(f":{second.id}"))
    calls = await rita.press(pick["callback_data"])
    proposal = sent(calls, "editMessageText")[0]
    assert says(
        proposal,
        "Remind you on {date} about {who}: {what}?",
        date=full(expected("tomorrow 10am")),
        who="Marko (Acme d.o.o.)",
        what="send the offer",
    )
    await rita.tap(proposal, "Set reminder")
    [row] = await rows(db)
    assert row.lead_id == second.id and row.due_at == expected("tomorrow 10am")

    [answer] = sent(await rita.send("/remind Marko sometime soon"))
    assert says(answer, "I could not find a date in that. ")
    [answer] = sent(await rita.send("/remind Zdenka tomorrow call"))
    assert answer.text == msg(
        "No record of yours matches “{name}”. Check the name with /find, or leave it out for a reminder of your own.",
        name="Zdenka",
    )
    [answer] = sent(await rita.send("/remind"))
    assert says(answer, "Tell me who, when and what.")
    assert says(answer, "For example: /remind Ana next Friday 3pm call about the quote")
    [answer] = sent(await rita.send("/remind Marko 1.1.2020 call"))
    assert says(answer, "{date} has already passed. ")
    [answer] = sent(await rita.send("/remind Marko tomorrow " + "x" * 400))
    assert says(answer, "That is too long for a reminder. Keep it short; details belong in a note.")
    [own] = sent(await rita.send("/remind tomorrow 9:30 renew the car insurance"))
    assert says(
        own, "Remind you on {date}: {what}?", date=full(expected("tomorrow 9:30")), what="renew the car insurance"
    )
    calls = await rita.tap(own, "Cancel")
    assert sent(calls, "editMessageText")[0].text == msg("No reminder set.")
    assert len(await rows(db)) == 1
    [own] = sent(await rita.send("/remind tomorrow 9:30 renew the car insurance"))
    await rita.tap(own, "Set reminder")
    newest = (await rows(db))[-1]
    assert newest.lead_id is None and newest.reason == "renew the car insurance"


async def test_a_newer_proposal_takes_the_buttons_off_the_older_one(tg, db):
    team = await make_team(db, "T", 4150)
    rep = team["rep1"]
    rita = tg.person(rep.telegram_user_id, "Rita")
    [first] = sent(await rita.send("/remind tomorrow 9:30 call the bank"))
    prompt = (await flow_row(db, rep)).message_id
    calls = await rita.send("/remind friday 10:00 call the insurer")
    [dropped] = sent(calls, "editMessageReplyMarkup")
    assert dropped.params["message_id"] == prompt and not dropped.params.get("reply_markup")
    assert (await flow_row(db, rep)).message_id != prompt
    assert alert(await rita.tap(first, "Set reminder")) == msg(STALE)
    assert await rows(db) == []


async def test_a_time_that_passed_before_the_tap_is_not_saved(tg, db):
    team = await make_team(db, "T", 4180)
    rep = team["rep1"]
    rita = tg.person(rep.telegram_user_id, "Rita")
    [proposal] = sent(await rita.send("/remind tomorrow 9:30 call the bank"))
    flow = await flow_row(db, rep)  # the rep comes back to it after the moment has gone
    passed = {**flow.data, "at": (utcnow() - timedelta(minutes=1)).isoformat()}
    async with db.begin(Scope.system()) as s:
        await s.exec(update(FlowState).where(FlowState.member_id == rep.id).values(data=passed))
    calls = await rita.tap(proposal, "Set reminder")
    assert alert(calls) == msg("That time has passed. Please send the reminder again.")
    assert await rows(db) == []


async def test_a_rep_without_a_time_zone_is_asked_for_one_first(tg, db):
    team = await make_team(db, "T", 4200)
    rep = team["rep1"]
    ana = await add_lead(db, rep, "Ana")
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Member).where(Member.id == rep.id).values(timezone=None))
    rita = tg.person(rep.telegram_user_id, "Rita")
    [answer] = sent(await rita.send("/remind Ana tomorrow 10am call"))
    assert says(answer, "Before I set this reminder: which time zone are you in? I will go on with it right after.")
    assert any(b["callback_data"].startswith("1tz:") for b in answer.buttons)
    [other] = sent(await rita.press(f"1rmn:{ana.id}"))  # ⏰ on a card: nothing to keep, try again after
    assert says(other, "Before I set a reminder: which time zone are you in? Then try again.")
    assert await rows(db) == []


async def test_remind_goes_on_after_the_time_zone_question(tg, db):
    team = await make_team(db, "T", 4250)
    rep = team["rep1"]
    await add_lead(db, rep, "Ana")
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Member).where(Member.id == rep.id).values(timezone=None))
    rita = tg.person(rep.telegram_user_id, "Rita")
    [question] = sent(await rita.send("/remind Ana tomorrow 10am call about the quote"))
    calls = await rita.tap(question, "Another time zone…")
    calls = await rita.send("Zagreb")  # typed: the zone is saved and the reminder goes on
    texts = [c.text for c in sent(calls)]
    assert any("call about the quote" in text and "Ana" in text for text in texts), texts
    async with db.read(Scope.system()) as s:
        member = (await s.exec(select(Member).where(Member.id == rep.id))).one()
    assert member.timezone == ZAGREB
    [proposal] = [c for c in sent(calls) if "call about the quote" in c.text]
    await rita.tap(proposal, "Set reminder")
    [row] = await rows(db)
    assert row.reason == "call about the quote" and row.due_at == expected("tomorrow 10am")


async def test_in_two_hours_is_not_a_record_called_martin(tg, db):
    team = await make_team(db, "T", 4260)
    rep = team["rep1"]
    await add_lead(db, rep, "Martin")
    rita = tg.person(rep.telegram_user_id, "Rita")
    [proposal] = sent(await rita.send("/remind in 2 hours call the bank"))
    assert "Martin" not in proposal.text and "call the bank" in proposal.text


async def test_an_ambiguous_numeral_is_asked_back_with_both_readings(tg, db):
    team = await make_team(db, "T", 4270)
    rep = team["rep1"]
    rita = tg.person(rep.telegram_user_id, "Rita")
    [question] = sent(await rita.send("/remind 14.11 call the bank"))
    assert says(question, "That can be read two ways. Which one do you mean?")
    options = [b for b in question.buttons if b["callback_data"].startswith("1rmy:")]
    assert len(options) == 2
    await rita.press(options[0]["callback_data"])
    [row] = await rows(db)
    assert row.reason == "call the bank"


async def test_a_date_too_far_ahead_is_refused_with_a_sentence(tg, db):
    team = await make_team(db, "T", 4280)
    rep = team["rep1"]
    rita = tg.person(rep.telegram_user_id, "Rita")
    [answer] = sent(await rita.send("/remind 31.12.9999 call the bank"))
    assert says(answer, "That is more than ten years ahead. Please pick a nearer date.")
    assert await rows(db) == []


async def test_remind_me_on_a_record_card(tg, db):
    team = await make_team(db, "T", 4300)
    rep = team["rep1"]
    ana = await add_lead(db, rep, "Ana")
    rita = tg.person(rep.telegram_user_id, "Rita")
    remind_me = card_buttons(catalogue(), ana).inline_keyboard[-2][-1]  # on the record's card
    assert remind_me.text == msg("⏰ Remind me")
    [question] = sent(await rita.press(str(remind_me.callback_data)))
    assert says(question, "When shall I remind you about {who}, and what about?", who="Ana (Acme d.o.o.)")
    [answer] = sent(await rita.send("whenever"))
    assert says(answer, "I could not find a date in that. ")
    [proposal] = sent(await rita.send("in 3 days at 11 ask about the budget"))
    assert says(
        proposal,
        "Remind you on {date} about {who}: {what}?",
        date=full(expected("in 3 days at 11")),
        who="Ana (Acme d.o.o.)",
        what="ask about the budget",
    )
    await rita.tap(proposal, "Set reminder")
    [row] = await rows(db)
    assert row.lead_id == ana.id and row.due_at == expected("in 3 days at 11")
    # Another rep's record: not theirs to remind about.
    zdenka = await add_lead(db, team["rep2"], "Zdenka")
    assert alert(await rita.press(f"1rmn:{zdenka.id}")) == msg("That record is not available to you.")


async def test_snooze_to_a_typed_time_edits_the_reminder_in_place(tg, db):
    team = await make_team(db, "T", 4400)
    rep = team["rep1"]
    await due_reminder(db, rep)
    await delivery.deliver_due(tg.app)
    [reminder] = sent(tg.request.calls)
    rita = tg.person(rep.telegram_user_id, "Rita")
    [question] = sent(await rita.tap(reminder, "Other time"))
    assert says(question, "Until when? ")
    [answer] = sent(await rita.send("yesterday"))
    assert says(answer, "I could not read that as a future date. ")
    [proposal] = sent(await rita.send("friday 16:30"))
    at = expected("friday 16:30")
    assert proposal.text == msg("Snooze until {date}?", date=full(at))
    calls = await rita.tap(proposal, "Snooze until then")
    edits = sent(calls, "editMessageText")
    original = (await rows(db))[0]
    done = msg("⏰ Snoozed until {date}.", date=catalogue().when(at, ZAGREB))
    assert [e.text.splitlines()[-1] for e in edits] == [done, done]
    assert all(e.text.splitlines()[0] == msg("⏰ <b>Follow-up due</b>") for e in edits)  # what it was about
    assert any(e.params.get("message_id") == original.message_id for e in edits)
    first = await rows(db)
    async with db.read(Scope.system()) as s:
        new = (await s.exec(select(Reminder).where(Reminder.status == ReminderStatus.PENDING))).one()
    local = new.due_at.astimezone(ZoneInfo(ZAGREB))
    assert local.weekday() == 4 and (local.hour, local.minute) == (16, 30)
    assert first[0].status is ReminderStatus.SNOOZED
    stale = await rita.tap(proposal, "Snooze until then")
    assert alert(stale) == msg("This reminder was already handled.")
    # The flow is over: text is no longer read as a snooze time.
    assert not [c for c in sent(await rita.send("friday 17:00")) if says(c, "Snooze until {date}?")]
