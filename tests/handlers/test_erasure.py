"""🗑 Delete: the confirmation names what goes; the record and everything about it is gone from
every table, the stage tally follows, an audit row without personal data stays; only the owner or
a manager may; retention erases what is due after a week's notice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db import Scope
from bot.delivery import retention
from bot.domain.retention import Retention
from bot.flows import RecordFlow
from bot.services import erasure, flows, leads, members
from models import (
    Activity,
    CardDraft,
    ContactPoint,
    ErasureAudit,
    FlowState,
    Lead,
    Reminder,
    Stage,
    StageChange,
    StageTally,
)
from models.base import utcnow
from tests.support import WriteWatch, add_lead, alert, make_team, msg, says, sent

CONFIRM = (
    "Delete {name} and everything about it? This goes: the contact's details and card text, "
    "notes: {notes}, history entries: {history}, pending reminders: {reminders}. This cannot be undone."
)


@pytest.fixture(autouse=True)
def watch(tg: Any) -> Any:
    w = WriteWatch(tg)
    yield w
    assert w.problems == []


async def _count(db: Any, model: Any, **where: Any) -> int:
    async with db.read(Scope.system()) as s:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int((await s.exec(query)).one())


async def _tally(db: Any, team_id: int) -> int:
    async with db.read(Scope.system()) as s:
        rows = await s.exec(select(StageTally).where(StageTally.team_id == team_id))
        return sum(r.n for r in rows)


async def _full_record(db: Any, member: Any, name: str) -> Lead:
    lead = await add_lead(db, member, name)
    async with db.begin(Scope.of(member)) as s:
        lead = await leads.get_visible(s, lead.id)
        await leads.add_note(s, lead, member, "wants a quote", now=utcnow())
        s.add(
            Reminder(team_id=member.team_id, owner_id=member.id, lead_id=lead.id, due_at=utcnow() + timedelta(days=1))
        )
        s.add(CardDraft(team_id=member.team_id, member_id=member.id, nonce="n1", duplicate_id=lead.id))
        await flows.begin(s, member, RecordFlow(lead=lead.id))
    return lead


async def test_delete_erases_everything_and_keeps_an_audit_row(tg, db):
    people = await make_team(db, "Acme", 800)
    rep = people["rep1"]
    lead = await _full_record(db, rep, "Ana")
    keep = await add_lead(db, rep, "Boris")
    assert await _tally(db, rep.team_id) == 2
    person = tg.person(802, "rep1")
    [confirm] = sent(await person.press(f"1xdel:{lead.id}"), "editMessageText")
    assert says(confirm, CONFIRM, name="Ana · Acme d.o.o.", notes=1, history=1, reminders=1)
    calls = await person.tap(confirm, msg("🗑 Yes, delete"))
    assert says(
        sent(calls, "editMessageText")[0],
        "Deleted. All that is kept is a note that a record was erased, by whom and when.",
    )
    for model in (ContactPoint, Activity, StageChange, Reminder):
        assert await _count(db, model, lead_id=lead.id) == 0, model
    assert await _count(db, Lead, id=lead.id) == 0 and await _count(db, Lead, id=keep.id) == 1
    assert await _count(db, FlowState) == 0
    async with db.read(Scope.system()) as s:
        draft = (await s.exec(select(CardDraft))).one()
        audit = (await s.exec(select(ErasureAudit))).one()
    assert draft.duplicate_id is None
    assert (audit.lead_id, audit.erased_by_id, audit.reason) == (lead.id, rep.id, "manual")
    assert await _tally(db, rep.team_id) == 1
    # the same button again, and /find: nothing
    assert alert(await person.press(f"1xdely:{lead.id}")) == msg("That record is not available to you.")
    [found] = sent(await person.send("/find Ana"))
    assert says(found, "Nothing found for “{words}”.", words="Ana")


async def test_only_the_owner_or_a_manager_may_delete(tg, db):
    people = await make_team(db, "Acme", 810)
    lead = await add_lead(db, people["rep1"], "Ana")
    other = tg.person(813, "rep2")
    assert alert(await other.press(f"1xdel:{lead.id}")) == msg("That record is not available to you.")
    assert alert(await other.press(f"1xdely:{lead.id}")) == msg("That record is not available to you.")
    assert await _count(db, Lead) == 1
    manager = tg.person(811, "manager")
    await manager.press(f"1xdely:{lead.id}")
    assert await _count(db, Lead) == 0
    # another team's manager finds nothing
    others = await make_team(db, "Other", 820)
    lead = await add_lead(db, others["rep1"], "Eva")
    assert alert(await manager.press(f"1xdely:{lead.id}")) == msg("That record is not available to you.")


async def test_retention_erases_after_a_weeks_notice(db):
    people = await make_team(db, "Acme", 830)
    rep = people["rep1"]
    old = await add_lead(db, rep, "Old")
    fresh = await add_lead(db, rep, "Fresh")
    now = utcnow()
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Lead).where(Lead.id == old.id))).one()
        row.last_activity_at = now - timedelta(days=400)
        row.stage = Stage.LOST
        row.closed_at = now - timedelta(days=400)
        s.add(row)
    on = Retention().switched(12, now)
    async with db.begin(Scope.system()) as s:
        assert await erasure.count_due(s, rep.team_id, on.cutoff(now), now) == 1
        assert await erasure.erase_due(s, rep.team_id, on, now) == 0  # not before the week's notice
        later = now + timedelta(days=8)
        assert await erasure.erase_due(s, rep.team_id, on, later) == 1
    assert await _count(db, Lead, id=old.id) == 0 and await _count(db, Lead, id=fresh.id) == 1
    assert await _count(db, ErasureAudit, reason="retention") == 1
    assert await _tally(db, rep.team_id) == 1


async def test_retention_job_tells_managers_a_week_ahead(tg, db):
    people = await make_team(db, "Acme", 840)
    old = await add_lead(db, people["rep1"], "Old")
    now = utcnow()
    async with db.begin(Scope.system()) as s:
        row = (await s.exec(select(Lead).where(Lead.id == old.id))).one()
        row.last_activity_at = now - timedelta(days=400)
        s.add(row)
        team = await members.get_team(s, people["owner"].team_id)
        team.settings = {**team.settings, "retention": Retention().switched(12, now).dump()}
        s.add(team)
    assert await retention.run_due(tg.app, now) == 2  # the owner and the manager
    notices = sent(tg.request.calls)
    assert {int(c.params["chat_id"]) for c in notices} == {840, 841}
    assert says(
        notices[0],
        "Retention: on {date}, records lost or untouched for {period} will be erased (records: {n}). "
        "Work on the ones you want to keep, or /export them first.",
    )
    assert await retention.run_due(tg.app, now + timedelta(hours=1)) == 0  # once a day
    assert await retention.run_due(tg.app, now + timedelta(days=8)) == 0  # nothing new to announce
    assert await _count(db, Lead) == 0 and await _count(db, ErasureAudit, reason="retention") == 1
