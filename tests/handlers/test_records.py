"""Browsing records, notes while a record is open, the birthday, and parking with a date in plain
words. Wording is checked through catalogue ids; every update of these handlers writes once,
never while talking to Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.db import Scope
from models import Activity, ActivityKind, Lead, Member, Reminder, ReminderStatus, Stage
from tests.support import ANA, UnitOfWork, add_lead, alert, catalogue, make_team, msg, owner, says, sent

HIDDEN = "That record is not available to you."
NOTE_SAVED = "Note saved on {name}. Was it an objection or a question?"
STALE = "This button is no longer active. Please send the command again."


@pytest.fixture(autouse=True)
def unit_of_work(tg):
    watch = UnitOfWork(tg)
    yield watch
    watch.restore()
    watch.check()


async def saved_lead(person, text=ANA) -> None:
    [preview] = sent(await person.send(text))
    await person.tap(preview, "Save")
    await person.send("/cancel")


async def one(db, model):
    async with db.read(Scope.system()) as s:
        return (await s.exec(select(model))).all()


async def test_leads_lists_by_stage_and_pages(tg):
    olga = await owner(tg)
    assert says(sent(await olga.send("/leads"))[0], "No records yet. Send me a business card to add the first one.")
    for i in range(10):
        await saved_lead(olga, f"Person{i} Test{i}\nCompany{i} d.o.o.\np{i}@firm{i}.hr")
    [listing] = sent(await olga.send("/leads"))
    assert catalogue().plural("<b>{n} record</b>", "<b>{n} records</b>", 10) in listing.text
    assert f"{msg('lead')}: 10" in listing.text
    assert len(listing.buttons) == 8 + 1 + 1  # a page of records, "Next »" and the order by value
    calls = await olga.tap(listing, msg("Next »"))
    [page2] = sent(calls, "editMessageText")
    assert [b["text"] for b in page2.buttons][-2:] == [msg("« Previous"), msg("💰 Most valuable first")]
    assert len(page2.buttons) == 2 + 1 + 1
    assert alert(await olga.press("1ls:x")) == msg(STALE)


async def test_find_is_accent_insensitive(tg):
    olga = await owner(tg)
    await saved_lead(olga)
    [found] = sent(await olga.send("/find kovacevic adria"))
    assert says(found, "Found {n} record:", n=1) and "Ana Kovačević" in found.buttons[0]["text"]
    assert says(sent(await olga.send("/find nobody"))[0], "Nothing found for “{words}”.", words="nobody")
    assert says(sent(await olga.send("/find"))[0], "Send /find and a name, company, e-mail or phone, e.g. /find kovač.")


async def test_notes_while_a_record_is_open_and_marking_an_objection(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert says(card, "Anything you type now is saved as a note on this record. /cancel closes it.")
    [saved] = sent(await olga.send("Too expensive compared to the competition"))
    assert says(saved, NOTE_SAVED, name="Ana Kovačević · Adria Solar d.o.o.")
    calls = await olga.tap(saved, msg("Objection"))
    assert alert(calls) == msg("Marked as {kind}.", kind=msg("Objection").lower())
    assert says(sent(calls, "editMessageText")[0], "Note saved as: {kind}.", kind=msg("Objection"))
    [note] = await one(db, Activity)
    assert note.kind is ActivityKind.OBJECTION and note.text.startswith("Too expensive")
    await olga.send("/note asked about delivery times")
    assert len(await one(db, Activity)) == 2
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert "Objection: Too expensive" in card.text and "asked about delivery" in card.text
    too_long = sent(await olga.send("/note " + "x" * 3001))[0]
    assert says(too_long, "That note is too long. Please keep a note under 3,000 characters.")
    assert len(await one(db, Activity)) == 2
    assert says(sent(await olga.send("/note"))[0], "Send /note and the text, with a record open (/leads or /find).")
    await olga.send("/cancel")
    assert says(sent(await olga.send("/note hello"))[0], "Open a record first (/leads or /find), then send the note.")
    assert len(await one(db, Activity)) == 2
    assert alert(await olga.press(f"1nk:{note.id}:birthday")) == msg(STALE)


async def test_park_with_plain_words_confirmed_before_saving(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Europe/Zagreb")
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    await olga.press(f"1rec:{lead.id}")
    [reasons] = sent(await olga.press(f"1pk:{lead.id}"), "editMessageText")
    assert says(reasons, "Why is it parked?")
    [ask] = sent(await olga.tap(reasons, msg("No budget now")), "editMessageText")
    until_when = msg("Until when? For example: next Tuesday 10am, in two weeks, end of month, Q2.")
    assert ask.text == until_when
    assert sent(await olga.send("when pigs fly"))[0].text == msg("I could not read that as a date. ") + until_when
    assert sent(await olga.send("1 january 2020"))[0].text == msg("That is in the past. ") + until_when
    [confirm] = sent(await olga.send("in two weeks"))
    assert says(confirm, "Park until {date}?")
    assert await one(db, Reminder) == []  # nothing saved before the rep confirms
    calls = await olga.tap(confirm, "Park until then")
    assert says(sent(calls, "editMessageText")[0], "Parked until {date}. I will remind you then.")
    [lead] = await one(db, Lead)
    [reminder] = await one(db, Reminder)
    assert lead.parked and lead.park_reason.value == "no_budget"
    expected = datetime.now(UTC) + timedelta(days=14)
    assert abs((lead.parked_until - expected).days) <= 1 and reminder.due_at == lead.parked_until
    assert reminder.status is ReminderStatus.PENDING and reminder.owner_id == lead.owner_id
    again = await olga.tap(confirm, "Park until then")  # a double tap does not park twice
    assert alert(again) == msg("Already parked until then.")
    assert len(await one(db, Reminder)) == 1
    [listing] = sent(await olga.send("/leads"))
    assert says(listing, " (parked until {date})")
    # parking is over: text is a note on the record again
    assert says(sent(await olga.send("call in two weeks"))[0], NOTE_SAVED)


async def test_park_dates_out_of_bounds_or_with_two_readings(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Europe/Zagreb")
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    await olga.press(f"1rec:{lead.id}")
    [reasons] = sent(await olga.press(f"1pk:{lead.id}"), "editMessageText")
    await olga.tap(reasons, msg("No budget now"))
    [far] = sent(await olga.send("31.12.9999"))
    assert says(far, "That is more than ten years ahead. Please pick a nearer date.")
    [both] = sent(await olga.send("5.11"))  # 5 November, or 5:11 (today or tomorrow)?
    assert says(both, "That can be read two ways. Which one do you mean?")
    picks = [b for b in both.buttons if b["callback_data"].startswith("1py:")]
    assert len(picks) == 2
    await olga.press(picks[0]["callback_data"])
    [lead] = await one(db, Lead)
    assert lead.parked and await one(db, Reminder)
    # A forged button far ahead is refused like any stale one.
    far_stamp = int(datetime(2099, 1, 1, tzinfo=UTC).timestamp())
    assert alert(await olga.press(f"1py:{lead.id}:other:{far_stamp}")) == msg(STALE)


async def test_a_record_parked_far_ahead_opens_for_a_member_east_of_utc(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Asia/Tokyo")
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Lead).where(Lead.id == lead.id))).one()
        row.parked, row.parked_until = True, datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
        s.add(row)
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert "9999" in card.text


async def test_a_card_pasted_after_parking_starts_a_new_capture(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Europe/Zagreb")
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    await olga.press(f"1rec:{lead.id}")
    [reasons] = sent(await olga.press(f"1pk:{lead.id}"), "editMessageText")
    await olga.tap(reasons, msg("No budget now"))
    [confirm] = sent(await olga.send("in two weeks"))
    await olga.tap(confirm, "Park until then")
    calls = await olga.send("Petra Novak\nSales Director\nNovak d.o.o.\npetra@novak.hr\n+385 91 555 1234")
    texts = [c.text for c in sent(calls)]
    assert any(
        t
        == msg(
            "That looks like a business card, so I read it as a new card, not as a note. "
            "To keep it as a note instead, send /note and the text."
        )
        for t in texts
    )
    assert any("Petra" in t for t in texts)
    assert await one(db, Activity) == [] or all("petra@novak.hr" not in a.text for a in await one(db, Activity))


async def test_parking_asks_for_a_time_zone_first(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    calls = await olga.press(f"1pr:{lead.id}:not_ready")
    assert says(sent(calls)[0], "Before I set a reminder: which time zone are you in? Then try again.")
    assert len([c for c in calls if c.method == "answerCallbackQuery"]) == 1


async def test_another_team_cannot_park_or_note_by_forged_buttons(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    other = await make_team(db, "B", 300)
    intruder = tg.person(other["rep1"].telegram_user_id, "Eve")
    later = int(datetime.now(UTC).timestamp()) + 9999
    for data in (f"1pr:{lead.id}:other", f"1py:{lead.id}:other:{later}", f"1bday:{lead.id}", f"1qs:{lead.id}"):
        calls = await intruder.press(data)
        assert alert(calls) == msg(HIDDEN) and sent(calls) == []
    assert says(sent(await intruder.send(f"/start r-{lead.code}"))[0], HIDDEN)
    for data in (f"1py:{lead.id}:moon:{later}", f"1py:{lead.id}:other:99999999999999999", f"1pr:{lead.id}:x"):
        assert alert(await intruder.press(data)) == msg(STALE)
    [lead] = await one(db, Lead)
    assert not lead.parked and await one(db, Reminder) == []


async def test_a_record_link_opens_the_record(tg, db):
    team = await make_team(db, "T", 350)
    ana = await add_lead(db, team["rep1"], "Ana")
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    [card] = sent(await rep.send(f"/start r-{ana.code}"))
    assert card.text.startswith(msg("<b>{name}</b>", name="Ana"))
    assert says(card, "Anything you type now is saved as a note on this record. /cancel closes it.")
    assert says(sent(await rep.send("met at the fair"))[0], NOTE_SAVED)
    assert says(sent(await rep.send("/start r-"))[0], HIDDEN)
    assert says(sent(await rep.send("/start r-nosuchcode"))[0], HIDDEN)


async def test_birthday_with_or_without_year(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    await olga.press(f"1rec:{lead.id}")
    [ask] = sent(await olga.press(f"1bday:{lead.id}"))
    assert says(ask, "Their birthday? e.g. 12.5.1980, or 12.5. when you do not know the year.")
    refusal = "I could not read that as a birthday. Type it as day.month.year, e.g. 12.5.1980."
    assert says(sent(await olga.send("sometime in spring"))[0], refusal)
    assert says(sent(await olga.send("12.5."))[0], "Birthday saved: {date}.", date="May 12")
    [lead] = await one(db, Lead)
    assert (lead.birthday.month, lead.birthday.day) == (5, 12)
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert says(card, "Birthday: {date}", date="May 12")
    # the birthday is saved: text is a note again
    assert says(sent(await olga.send("likes sailing"))[0], NOTE_SAVED)


async def test_a_manager_browses_the_team_a_rep_only_their_own(tg, db):
    team = await make_team(db, "T", 800)
    for key, name in (("rep1", "Alpha One"), ("rep2", "Beta Two")):
        await saved_lead(tg.person(team[key].telegram_user_id, key), f"{name}\n{name.split()[0].lower()}@x{key}.hr")
    [mine] = sent(await tg.person(team["rep1"].telegram_user_id, "r").send("/leads"))
    assert "Alpha One" in mine.text and "Beta Two" not in mine.text
    [all_of_them] = sent(await tg.person(team["manager"].telegram_user_id, "m").send("/leads"))
    assert "Alpha One" in all_of_them.text and "Beta Two" in all_of_them.text


async def test_leads_by_value_most_valuable_first(tg, db):
    olga = await owner(tg)
    async with db.begin(Scope.system()) as s:
        me = (await s.exec(select(Member))).one()
        for name, extra in (
            ("Small", {"stage": Stage.OPPORTUNITY, "deal_amount": Decimal(1000), "probability": 10}),  # 100
            ("Big", {"stage": Stage.OPPORTUNITY, "deal_amount": Decimal(1000), "probability": 90}),  # 900
            ("Guess", {"stage": Stage.PROSPECT, "estimated_value": Decimal(2500)}),  # 2500 × 20% = 500
            ("Nothing", {"stage": Stage.LEAD}),
            ("Won", {"stage": Stage.CUSTOMER, "deal_amount": Decimal(99999), "probability": 100}),  # closed: last
        ):
            s.add(Lead(team_id=me.team_id, owner_id=me.id, code=f"v{name}", first_name=name, currency="EUR", **extra))
    [listing] = sent(await olga.send("/leads"))
    calls = await olga.tap(listing, msg("💰 Most valuable first"))
    [by_value] = sent(calls, "editMessageText")
    names = [b["text"] for b in by_value.buttons[:5]]
    assert [n.split()[0] for n in names] == ["Big", "Guess", "Small", "Nothing", "Won"]
    assert by_value.buttons[-1]["text"] == msg("Order by stage")
    [again] = sent(await olga.tap(by_value, msg("Order by stage")), "editMessageText")
    assert again.buttons[-1]["text"] == msg("💰 Most valuable first")
