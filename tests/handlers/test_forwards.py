"""Forwarded messages and Telegram accounts through the real handlers: a new lead from an unknown
sender (with their account), one note from a batch of a known record's messages, the privacy cases,
and a shared contact recognised by its Telegram account."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.db import Scope
from models import Activity, ActivityKind, ContactKind, ContactPoint
from tests.support import UnitOfWork, all_leads, catalogue, owner, says, sent
from tests.telegram_fake import Person

DUPLICATE = "⚠️ Already in your team: <b>{name}</b> ({company}). Merge the new details into it, or save a new record?"
NAME_ONLY = (
    "Telegram shows only this sender's name: their account is hidden by their privacy settings. "
    "Which company are they from? Type it, or tap Save."
)
ONE = "This message is from <b>{name}</b>, already one of your records. Add it as a note?"
CHANNEL = (
    "That is a post of the channel {name}, not a message from a person. Forward a message your "
    "contact wrote, or send their card."
)
MARKO = {"id": 4242, "is_bot": False, "first_name": "Marko", "last_name": "Jurić", "username": "markoj"}


@pytest.fixture(autouse=True)
def unit_of_work(tg):
    watch = UnitOfWork(tg, ("handlers.capture", "handlers.card_flow", "handlers.records"))
    yield watch
    watch.restore()
    watch.check()


async def forward(person: Person, text: str, origin: dict[str, Any], date: int | None = None) -> list[Any]:
    fields: dict[str, Any] = {"text": text, "forward_origin": {"date": 1_700_000_000, **origin}}
    if date is not None:
        fields["date"] = date
    return await person.send_message(**fields)


def from_user(user: dict[str, Any]) -> dict[str, Any]:
    return {"type": "user", "sender_user": user}


async def test_a_forward_from_an_unknown_sender_becomes_a_lead_with_their_account(tg, db):
    olga = await owner(tg)
    [preview] = sent(await forward(olga, "Hi, can you send the price list?", from_user(MARKO)))
    assert "Marko Jurić" in preview.text and "@markoj (id 4242)" in preview.text
    await olga.tap(preview, "Save")
    [lead] = await all_leads(db)
    assert (lead.full_name, lead.telegram_id, lead.telegram_username) == ("Marko Jurić", 4242, "markoj")
    async with db.read(Scope.system()) as s:  # what they wrote is the record's first note
        assert [n.text for n in (await s.exec(select(Activity).order_by(Activity.id))).all()] == [
            "Hi, can you send the price list?"
        ]
    async with db.read(Scope.system()) as s:
        points = {(p.kind, p.value) for p in (await s.exec(select(ContactPoint))).all()}
    assert points == {(ContactKind.TELEGRAM, "4242"), (ContactKind.TELEGRAM_USERNAME, "markoj")}
    # The record's card links to the chat with the contact.
    [card] = sent(await olga.send(f"/start r-{lead.code}"))
    assert '@markoj – <a href="https://t.me/markoj">Open chat</a>' in card.text


async def test_a_batch_of_forwards_from_a_known_record_becomes_one_note(tg, db):
    olga = await owner(tg)
    [preview] = sent(await forward(olga, "Hello", from_user(MARKO)))
    await olga.tap(preview, "Save")
    now = 1_800_000_000
    [offer] = sent(await forward(olga, "We liked the demo.", from_user(MARKO), date=now))
    assert says(offer, ONE, name="Marko Jurić")
    second = await forward(olga, "But the price is too high.", from_user(MARKO), date=now + 1)
    third = await forward(olga, "Can you do 10% less?", from_user(MARKO), date=now + 1)
    assert sent(second) == [] and sent(third) == []  # one answer: the offer is edited
    [edited] = [c for c in third if c.method == "editMessageText"]
    assert "These 3 messages" in edited.text
    calls = await olga.press(edited.button("Add as a note")["callback_data"])
    [saved] = [c for c in calls if c.method == "editMessageText"]
    assert "Objection" in [b["text"] for b in saved.buttons]
    async with db.read(Scope.system()) as s:
        notes = (await s.exec(select(Activity).where(Activity.kind == ActivityKind.NOTE).order_by(Activity.id))).all()
    assert [n.text for n in notes] == [
        "Hello",
        "We liked the demo.\n\nBut the price is too high.\n\nCan you do 10% less?",
    ]
    # A later forward is a new batch, answered again.
    [again] = sent(await forward(olga, "Any news?", from_user(MARKO), date=now + 30))
    assert "already one of your records" in again.text


async def test_a_hidden_sender_gives_a_name_only_and_the_company_is_asked(tg, db):
    olga = await owner(tg)
    [preview] = sent(await forward(olga, "Hello!", {"type": "hidden_user", "sender_user_name": "Petra Novak"}))
    t = catalogue()
    assert "Petra Novak" in preview.text and t(NAME_ONLY) in preview.text
    [again] = sent(await olga.send("Moravia Stavby"))  # the preview again, with the company
    assert "Moravia Stavby" in again.text and t("Telegram shows only") not in again.text
    await olga.tap(again, "Save")
    [lead] = await all_leads(db)
    assert (lead.full_name, lead.company, lead.telegram_id) == ("Petra Novak", "Moravia Stavby", None)


async def test_a_channel_post_is_not_a_lead(tg, db):
    olga = await owner(tg)
    origin = {"type": "channel", "message_id": 3, "chat": {"id": -1001, "type": "channel", "title": "Solar News"}}
    [answer] = sent(await forward(olga, "New panels!", origin))
    assert says(answer, CHANNEL, name="Solar News")
    assert await all_leads(db) == []


async def test_a_shared_contact_with_a_known_telegram_account_is_a_duplicate(tg):
    olga = await owner(tg)
    [preview] = sent(await forward(olga, "Hello", from_user(MARKO)))
    await olga.tap(preview, "Save")
    # The same person shared from the phone book, under another name and with a phone number.
    calls = await olga.send_message(contact={"phone_number": "385911111111", "first_name": "M.", "user_id": 4242})
    [again] = sent(calls)
    assert says(again, DUPLICATE, name="Marko Jurić", company="–")


async def test_a_forwarded_photo_goes_through_the_card_reader(tg):
    olga = await owner(tg)
    tg.request.files["fwdphoto"] = b"not really a picture"
    photo = [{"file_id": "fwdphoto", "file_unique_id": "u", "width": 1280, "height": 960, "file_size": 20}]
    calls = await olga.send_message(photo=photo, forward_origin={"type": "user", "date": 1, "sender_user": MARKO})
    [reading] = sent(calls)
    assert says(reading, "Reading the card…")  # the card reader, not a lead made of the sender
    assert not [c for c in calls if "Marko" in c.text]


async def test_a_batch_from_an_unknown_sender_gets_one_preview_and_becomes_the_first_note(tg, db):
    olga = await owner(tg)
    now = 1_800_000_000
    [preview] = sent(await forward(olga, "Hello,", from_user(MARKO), date=now))
    for i, text in enumerate(("we met at the fair.", "Call me next week?"), start=1):
        assert sent(await forward(olga, text, from_user(MARKO), date=now + i)) == []  # no second preview
    await olga.tap(preview, "Save")
    [lead] = await all_leads(db)
    async with db.read(Scope.system()) as s:
        notes = (await s.exec(select(Activity).where(Activity.lead_id == lead.id))).all()
    assert [n.text for n in notes] == ["Hello,\n\nwe met at the fair.\n\nCall me next week?"]
