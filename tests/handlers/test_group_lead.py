"""/lead in a team's group: a reply makes the person a message is about a lead of the one who
asked; the group hears only that it was done, the details go to the member in private."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import WriteWatch, all_leads, make_team, msg, says, sent
from tests.telegram_fake import Call, Person

GROUP = -100555
MARKO = {"id": 4242, "is_bot": False, "first_name": "Marko", "last_name": "Jurić", "username": "markoj"}
DONE = "✅ Done. The details are in our private chat."
COLLEAGUE = "A colleague, <b>{colleague}</b>, already has this contact, so nothing was added."
HOW = "Reply to a message with /lead to make its sender, or the contact it shares, your lead."


@pytest.fixture(autouse=True)
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


async def lead_reply(person: Person, replied: dict[str, Any] | None, group: int = GROUP) -> list[Call]:
    chat = {"id": group, "type": "supergroup", "title": "Sales floor"}
    fields: dict[str, Any] = {
        "text": "/lead",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        "chat": chat,
    }
    if replied is not None:
        fields["reply_to_message"] = {"message_id": 900, "date": 1, "chat": chat, **replied}
    return await person.send_message(**fields)


async def test_a_rep_makes_a_group_members_sender_a_lead_and_the_group_sees_only_done(tg, db):
    team = await make_team(db, "Acme", 9500)
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    await boss.send_message(
        text="/link", entities=[{"type": "bot_command", "offset": 0, "length": 5}],
        chat={"id": GROUP, "type": "supergroup", "title": "Sales floor"},
    )  # fmt: skip
    rita = tg.person(team["rep1"].telegram_user_id, "Rita")
    calls = await lead_reply(rita, {"from": MARKO, "text": "Interested in your offer"})
    in_group = [c for c in sent(calls) if c.params["chat_id"] == GROUP]
    private = [c for c in sent(calls) if c.params["chat_id"] == rita.id]
    assert [c.text for c in in_group] == [msg(DONE)] and "Marko" not in in_group[0].text
    assert len(private) == 1 and "Marko Jurić" in private[0].text and "Sales floor" in private[0].text
    [lead] = await all_leads(db)
    assert (lead.owner_id, lead.telegram_id, lead.telegram_username) == (team["rep1"].id, 4242, "markoj")

    # Again, by her colleague: nothing is added, the group hears the same, he hears who has it.
    rob = tg.person(team["rep2"].telegram_user_id, "Rob")
    calls = await lead_reply(rob, {"from": MARKO, "text": "Still interested"})
    assert [c.text for c in sent(calls) if c.params["chat_id"] == GROUP] == [msg(DONE)]
    [told] = [c for c in sent(calls) if c.params["chat_id"] == rob.id]
    assert says(told, COLLEAGUE, colleague="Rita")
    assert len(await all_leads(db)) == 1

    # Without a message to reply to, or replying to a bot: how to use it.
    [how] = sent(await lead_reply(rita, None))
    assert says(how, HOW)
    [how] = sent(await lead_reply(rita, {"from": {"id": 1, "is_bot": True, "first_name": "B"}, "text": "x"}))
    assert says(how, HOW)


async def test_lead_in_a_group_that_is_not_the_teams_is_refused(tg, db):
    team = await make_team(db, "Acme", 9600)
    rita = tg.person(team["rep1"].telegram_user_id, "Rita")
    [refusal] = sent(await lead_reply(rita, {"from": MARKO, "text": "hi"}, group=-100556))
    assert refusal.text == msg("This group is not linked to a team. A manager of the team links it with /link.")
    assert await all_leads(db) == []
