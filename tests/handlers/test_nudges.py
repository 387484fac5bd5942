"""The morning brief through the real dispatcher: planned once per member and day, sent at 9:00
local time with each section the team keeps switched on, every quiet record named once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from bot.delivery import reminders as delivery
from bot.domain.nudges import NudgeSettings
from bot.services import nudges
from models import Lead, ParkReason, Reminder, ReminderKind, ReminderStatus, Stage, Team
from models.base import utcnow
from tests.support import add_lead, alert, make_team, msg, says, sent

ZAGREB = ZoneInfo("Europe/Zagreb")


@pytest.fixture(autouse=True)
def no_spacing(monkeypatch):
    monkeypatch.setattr(delivery, "PER_CHAT_INTERVAL", 0)


async def set_lead(db, lead: Lead, **values) -> None:
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Lead).where(Lead.id == lead.id).values(**values))


async def plan_and_send(tg, morning: datetime) -> list:
    """Plan the briefs as of one hour before `morning`, then deliver at 9:01."""
    tg.request.calls.clear()
    await delivery.plan(tg.app, now=morning - timedelta(hours=1))
    await delivery.deliver_due(tg.app, now=morning + timedelta(minutes=1))
    return sent(tg.request.calls)


async def briefs(db) -> list[Reminder]:
    async with db.begin(Scope.system()) as s:
        rows = await s.exec(select(Reminder).where(Reminder.kind == ReminderKind.DIGEST).order_by(Reminder.id))
        return list(rows.all())


def next_nine() -> datetime:
    local = utcnow().astimezone(ZAGREB)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time().replace(hour=9), ZAGREB)


async def test_the_brief_names_todays_overdue_quiet_late_and_birthday_records(tg, db):
    team = await make_team(db, "T", 3000)
    rep, manager = team["rep1"], team["manager"]
    morning = next_nine()
    now = morning + timedelta(minutes=1)
    today = await add_lead(db, rep, "Tina")
    overdue = await add_lead(db, rep, "Ozren")
    quiet = await add_lead(db, rep, "Kvit")
    very_quiet = await add_lead(db, team["rep2"], "Vera")
    late = await add_lead(db, rep, "Lovro")
    bday = await add_lead(db, rep, "Bruno")
    parked = await add_lead(db, rep, "Petra")
    fresh = now - timedelta(days=1)
    for lead in (today, overdue, late, bday):
        await set_lead(db, lead, last_activity_at=fresh)
    await set_lead(db, quiet, last_activity_at=now - timedelta(days=8))  # a lead: 7 days
    await set_lead(db, very_quiet, stage=Stage.PROSPECT, last_activity_at=now - timedelta(days=30))  # 2 × 14
    await set_lead(
        db, late, stage=Stage.OPPORTUNITY, deal_amount=Decimal("1000"), currency="EUR",
        expected_close_date=(morning - timedelta(days=3)).date(),
    )  # fmt: skip
    tomorrow = (morning + timedelta(days=1)).date()
    await set_lead(db, bday, birthday=date(1980, tomorrow.month, tomorrow.day))
    await set_lead(db, parked, parked=True, park_reason=ParkReason.NO_BUDGET, last_activity_at=now - timedelta(days=60))
    async with db.begin(Scope.system()) as s:
        s.add(Reminder(team_id=rep.team_id, owner_id=rep.id, lead_id=today.id, due_at=morning + timedelta(hours=6)))
        s.add(
            Reminder(
                team_id=rep.team_id, owner_id=rep.id, lead_id=overdue.id, due_at=morning - timedelta(days=2),
                status=ReminderStatus.SENT,
            )
        )  # fmt: skip

    messages = await plan_and_send(tg, morning)
    by_chat = {c.params["chat_id"]: c for c in messages}
    text = by_chat[rep.telegram_user_id].text
    who = {
        lead.first_name: msg("{name} ({company})", name=lead.first_name, company="Acme d.o.o.")
        for lead in (today, overdue, quiet, late, bday)
    }
    assert says(text, "☀️ <b>Good morning! Your day</b>")
    assert says(text, "<b>Follow-ups today</b>") and says(
        text, "• {time} {what}", time="3:00\u202fPM", what=who["Tina"]
    )
    assert says(text, "<b>Overdue</b>") and who["Ozren"] in text
    assert says(text, "<b>Gone quiet</b> (no activity for a while)")
    assert msg("• {who}, {stage}, quiet for {n} days", who=who["Kvit"], stage="lead", n=8) in text
    assert says(text, "<b>Past their expected close date</b>") and who["Lovro"] in text
    assert says(text, "<b>Birthdays tomorrow</b> 🎂") and says(text, "• {who}", who=who["Bruno"])
    assert "Petra" not in text and "Vera" not in text  # parked; another rep's record
    assert {b["text"] for b in by_chat[rep.telegram_user_id].buttons} >= {"Tina", "Ozren", "Kvit", "Lovro", "Bruno"}
    # Vera's record went quiet twice over: her rep hears it, and both managers of the team are told.
    assert "Vera" in by_chat[team["rep2"].telegram_user_id].text
    vera = msg("{name} ({company})", name="Vera", company="Acme d.o.o.")
    for boss in (manager, team["owner"]):
        told = by_chat[boss.telegram_user_id].text
        assert says(told, "<b>Still quiet after a reminder</b> (your team)")
        assert (
            msg("• {who}, {stage}, quiet for {n} days, rep: {rep}", who=vera, stage="prospect", n=30, rep="rep2")
            in told
        )

    # Delivered once; the brief row records the message.
    assert await delivery.deliver_due(tg.app, now=now + timedelta(minutes=5)) == 0
    rep_brief = next(r for r in await briefs(db) if r.owner_id == rep.id)
    assert rep_brief.status is ReminderStatus.SENT and rep_brief.message_id and not rep_brief.late

    # The next morning: the quiet record is not named again (until there is new activity), the
    # overdue follow-up still is.
    messages = await plan_and_send(tg, morning + timedelta(days=1))
    text = next(
        c.text
        for c in messages
        if c.params["chat_id"] == rep.telegram_user_id and says(c, "☀️ <b>Good morning! Your day</b>")
    )
    assert "Kvit" not in text and "Ozren" in text
    assert all("Vera" not in c.text for c in messages if c.params["chat_id"] == manager.telegram_user_id)


async def test_one_row_per_member_and_day_however_often_it_is_planned(tg, db):
    team = await make_team(db, "T", 3100)
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Team).values(settings={"nudges": {"stalled": False}}))
    for _ in range(3):
        await delivery.plan(tg.app)
    rows = await briefs(db)
    # One row for each of the four members (all have a time zone), for their next 9:00.
    assert sorted(r.owner_id for r in rows) == sorted(m.id for m in team.values())
    assert len({r.dedupe_key for r in rows}) == 4
    for row in rows:
        local = row.due_at.astimezone(ZAGREB)
        assert (local.hour, local.minute) == (9, 0) and row.due_at > utcnow()


async def test_an_empty_brief_is_not_sent_and_switched_off_sections_are_left_out(tg, db):
    team = await make_team(db, "T", 3200)
    rep = team["rep1"]
    morning = next_nine()
    quiet = await add_lead(db, rep, "Kvit")
    await set_lead(db, quiet, last_activity_at=morning - timedelta(days=10))
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Team).values(settings={"nudges": NudgeSettings().toggled("stalled").dump()}))
    messages = await plan_and_send(tg, morning)
    assert messages == []  # nothing else to say to anyone
    assert {r.status for r in await briefs(db)} == {ReminderStatus.CANCELLED}

    everything_off = NudgeSettings()
    for kind in ("digest", "stalled", "escalate", "close_date", "birthday"):
        everything_off = everything_off.toggled(kind)
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Team).values(settings={"nudges": everything_off.dump()}))
    assert await delivery.plan(tg.app, now=morning + timedelta(hours=1)) == 0


async def test_a_member_without_a_time_zone_gets_no_brief_until_they_pick_one(tg, db):
    from models import Member

    team = await make_team(db, "T", 3300)
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Member).where(Member.id == team["rep1"].id).values(timezone=None))
    await delivery.plan(tg.app)
    assert team["rep1"].id not in {r.owner_id for r in await briefs(db)}


async def test_managers_switch_nudges_and_reps_cannot(tg, db):
    team = await make_team(db, "T", 3400)
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    [view] = sent(await boss.send("/nudges"))
    assert "✅ Birthdays" in view.text
    calls = await boss.tap(view, "Birthdays")
    [edited] = sent(calls, "editMessageText")
    assert "⬜ Birthdays" in edited.text
    calls = await boss.tap(edited, "lead −1")
    async with db.begin(Scope.system()) as s:
        settings = NudgeSettings.of((await s.exec(select(Team))).one().settings)
    assert not settings.on("birthday") and settings.stalled_days[Stage.LEAD] == 6
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    [view] = sent(await rep.send("/nudges"))
    assert says(view, "Only a manager can change these.") and not view.buttons
    calls = await rep.press("1nt:digest")
    assert alert(calls) == msg("Only a manager can change these.")


async def test_gone_quiet_lines_put_the_most_valuable_first(db):
    people = await make_team(db, "Quiet", 9300)
    rep = people["rep1"]
    long_ago = utcnow() - timedelta(days=200)
    async with db.begin(Scope.system()) as s:
        for code, extra in (
            ("q-none", {"last_activity_at": long_ago - timedelta(days=5)}),  # the longest quiet, worth nothing
            ("q-small", {"deal_amount": Decimal(1000), "probability": 10}),
            ("q-big", {"deal_amount": Decimal(5000), "probability": 40}),
            ("q-guess", {"estimated_value": Decimal(4000)}),  # a prospect: 20% of 4,000
        ):
            values = {"last_activity_at": long_ago, **extra}
            s.add(
                Lead(team_id=rep.team_id, owner_id=rep.id, code=code, first_name=code, stage=Stage.PROSPECT, **values)
            )
        team = (await s.exec(select(Team))).one()
    async with db.read(Scope.of(rep)) as s:
        told = await nudges.brief(s, rep, team, now=utcnow(), zone="Europe/Zagreb")
    assert [lead.code for lead in told.stalled.items] == ["q-big", "q-guess", "q-small", "q-none"]
