"""Team and owner boundaries: in the session rules, and through buttons with forged ids."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.services import leads
from models import Activity, Lead, Member, Stage, StageChange
from models.errors import AccessDenied
from tests.support import add_lead, make_team, msg, says


@pytest.fixture
async def two_teams(db):
    a = await make_team(db, "A", 100)
    b = await make_team(db, "B", 200)
    return a, b


async def visible_names(db, member: Member) -> set[str]:
    async with db.begin(Scope.of(member)) as s:
        return {lead.first_name for lead in (await s.exec(select(Lead))).all()}


async def test_reps_see_their_own_managers_see_the_team_nobody_sees_another_team(db, two_teams):
    a, b = two_teams
    await add_lead(db, a["rep1"], "Ana")
    await add_lead(db, a["rep2"], "Ivo")
    await add_lead(db, b["rep1"], "Zoe")
    assert await visible_names(db, a["rep1"]) == {"Ana"}
    assert await visible_names(db, a["rep2"]) == {"Ivo"}
    assert await visible_names(db, a["manager"]) == {"Ana", "Ivo"}
    assert await visible_names(db, a["owner"]) == {"Ana", "Ivo"}
    assert await visible_names(db, b["manager"]) == {"Zoe"}


async def test_history_and_notes_follow_the_lead_rules(db, two_teams):
    a, _ = two_teams
    ana = await add_lead(db, a["rep1"], "Ana")
    async with db.begin(Scope.of(a["rep1"])) as s:
        s.add(Activity(team_id=ana.team_id, lead_id=ana.id, member_id=a["rep1"].id, text="likes golf"))
    async with db.begin(Scope.of(a["rep2"])) as s:
        assert (await s.exec(select(Activity))).all() == []
        assert (await s.exec(select(StageChange))).all() == []
    async with db.begin(Scope.of(a["manager"])) as s:
        assert len((await s.exec(select(Activity))).all()) == 1
        assert len((await s.exec(select(StageChange))).all()) == 1


async def test_forged_ids_are_refused_for_reads_and_writes(db, two_teams):
    a, b = two_teams
    ana = await add_lead(db, a["rep1"], "Ana")
    for intruder in (b["owner"], b["rep1"], a["rep2"]):
        async with db.begin(Scope.of(intruder)) as s:
            with pytest.raises(AccessDenied):
                await leads.get_visible(s, ana.id)
    # Writing a row into another team fails at flush, whatever the handler did.
    with pytest.raises(AccessDenied):
        async with db.begin(Scope.of(b["owner"])) as s:
            s.add(Activity(team_id=ana.team_id, lead_id=ana.id, member_id=b["owner"].id, text="mine now"))
    # A bulk UPDATE through the ORM is confined too.
    from sqlalchemy import update

    async with db.begin(Scope.of(b["owner"])) as s:
        result = await s.exec(update(Lead).where(Lead.id == ana.id).values(stage=Stage.LOST))
        assert result.rowcount == 0
    async with db.begin(Scope.of(a["rep1"])) as s:
        assert (await leads.get_visible(s, ana.id)).stage is Stage.LEAD


async def test_a_session_without_a_scope_refuses_to_query(db):
    async with db._sessions() as s:
        with pytest.raises(RuntimeError, match="without an access scope"):
            await s.exec(select(Lead))


async def test_forged_record_button_from_another_team_gets_a_refusal(tg, db, two_teams):
    a, b = two_teams
    ana = await add_lead(db, a["rep1"], "Ana")
    intruder = tg.person(b["rep1"].telegram_user_id, "Bob")
    calls = await intruder.press(f"1rec:{ana.id}")
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answer.params["text"] == msg("That record is not available to you.") and answer.params["show_alert"]
    assert not [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    owner = tg.person(a["rep1"].telegram_user_id, "Rita")
    calls = await owner.press(f"1rec:{ana.id}")
    [card] = [c for c in calls if c.method == "editMessageText"]
    assert "Ana" in card.text and "ana@acme.hr" in card.text


async def test_forged_record_link_from_another_team_gets_a_refusal(tg, db, two_teams):
    a, b = two_teams
    ana = await add_lead(db, a["rep1"], "Ana")
    calls = await tg.person(b["manager"].telegram_user_id, "Max").send(f"/start r-{ana.code}")
    assert calls[-1].text == msg("That record is not available to you.")
    calls = await tg.person(a["manager"].telegram_user_id, "Mia").send(f"/start r-{ana.code}")
    assert calls[-1].text.startswith(msg("<b>{name}</b>", name="Ana")) and "ana@acme.hr" in calls[-1].text
    # the link opened the record: what the manager types next is a note on it
    calls = await tg.person(a["manager"].telegram_user_id, "Mia").send("asked for a demo")
    assert says(calls[-1], "Note saved on {name}. Was it an objection or a question?", name="Ana · Acme d.o.o.")
