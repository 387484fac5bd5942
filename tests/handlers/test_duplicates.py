"""The duplicate warning across reps: a rep who types only the e-mail or phone of a colleague's
record is told which colleague has the contact, never the contact's name or company, and gets no
Merge; whoever can see the record (its owner, a manager) still gets the merge offer."""

from __future__ import annotations

import pytest

from bot.db import Scope
from bot.domain.cards import Card
from bot.services import capture, leads
from models.base import utcnow
from tests.support import add_lead, alert, all_leads, make_team, msg, says, sent
from tests.telegram_fake import Call, FakeTelegram

DUPLICATE = "⚠️ Already in your team: <b>{name}</b> ({company}). Merge the new details into it, or save a new record?"
COLLEAGUE = (
    "⚠️ A colleague, <b>{colleague}</b>, already has this contact. "
    "You can still save it as your own record; better ask them first."
)
MERGE = "Merge into the existing record"


def message_id(tg: FakeTelegram, call: Call) -> int:
    """The id of the message `call` sent or edited (the recorder numbers new ones from 1000)."""
    if call.params.get("message_id"):
        return int(call.params["message_id"])
    new = [
        c
        for c in tg.request.calls
        if c.method in ("sendMessage", "sendPhoto", "sendDocument")
        or (c.method.startswith("edit") and not c.params.get("message_id"))
    ]
    return 1000 + next(i for i, c in enumerate(new) if c is call)


def labels(call: Call) -> list[str]:
    return [b["text"] for b in call.buttons]


async def test_a_rep_typing_a_colleagues_email_is_told_who_has_it_and_nothing_else(tg, db):
    people = await make_team(db, "Adria", 8100)
    rita, rob = people["rep1"], people["rep2"]
    await add_lead(db, rita, "Ana")  # Ana, Acme d.o.o., ana@acme.hr: Rita's
    rob_chat = tg.person(rob.telegram_user_id, "Rob")
    [preview] = sent(await rob_chat.send("ana@acme.hr"))  # only the e-mail
    assert says(preview, COLLEAGUE, colleague=rita.display_name)
    assert "Acme" not in preview.text and "Ana" not in preview.text and not says(preview, DUPLICATE)
    assert msg(MERGE) not in labels(preview)  # no merge into a record he cannot see
    # A forged Merge tap on that preview: refused, nothing saved or merged.
    forged = preview.button("Save")["callback_data"].replace(":save", ":merge")
    refused = await rob_chat.press(forged, message_id=message_id(tg, preview))
    assert alert(refused) == msg("That record is not available to you.")
    assert len(await all_leads(db)) == 1
    # Saving it as his own record stays possible.
    await rob_chat.press(preview.button("Save")["callback_data"], message_id=message_id(tg, preview))
    assert sorted(lead.owner_id for lead in await all_leads(db)) == sorted([rita.id, rob.id])


async def test_a_phone_only_match_names_the_colleague_too(tg, db):
    people = await make_team(db, "Adria", 8200)
    rita, rob = people["rep1"], people["rep2"]
    async with db.begin(Scope.of(rita)) as s:
        await leads.create_lead(
            s, rita, now=utcnow(), first_name="Ivo", company="Secret d.o.o.", phones=["+385912345678"]
        )
    [preview] = sent(await tg.person(rob.telegram_user_id, "Rob").send("Tel: +385 91 234 5678"))
    assert says(preview, COLLEAGUE, colleague=rita.display_name)
    assert "Ivo" not in preview.text and "Secret" not in preview.text


async def test_the_owner_and_a_manager_still_get_the_merge_offer(tg, db):
    people = await make_team(db, "Adria", 8300)
    rita, boss = people["rep1"], people["manager"]
    await add_lead(db, rita, "Ana")
    [own] = sent(await tg.person(rita.telegram_user_id, "Rita").send("ana@acme.hr"))
    assert says(own, DUPLICATE, name="Ana", company="Acme d.o.o.") and msg(MERGE) in labels(own)
    boss_chat = tg.person(boss.telegram_user_id, "Maja")
    [managers] = sent(await boss_chat.send("ana@acme.hr"))
    assert says(managers, DUPLICATE, name="Ana", company="Acme d.o.o.") and msg(MERGE) in labels(managers)
    await boss_chat.press(managers.button(msg(MERGE))["callback_data"], message_id=message_id(tg, managers))
    [lead] = await all_leads(db)
    assert lead.owner_id == rita.id


@pytest.mark.parametrize("role", ["rep2", "manager"])
async def test_the_service_tells_only_what_the_member_may_see(db, role):
    people = await make_team(db, "Adria", 8400 if role == "rep2" else 8500)
    await add_lead(db, people["rep1"], "Ana")
    member = people[role]
    async with db.read(capture.team_wide(member)) as s:
        found = await capture.duplicate_for(s, member, Card(emails=["ana@acme.hr"]))
    assert found is not None
    if role == "rep2":
        assert (found.mergeable, found.name, found.company, found.merge_id) == (False, None, None, None)
        assert found.colleague == people["rep1"].display_name
    else:
        assert found.mergeable and (found.name, found.company) == ("Ana", "Acme d.o.o.") and found.merge_id
