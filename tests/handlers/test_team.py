"""/team: the roster, roles, removal with or without a hand-over, handing records over, handing the
team over, pending invites; a removed member is a stranger on their very next update, gets no more
reminders, and can join again as a new member."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from bot.db import Scope
from bot.delivery import reminders as delivery
from bot.services import invites, team
from models import HistoryEvent, Invite, Lead, Member, Reminder, ReminderStatus, Role, StageChange
from models.base import utcnow
from models.errors import DomainError
from tests.conftest import ADMIN_ID
from tests.handlers.test_access import INVITE_RE, REFUSAL
from tests.support import UnitOfWork, add_lead, alert, due_reminder, make_team, msg, says, sent

TEAM_MODULES = ("handlers.team",)


async def people(db: Any) -> dict[str, Member]:
    return await make_team(db, "Acme sales", 5000)


async def member(db: Any, member_id: int | None) -> Member:
    async with db.read(Scope.system()) as s:
        return (await s.exec(select(Member).where(col(Member.id) == member_id))).one()


async def reminders_of(db: Any) -> list[Reminder]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(Reminder).order_by(col(Reminder.id)))).all())


async def test_managers_see_the_roster_and_reps_see_who_leads(tg, db):
    p = await people(db)
    await add_lead(db, p["rep1"], "Ana")
    [roster] = sent(await tg.person(5001, "manager").send("/team"))
    assert says(roster, "<b>{team}</b> has {n} members.", team="Acme sales", n=4)
    assert "rep1, rep: 1 record" in roster.text
    assert roster.button("rep1")
    [led] = sent(await tg.person(5002, "rep1").send("/team"))
    assert says(led, "Your team: <b>{team}</b>\nLed by: {leaders}")
    assert "owner (owner)" in led.text and "manager (manager)" in led.text and not led.buttons


async def test_owner_makes_and_unmakes_a_manager_and_a_manager_cannot(tg, db):
    p = await people(db)
    watch = UnitOfWork(tg, TEAM_MODULES)
    owner, manager = tg.person(5000, "owner"), tg.person(5001, "manager")
    calls = await owner.press(f"1tm:r:{p['rep1'].id}:manager")
    assert says(sent(calls, "editMessageText")[0], "{name} is now a {role}.", name="rep1", role=msg("manager"))
    assert (await member(db, p["rep1"].id)).role is Role.MANAGER
    await owner.press(f"1tm:r:{p['rep1'].id}:rep")
    assert (await member(db, p["rep1"].id)).role is Role.REP
    calls = await manager.press(f"1tm:r:{p['rep2'].id}:manager")
    assert alert(calls) == msg("Only the team's owner can make or unmake managers.")
    calls = await manager.press(f"1tm:x:{p['owner'].id}")
    assert alert(calls) == msg("A manager cannot change owners or other managers.")
    calls = await owner.press(f"1tm:r:{p['owner'].id}:rep")
    assert alert(calls) == msg("To hand the team to someone else, use “Make owner”.")
    watch.restore()
    watch.check()


async def test_removing_with_a_hand_over_moves_records_and_reminders_and_locks_the_rep_out(tg, db):
    p = await people(db)
    watch = UnitOfWork(tg, TEAM_MODULES)
    reminder = await due_reminder(db, p["rep1"], minutes_ago=-60)  # due in an hour
    manager, rep = tg.person(5001, "manager"), tg.person(5002, "rep1")
    [question] = sent(await manager.press(f"1tm:x:{p['rep1'].id}"), "editMessageText")
    assert says(question, "Remove {name} from the team? They lose access at once. Who takes over their {n} record?")
    calls = await manager.tap(question, "Hand to rep2")
    [done] = sent(calls, "editMessageText")
    assert says(done, "{name} was removed from the team.", name="rep1")
    assert says(done, "{n} record of {name} now belongs to {to}.", n=1, name="rep1", to="rep2")
    async with db.read(Scope.system()) as s:
        lead = (await s.exec(select(Lead))).one()
        history = (await s.exec(select(StageChange).where(StageChange.event == HistoryEvent.HANDED_OVER))).all()
    assert lead.owner_id == p["rep2"].id and len(history) == 1 and history[0].member_id == p["manager"].id
    [moved] = await reminders_of(db)
    assert moved.id == reminder.id and moved.owner_id == p["rep2"].id and moved.status is ReminderStatus.PENDING
    removed = await member(db, p["rep1"].id)
    assert removed.removed_at is not None and removed.former_telegram_user_id == 5002
    # Their very next message and button press: refused as a stranger's.
    [answer] = sent(await rep.send("/leads"))
    assert answer.text == msg(REFUSAL, id="5002")
    assert alert(await rep.press(f"1rec:{lead.id}")) == msg(REFUSAL, id="5002")
    # The new owner sees the record in /leads.
    assert "Ana" in sent(await tg.person(5003, "rep2").send("/leads"))[0].text
    watch.restore()
    watch.check()


async def test_removing_without_a_hand_over_leaves_records_unassigned_and_reminders_held(tg, db):
    p = await people(db)
    await due_reminder(db, p["rep1"], minutes_ago=5)
    owner = tg.person(5000, "owner")
    calls = await owner.press(f"1tm:xy:{p['rep1'].id}:0")
    assert says(
        sent(calls, "editMessageText")[0], "Their records stay with the team, unassigned: hand them over from /team."
    )
    [held] = await reminders_of(db)
    assert held.status is ReminderStatus.HELD
    assert await delivery.deliver_due(tg.app) == 0  # nothing goes to a removed member
    [roster] = sent(await owner.send("/team"))
    assert says(roster, "{name} (removed): {n} unassigned record", name="rep1", n=1)
    # Later, the records (and the held reminder) go to rep2, who gets the reminder.
    calls = await owner.press(f"1tm:hy:{p['rep1'].id}:{p['rep2'].id}")
    assert says(
        sent(calls, "editMessageText")[0], "{n} record of {name} now belongs to {to}.", n=1, name="rep1", to="rep2"
    )
    [again] = await reminders_of(db)
    assert again.owner_id == p["rep2"].id and again.status is ReminderStatus.PENDING
    assert await delivery.deliver_due(tg.app) == 1
    assert sent(tg.request.calls)[-1].params["chat_id"] == 5003


async def test_a_reminder_claimed_for_a_member_removed_meanwhile_is_not_sent(tg, db):
    p = await people(db)
    await due_reminder(db, p["rep1"])
    async with db.begin(Scope.system()) as s:
        target = (await s.exec(select(Member).where(col(Member.id) == p["rep1"].id))).one()
        target.removed_at = utcnow()  # removed by a path that left the reminder pending
        s.add(target)
    assert await delivery.deliver_due(tg.app) == 0
    [held] = await reminders_of(db)
    assert held.status is ReminderStatus.HELD


async def test_bad_input_is_refused(tg, db):
    p = await people(db)
    owner, manager = tg.person(5000, "owner"), tg.person(5001, "manager")
    assert alert(await owner.press(f"1tm:xy:{p['owner'].id}:0")) == msg(
        "The team's last owner cannot be removed. Hand the team to someone else first."
    )
    await owner.press(f"1tm:xy:{p['rep2'].id}:0")
    assert alert(await manager.press(f"1tm:xy:{p['rep1'].id}:{p['rep2'].id}")) == msg(
        "Records can only be handed to a current member of the team."
    )
    assert alert(await manager.press(f"1tm:hy:{p['rep1'].id}:{p['rep1'].id}")) == msg(
        "Choose someone else to hand the records to."
    )
    assert alert(await manager.press(f"1tm:r:{p['rep1'].id}:owner")) == msg(
        "This button is no longer active. Please send the command again."
    )
    assert alert(await tg.person(5002, "rep1").press(f"1tm:x:{p['rep2'].id}")) == msg(
        "Only the team's owner or a manager can manage members."
    )
    other = await make_team(db, "Other", 6000)
    assert alert(await manager.press(f"1tm:m:{other['rep1'].id}")) == msg(
        "This button is no longer active. Please send the command again."
    )
    assert (await member(db, p["rep1"].id)).removed_at is None


async def test_owner_hands_the_team_over(tg, db):
    p = await people(db)
    owner = tg.person(5000, "owner")
    [question] = sent(await owner.press(f"1tm:o:{p['manager'].id}"), "editMessageText")
    calls = await owner.tap(question, "Yes, hand the team over")
    assert says(sent(calls, "editMessageText")[0], "{name} is now the team's owner. You stay on as a manager.")
    assert (await member(db, p["manager"].id)).role is Role.OWNER
    assert (await member(db, p["owner"].id)).role is Role.MANAGER


async def test_pending_invites_are_listed_and_withdrawn(tg, db):
    owner = tg.person(ADMIN_ID, "Olga")
    await owner.send("/start")
    calls = await owner.send("/invite")
    token = INVITE_RE.search(sent(calls)[0].text).group(1)
    [listing] = sent(await owner.press("1tm:i"), "editMessageText")
    assert says(listing, "Pending invites (tap one to withdraw it):")
    calls = await owner.tap(listing, msg("rep"))
    assert says(sent(calls, "editMessageText")[0], "The invite was withdrawn; its link no longer works.")
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(Invite))).all() == []
    [refused] = sent(await tg.person(777, "Rita").send(f"/start {token}"))
    assert says(refused, "This invite link is not valid. Ask your manager for a new one.")


async def test_a_removed_member_comes_back_as_a_new_member(tg, db):
    p = await people(db)
    await add_lead(db, p["rep1"], "Ana")
    await tg.person(5000, "owner").press(f"1tm:xy:{p['rep1'].id}:{p['rep2'].id}")
    async with db.begin(Scope.of(p["owner"])) as s:
        new = await invites.create_invite(s, p["owner"], role=Role.REP, ttl=timedelta(hours=1), now=utcnow())
    sent(await tg.person(5002, "rep1").send(f"/start {invites.PREFIX}{new.token}"))
    async with db.read(Scope.system()) as s:
        rows = (await s.exec(select(Member).where(col(Member.first_name) == "rep1"))).all()
        lead = (await s.exec(select(Lead))).one()
    assert len(rows) == 2
    back = next(m for m in rows if m.removed_at is None)
    assert back.id != p["rep1"].id and back.telegram_user_id == 5002
    assert lead.owner_id == p["rep2"].id  # the old records stay where they were handed
    [empty] = sent(await tg.person(5002, "rep1").send("/leads"))
    assert "Ana" not in empty.text


async def test_the_rules_refuse_in_the_service_too(db):
    p = await people(db)
    async with db.begin(Scope.of(p["manager"])) as s:
        try:
            await team.remove(s, p["manager"], p["manager"].id, hand_to=None, now=utcnow())
        except DomainError as exc:
            assert exc.message == "A manager cannot change owners or other managers."
        else:
            raise AssertionError("a manager removed themselves")
