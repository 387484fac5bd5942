"""The services of records, moves, parking and qualification, called directly (no Telegram): every
rule holds where the change is written, whoever calls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.flows import RecordFlow
from bot.services import flows, leads, moves, qualification
from models import Activity, Lead, Member, ParkReason, Reminder, Stage, StageChange, Team
from models.base import utcnow
from models.errors import AccessDenied, DomainError, FunnelError
from tests.support import add_lead, make_team


@pytest.fixture
async def team(db) -> dict[str, Member]:
    return await make_team(db, "T", 1200)


async def move(db, member: Member, lead: Lead, to_stage: Stage, **kwargs) -> moves.Moved:
    kwargs.setdefault("seen", lead.stage)
    async with db.begin(Scope.of(member)) as s:
        return await moves.move(s, lead.id, to_stage, by=member, now=utcnow(), **kwargs)


async def stored(db, lead: Lead) -> Lead:
    async with db.read(Scope.system()) as s:
        return (await s.exec(select(Lead).where(Lead.id == lead.id))).one()


async def history(db, lead: Lead) -> list[StageChange]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(StageChange).where(StageChange.lead_id == lead.id))).all())


async def set_score(db, lead: Lead, score: int | None) -> None:
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Lead).where(Lead.id == lead.id))).one()
        row.score = score
        s.add(row)


async def test_a_rep_cannot_move_an_unqualified_lead_to_prospect(db, team):
    rep = team["rep1"]
    lead = await add_lead(db, rep, "Ana")
    with pytest.raises(FunnelError, match="Qualification has not passed yet") as refused:
        await move(db, rep, lead, Stage.PROSPECT, reason="I know them")
    assert refused.value.params == {"score": "–", "mark": 60}
    await set_score(db, lead, 55)
    with pytest.raises(FunnelError, match="Qualification has not passed yet"):
        await move(db, rep, lead, Stage.PROSPECT)
    assert (await stored(db, lead)).stage is Stage.LEAD and len(await history(db, lead)) == 1
    await set_score(db, lead, 60)  # the pass mark is enough
    moved = await move(db, rep, lead, Stage.PROSPECT)
    assert moved.lead.stage is Stage.PROSPECT and (await stored(db, lead)).stage is Stage.PROSPECT


async def test_the_team_pass_mark_decides(db, team):
    rep = team["rep1"]
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Team).where(Team.id == rep.team_id))).one()
        row.settings = {"qualification": {"pass_mark": 80}}
        s.add(row)
    lead = await add_lead(db, rep, "Ana")
    await set_score(db, lead, 75)
    with pytest.raises(FunnelError) as refused:
        await move(db, rep, lead, Stage.PROSPECT)
    assert refused.value.params == {"score": 75, "mark": 80}
    async with db.read(Scope.of(rep)) as s:
        assert (await qualification.settings_for(s, rep.team_id)).pass_mark == 80


async def test_a_manager_overrides_with_a_reason_only(db, team):
    manager = team["manager"]
    lead = await add_lead(db, team["rep1"], "Ana")
    with pytest.raises(FunnelError, match="needs a reason"):
        await move(db, manager, lead, Stage.PROSPECT)
    with pytest.raises(FunnelError, match="needs a reason"):
        await move(db, manager, lead, Stage.PROSPECT, reason="   ")
    moved = await move(db, manager, lead, Stage.PROSPECT, reason="known buyer")
    assert moved.change.reason == "known buyer" and moved.change.member_id == manager.id


async def test_a_record_that_moved_since_refuses_and_nothing_moves_twice(db, team):
    manager = team["manager"]
    lead = await add_lead(db, manager, "Ana")
    await move(db, manager, lead, Stage.LOST, lost_reason="timing")
    with pytest.raises(FunnelError, match="moved since"):
        await move(db, manager, lead, Stage.LOST, seen=Stage.LEAD, lost_reason="timing")
    with pytest.raises(FunnelError, match="moved since"):
        await move(db, manager, lead, Stage.PROSPECT, seen=Stage.LEAD, reason="x")
    assert [c.to_stage for c in await history(db, lead)] == [Stage.LEAD, Stage.LOST]


async def test_lost_keeps_the_code_and_the_note(db, team):
    rep = team["rep1"]
    lead = await add_lead(db, rep, "Ana")
    with pytest.raises(FunnelError, match="needs a reason"):
        await move(db, rep, lead, Stage.LOST, reason="too expensive")  # words are the note, not the reason
    await move(db, rep, lead, Stage.LOST, lost_reason="price", reason="too expensive")
    row = await stored(db, lead)
    assert (row.stage, row.lost_reason, row.lost_note) == (Stage.LOST, "price", "too expensive")


async def test_deal_details_go_with_the_move(db, team):
    manager = team["manager"]
    lead = await add_lead(db, manager, "Ana")
    await move(db, manager, lead, Stage.PROSPECT, reason="referral")
    close = (utcnow() + timedelta(days=30)).date()
    lead = await stored(db, lead)
    deal = {"amount": Decimal("5000.00"), "currency": "USD", "probability": 40, "close_date": close}
    await move(db, manager, lead, Stage.OPPORTUNITY, **deal)
    row = await stored(db, lead)
    assert (row.deal_amount, row.currency, row.probability, row.expected_close_date) == (
        Decimal("5000.00"),
        "USD",
        40,
        close,
    )
    await move(db, manager, row, Stage.CUSTOMER)  # the same amount: nothing given
    row = await stored(db, lead)
    assert (row.stage, row.deal_amount, row.currency) == (Stage.CUSTOMER, Decimal("5000.00"), "USD")


async def test_moves_of_records_out_of_sight_are_refused(db, team):
    lead = await add_lead(db, team["rep1"], "Ana")
    other = await make_team(db, "B", 1300)
    for intruder in (team["rep2"], other["manager"]):
        with pytest.raises(AccessDenied):
            await move(db, intruder, lead, Stage.LOST, lost_reason="price")
    assert (await stored(db, lead)).stage is Stage.LEAD


async def test_notes_go_on_the_open_record_and_are_capped(db, team):
    rep = team["rep1"]
    lead = await add_lead(db, rep, "Ana")
    async with db.begin(Scope.of(rep)) as s:
        with pytest.raises(DomainError, match="Open a record first"):
            await leads.note_on_open_record(s, rep, "hello", now=utcnow())
    async with db.begin(Scope.of(rep)) as s:
        await flows.begin(s, rep, RecordFlow(lead=lead.id))
    async with db.begin(Scope.of(rep)) as s:
        with pytest.raises(DomainError, match="too long"):
            await leads.note_on_open_record(s, rep, "x" * (leads.MAX_NOTE + 1), now=utcnow())
        with pytest.raises(DomainError, match="too long"):
            await leads.add_note(s, lead, rep, "x" * (leads.MAX_NOTE + 1), now=utcnow())
    async with db.begin(Scope.of(rep)) as s:
        noted, note = await leads.note_on_open_record(s, rep, "x" * leads.MAX_NOTE, now=utcnow())
    assert noted.id == lead.id and len(note.text) == leads.MAX_NOTE
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(Activity))).all()) == 1


async def test_parking_twice_until_the_same_moment_is_refused(db, team):
    rep = team["rep1"]
    lead = await add_lead(db, rep, "Ana")
    until = (utcnow() + timedelta(days=14)).replace(microsecond=0)

    async def park() -> None:
        async with db.begin(Scope.of(rep)) as s:
            row = await leads.get_visible(s, lead.id)
            await leads.park(s, row, ParkReason.NO_BUDGET, until, by=rep, now=utcnow())

    await park()
    with pytest.raises(FunnelError, match="Already parked until then"):
        await park()
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(Reminder))).all()) == 1
    assert (await stored(db, lead)).parked_until == until


async def test_qualification_answers_are_recorded_and_scored(db, team):
    rep = team["rep1"]
    lead = await add_lead(db, rep, "Ana")
    async with db.begin(Scope.of(rep)) as s:
        for key in ("need", "budget", "authority", "timeline", "fit"):
            await qualification.record_answer(s, lead.id, key, "yes")
        row = await qualification.record_answer(s, lead.id, "value", "given", estimate=(Decimal("900.00"), "EUR"))
        assert qualification.next_question(row, qualification.settings_of(None)) is None
        result = qualification.finish(row, qualification.settings_of(None), utcnow())
    row = await stored(db, lead)
    assert result.value == row.score == 100 and row.estimated_value == Decimal("900.00")
    async with db.begin(Scope.of(team["rep2"])) as s:
        with pytest.raises(AccessDenied):
            await qualification.record_answer(s, lead.id, "need", "no")


async def test_pipeline_as_far_as_the_member_sees(db, team):
    rep1, rep2 = team["rep1"], team["rep2"]
    for member, stage, amount, probability in (
        (rep1, Stage.OPPORTUNITY, "1000.00", 50),
        (rep2, Stage.PROSPECT, "300.00", 10),
        (rep2, Stage.CUSTOMER, "700.00", 100),
    ):
        lead = await add_lead(db, member, "X")
        async with db.begin(Scope.system()) as s:
            row = (await s.exec(select(Lead).where(Lead.id == lead.id))).one()
            row.stage, row.deal_amount, row.currency, row.probability = stage, Decimal(amount), "EUR", probability
            s.add(row)
    async with db.read(Scope.of(team["manager"])) as s:
        result = await moves.pipeline(s)
    assert result.counts == {Stage.OPPORTUNITY: 1, Stage.PROSPECT: 1, Stage.CUSTOMER: 1}
    assert result.open_value == {"EUR": Decimal("1300.00")} and result.weighted == {"EUR": Decimal("530")}
    async with db.read(Scope.of(rep2)) as s:
        result = await moves.pipeline(s)
    assert result.open_value == {"EUR": Decimal("300.00")} and result.weighted == {"EUR": Decimal("30")}
    assert result.parked == 0
