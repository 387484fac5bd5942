"""Browsing records, notes while a record is open, and parking with a date in plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.db import Scope
from models import Activity, ActivityKind, Lead, Reminder, ReminderStatus
from tests.support import ANA, owner, sent


async def saved_lead(person, text=ANA) -> None:
    [preview] = sent(await person.send(text))
    await person.tap(preview, "Save")
    await person.send("/cancel")


async def one(db, model):
    async with db.begin(Scope.system()) as s:
        return (await s.exec(select(model))).all()


async def test_leads_lists_by_stage_and_pages(tg):
    olga = await owner(tg)
    assert "No records yet" in sent(await olga.send("/leads"))[0].text
    for i in range(10):
        await saved_lead(olga, f"Person{i} Test{i}\nCompany{i} d.o.o.\np{i}@firm{i}.hr")
    [listing] = sent(await olga.send("/leads"))
    assert "<b>10 records</b>" in listing.text and "lead: 10" in listing.text
    assert len(listing.buttons) == 8 + 1  # a page of records and "Next »"
    calls = await olga.tap(listing, "Next")
    [page2] = sent(calls, "editMessageText")
    assert "« Previous" in [b["text"] for b in page2.buttons]


async def test_find_is_accent_insensitive(tg):
    olga = await owner(tg)
    await saved_lead(olga)
    [found] = sent(await olga.send("/find kovacevic adria"))
    assert "Found 1 record" in found.text and "Ana Kovačević" in found.buttons[0]["text"]
    assert "Nothing found" in sent(await olga.send("/find nobody"))[0].text
    assert "Send /find and" in sent(await olga.send("/find"))[0].text


async def test_notes_while_a_record_is_open_and_marking_an_objection(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert "Anything you type now is saved as a note" in card.text
    [saved] = sent(await olga.send("Too expensive compared to the competition"))
    assert "Note saved on Ana Kovačević" in saved.text
    await olga.tap(saved, "Objection")
    [note] = await one(db, Activity)
    assert note.kind is ActivityKind.OBJECTION and note.text.startswith("Too expensive")
    await olga.send("/note asked about delivery times")
    assert len(await one(db, Activity)) == 2
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert "Objection: Too expensive" in card.text and "asked about delivery" in card.text
    await olga.send("/cancel")
    assert "Open a record first" in sent(await olga.send("/note hello"))[0].text


async def test_park_with_plain_words_confirmed_before_saving(tg, db):
    olga = await owner(tg)
    await olga.press("1tz:set:Europe/Zagreb")
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    await olga.press(f"1rec:{lead.id}")
    [reasons] = sent(await olga.press(f"1pk:{lead.id}"), "editMessageText")
    await olga.tap(reasons, "No budget now")
    assert "I could not read that as a date" in sent(await olga.send("when pigs fly"))[0].text
    assert "in the past" in sent(await olga.send("1 january 2020"))[0].text
    [confirm] = sent(await olga.send("in two weeks"))
    assert confirm.text.startswith("Park until")
    assert await one(db, Reminder) == []  # nothing saved before the rep confirms
    calls = await olga.tap(confirm, "Park until then")
    assert "I will remind you then" in sent(calls, "editMessageText")[0].text
    [lead] = await one(db, Lead)
    [reminder] = await one(db, Reminder)
    assert lead.parked and lead.park_reason.value == "no_budget"
    expected = datetime.now(UTC) + timedelta(days=14)
    assert abs((lead.parked_until - expected).days) <= 1 and reminder.due_at == lead.parked_until
    assert reminder.status is ReminderStatus.PENDING and reminder.owner_id == lead.owner_id
    again = await olga.tap(confirm, "Park until then")  # a double tap does not park twice
    assert "Already parked" in [c for c in again if c.method == "answerCallbackQuery"][0].params["text"]
    assert len(await one(db, Reminder)) == 1
    [listing] = sent(await olga.send("/leads"))
    assert "parked until" in listing.text


async def test_another_team_cannot_park_or_note_by_forged_buttons(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    from tests.support import make_team

    other = await make_team(db, "B", 300)
    intruder = tg.person(other["rep1"].telegram_user_id, "Eve")
    for data in (f"1pr:{lead.id}:other", f"1py:{lead.id}:other:{int(datetime.now(UTC).timestamp()) + 9999}"):
        calls = await intruder.press(data)
        assert "not available to you" in [c for c in calls if c.method == "answerCallbackQuery"][0].params["text"]
    assert "not available" in sent(await intruder.send(f"/start r-{lead.code}"))[0].text
    [lead] = await one(db, Lead)
    assert not lead.parked and await one(db, Reminder) == []


async def test_birthday_with_or_without_year(tg, db):
    olga = await owner(tg)
    await saved_lead(olga)
    [lead] = await one(db, Lead)
    await olga.press(f"1rec:{lead.id}")
    await olga.press(f"1bday:{lead.id}")
    assert "could not read that as a birthday" in sent(await olga.send("sometime in spring"))[0].text
    assert "Birthday saved: May 12" in sent(await olga.send("12.5."))[0].text
    [lead] = await one(db, Lead)
    assert (lead.birthday.month, lead.birthday.day) == (5, 12)
    [card] = sent(await olga.press(f"1rec:{lead.id}"), "editMessageText")
    assert "Birthday: May 12" in card.text


async def test_a_manager_browses_the_team_a_rep_only_their_own(tg, db):
    from tests.support import make_team

    team = await make_team(db, "T", 800)
    for key, name in (("rep1", "Alpha One"), ("rep2", "Beta Two")):
        await saved_lead(tg.person(team[key].telegram_user_id, key), f"{name}\n{name.split()[0].lower()}@x{key}.hr")
    [mine] = sent(await tg.person(team["rep1"].telegram_user_id, "r").send("/leads"))
    assert "Alpha One" in mine.text and "Beta Two" not in mine.text
    [all_of_them] = sent(await tg.person(team["manager"].telegram_user_id, "m").send("/leads"))
    assert "Alpha One" in all_of_them.text and "Beta Two" in all_of_them.text
