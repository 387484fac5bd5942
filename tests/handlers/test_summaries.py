"""Funnel summaries on a hand-built team with known answers; subscribing a group; scheduled
delivery once per period; the group's life (removed, upgraded, blocked)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from bot.delivery import summaries as summary_delivery
from bot.domain import summary as maths
from bot.presentation import summaries as view
from bot.presentation.fitting import CAPTION_LIMIT, MESSAGE_LIMIT
from bot.services import summaries
from bot.state import state_of
from models import GroupSubscription, HistoryEvent, Lead, LeadSource, Member, Stage, StageChange, Team
from models.base import utcnow
from models.errors import DomainError
from models.reminder import GroupLink
from tests.support import WriteWatch, add_lead, catalogue, make_team, msg, says, sent
from tests.telegram_fake import Call

ZAGREB = "Europe/Zagreb"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 9:00 in Zagreb
GROUP = -100777


@pytest.fixture
def watch(tg: Any) -> Any:
    watch = WriteWatch(tg)
    yield watch
    assert watch.problems == []


def z(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Zagreb time (UTC+1), as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


async def build(db) -> dict:
    """Sunday 22 November is the period; Saturday 21 the one before."""
    team = await make_team(db, "Acme sales", 5000)
    rep1, rep2 = team["rep1"], team["rep2"]
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Team).values(timezone=ZAGREB, currency="EUR"))
        leads: dict[str, Lead] = {}

        def lead(key, owner, stage, created, **extra):
            row = Lead(
                team_id=owner.team_id, owner_id=owner.id, code=f"c{key}{owner.id}", first_name=f"Secret{key}",
                emails=[f"secret{key}@example.com"], stage=stage, created_at=created,
                last_activity_at=extra.pop("activity", created), **extra,
            )  # fmt: skip
            s.add(row)
            leads[key] = row

        lead("L1", rep1, Stage.PROSPECT, z(22, 10))
        lead("L2", rep1, Stage.PROSPECT, z(21, 10), activity=z(22, 0, 30))
        lead("L3", rep2, Stage.LOST, z(21, 10), lost_reason="price", activity=z(22, 12), closed_at=z(22, 12))
        lead(
            "L4", rep2, Stage.CUSTOMER, z(12, 10), deal_amount=Decimal("1000.00"), currency="EUR", activity=z(22, 16),
            closed_at=z(22, 16),
        )  # fmt: skip
        lead("L5", rep1, Stage.OPPORTUNITY, z(1, 10), deal_amount=Decimal("2000"), currency="EUR", probability=50)
        lead("L6", rep2, Stage.LEAD, z(21, 23, 30))  # Saturday night in Zagreb, Sunday in no zone east of it
        lead("L7", rep1, Stage.LEAD, z(2, 10), parked=True, parked_until=NOW + timedelta(days=3))
        await s.flush()

        def change(key, by, at, from_stage, to_stage, seconds=None):
            event = HistoryEvent.CREATED if from_stage is None else HistoryEvent.MOVED
            s.add(
                StageChange(
                    team_id=by.team_id, lead_id=leads[key].id, event=event, from_stage=from_stage, to_stage=to_stage,
                    member_id=by.id, at=at, seconds_in_stage=seconds,
                )
            )  # fmt: skip

        change("L1", rep1, z(22, 10), None, Stage.LEAD)
        change("L1", rep1, z(22, 15), Stage.LEAD, Stage.PROSPECT, 5 * 3600)
        change("L2", rep1, z(21, 10), None, Stage.LEAD)
        change("L2", rep1, z(22, 0, 30), Stage.LEAD, Stage.PROSPECT, 14 * 3600 + 1800)
        change("L3", rep2, z(21, 10), None, Stage.LEAD)
        change("L3", rep2, z(22, 12), Stage.LEAD, Stage.LOST, 26 * 3600)
        change("L4", rep2, z(12, 10), None, Stage.OPPORTUNITY)
        change("L4", rep2, z(22, 16), Stage.OPPORTUNITY, Stage.CUSTOMER, 10 * 86400 + 6 * 3600)
        change("L5", rep1, z(1, 10), None, Stage.OPPORTUNITY)
        change("L6", rep2, z(21, 23, 30), None, Stage.LEAD)
        change("L7", rep1, z(2, 10), None, Stage.LEAD)
        change("L7", rep1, z(2, 11), Stage.LEAD, Stage.LEAD)  # parked: same stage
        s.add(GroupLink(team_id=rep1.team_id, chat_id=GROUP, linked_by_id=team["manager"].id, linked_at=NOW))
        s.add(GroupSubscription(team_id=rep1.team_id, chat_id=GROUP, next_due_at=NOW - timedelta(minutes=1)))
    async with db.begin(Scope.system()) as s:
        team_row = (await s.exec(select(Team))).one()
    return {**team, "team": team_row}


async def compute(db, team: Team, period: maths.Period, scope: Scope | None = None) -> maths.Summary:
    scope = scope or Scope(team_id=team.id, member_id=None, sees_team=True)
    async with db.read(scope) as s:
        return await summaries.compute(s, team, period, now=NOW, team_wide=scope.sees_team)


async def test_the_figures_of_a_hand_built_day(db):
    people = await build(db)
    period = maths.complete_period("day", NOW, ZAGREB)
    s = await compute(db, people["team"], period)
    c, p = s.current, s.previous
    assert c.new == 1 and p.new == 3  # L1; L2, L3 and L6 (23:30 on Saturday in Zagreb)
    assert c.moves == {
        (Stage.LEAD, Stage.PROSPECT): 2, (Stage.LEAD, Stage.LOST): 1, (Stage.OPPORTUNITY, Stage.CUSTOMER): 1,
    }  # fmt: skip
    assert c.moved == 4 and p.moved == 0
    assert c.rate(Stage.LEAD, Stage.PROSPECT) == pytest.approx(2 / 3)
    assert c.rate(Stage.PROSPECT, Stage.OPPORTUNITY) is None
    assert c.rate(Stage.OPPORTUNITY, Stage.CUSTOMER) == 1.0
    assert (c.won, c.won_value, c.lost, c.lost_reasons) == (1, {"EUR": Decimal("1000.00")}, 1, [("price", 1)])
    assert c.avg_days[Stage.LEAD] == pytest.approx((5 + 14.5 + 26) / 3 / 24)
    assert c.avg_days[Stage.OPPORTUNITY] == pytest.approx(10.25)
    rep1, rep2 = people["rep1"].id, people["rep2"].id
    assert (c.per_rep[rep1].new, c.per_rep[rep1].advanced, c.per_rep[rep1].won) == (1, 2, 0)
    assert (c.per_rep[rep2].new, c.per_rep[rep2].advanced, c.per_rep[rep2].won) == (0, 1, 1)
    assert s.stages == {
        Stage.SUSPECT: 0, Stage.LEAD: 2, Stage.PROSPECT: 2, Stage.OPPORTUNITY: 1, Stage.CUSTOMER: 1, Stage.LOST: 1,
    }  # fmt: skip
    assert s.stages_before == {
        Stage.SUSPECT: 0, Stage.LEAD: 4, Stage.PROSPECT: 0, Stage.OPPORTUNITY: 2, Stage.CUSTOMER: 0, Stage.LOST: 0,
    }  # fmt: skip
    assert s.weighted == {"EUR": Decimal("1000.00")}
    assert s.stalled == 1 and s.parked_due == 1  # L5 quiet for 21+ days as an opportunity; L7 parked


async def test_boundaries_follow_the_team_time_zone_and_empty_periods_are_zero(db):
    people = await build(db)
    team = people["team"]
    team.timezone = "UTC"
    s = await compute(db, team, maths.complete_period("day", NOW, "UTC"))
    # In UTC, L2's move at 00:30 Zagreb time (23:30 UTC on Saturday) falls on the day before.
    assert s.current.moves[(Stage.LEAD, Stage.PROSPECT)] == 1 and s.previous.moves == {(Stage.LEAD, Stage.PROSPECT): 1}
    empty = await compute(db, team, maths.complete_period("week", datetime(2025, 6, 1, tzinfo=UTC), ZAGREB))
    assert (empty.current.new, empty.current.moved, empty.current.won, empty.current.lost) == (0, 0, 0, 0)
    assert empty.current.rate(Stage.LEAD, Stage.PROSPECT) is None and empty.current.per_rep == {}


async def test_a_reps_own_funnel_counts_only_their_records(db):
    people = await build(db)
    s = await compute(db, people["team"], maths.complete_period("day", NOW, ZAGREB), Scope.of(people["rep1"]))
    assert s.current.moved == 2 and s.current.won == 0 and s.current.new == 1
    assert s.stages[Stage.CUSTOMER] == 0 and s.stages[Stage.PROSPECT] == 2


def texts(calls: list[Call]) -> list[str]:
    """What a summary showed: photo captions and messages, in order."""
    return [c.text for c in calls if c.method in ("sendPhoto", "sendMessage")]


def compared(value: int, before: int) -> str:
    arrow = "▲" if value > before else "▼" if value < before else "="
    return msg("{value} {arrow} (before: {before})", value=str(value), arrow=arrow, before=str(before))


async def test_the_summary_text_has_aggregates_only(db, tg):
    people = await build(db)
    t = state_of(tg.app).catalogs.get("en")
    s = await compute(db, people["team"], maths.complete_period("day", NOW, ZAGREB))
    heading, text = view.render_summary(t, s, title="Acme sales")
    assert heading == msg("📊 <b>{team}</b>: the funnel, {start}", team="Acme sales", start="November 22, 2026")
    assert text.startswith(heading + "\n")
    assert "Secret" not in text and "example.com" not in text
    assert msg("New records: {value}", value=compared(1, 3)) in text
    assert msg("{a} → {b}: {rate}", a="lead", b="prospect", rate="67%") in text
    assert msg("{a} → {b}: {rate}", a="opportunity", b="customer", rate="100%") in text
    assert msg("Won: {value}, worth {money}", value=compared(1, 0), money="€1,000") in text
    assert msg("; most often: {reasons}", reasons=msg("{reason} ({n})", reason=msg("Price"), n=1)) in text
    assert msg("Weighted pipeline: {money} {arrow}", money="€1,000", arrow="").rstrip() in text
    assert msg("Parked records due this week: {n}", n=1) in text
    assert msg("{name}: {new} · {advanced} · {won}", name="rep1", new=1, advanced=2, won=0) in text
    assert msg("{name}: {new} · {advanced} · {won}", name="rep2", new=0, advanced=1, won=1) in text
    assert len(text) <= MESSAGE_LIMIT


def test_a_long_text_is_cut_at_the_end_of_a_line():
    lines = [f"<b>Line {i}</b>: " + "x" * (i % 50) for i in range(400)]
    text = "\n".join(lines)
    assert len(text) > MESSAGE_LIMIT
    cut = view.fit(text)
    assert len(cut) <= MESSAGE_LIMIT and cut.endswith("\n…")
    kept = cut.removesuffix("\n…").split("\n")
    assert kept == lines[: len(kept)]  # whole lines only, so every <b> keeps its </b>
    assert len(cut) > MESSAGE_LIMIT - 60  # and not much shorter than it may be
    assert view.fit("short\ntext") == "short\ntext"


async def test_scheduled_summaries_go_out_once_per_period(db, tg):
    await build(db)
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW) == 1
    [photo] = sent(tg.request.calls, "sendPhoto")
    assert photo.params["chat_id"] == GROUP
    # With its by-source and forecast sections, a day's summary is longer than a caption: the
    # chart with the heading, then the text.
    [message] = sent(tg.request.calls)
    assert CAPTION_LIMIT < len(message.text) <= MESSAGE_LIMIT and message.text.startswith(photo.text)
    assert msg("New records: {value}", value=compared(1, 3)) in message.text and "Secret" not in message.text
    assert msg("<b>By source</b> (the period's new records: qualified · to opportunity · won)") in message.text
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert sub.last_period_key == "day:2026-11-22" and sub.next_due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert sub.last_snapshot["stages"]["prospect"] == 2
    # A restart that finds the row due again for the same period (e.g. the clock was reset) sends nothing.
    async with db.begin(Scope.system()) as s:
        await s.exec(update(GroupSubscription).values(next_due_at=NOW))
    tg.request.calls.clear()
    assert await summary_delivery.deliver_due(tg.app, "two", now=NOW + timedelta(minutes=5)) == 0
    assert not texts(tg.request.calls)
    async with db.read(Scope.system()) as s:
        again = (await s.exec(select(GroupSubscription))).one()
    assert again.last_period_key == "day:2026-11-22" and again.next_due_at == sub.next_due_at


async def test_a_long_summary_goes_as_a_photo_with_its_heading_then_the_text(db, tg):
    people = await build(db)
    async with db.begin(Scope.system()) as s:  # ten more reps, with long names, each with a new record
        for i in range(10):
            rep = Member(team_id=people["team"].id, telegram_user_id=5100 + i, first_name=f"Rep{i} " + "Longname" * 14)
            s.add(rep)
            await s.flush()
            s.add(Lead(team_id=rep.team_id, owner_id=rep.id, code=f"long{i}", first_name="X", created_at=z(22, 9)))
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW) == 1
    [photo] = sent(tg.request.calls, "sendPhoto")
    [message] = sent(tg.request.calls)
    heading = msg("📊 <b>{team}</b>: the funnel, {start}", team="Acme sales", start="November 22, 2026")
    assert photo.text == heading and message.params["chat_id"] == GROUP
    assert CAPTION_LIMIT < len(message.text) <= MESSAGE_LIMIT
    assert message.text.startswith(heading) and msg("<b>Per rep</b> (new · advanced · won)") in message.text
    assert msg("New records: {value}", value=compared(11, 3)) in message.text


async def test_a_group_that_blocked_the_bot_is_switched_off_without_retries(db, tg):
    await build(db)
    tg.request.failures["sendPhoto"] = (403, "Forbidden: bot was kicked from the group chat")
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW) == 0
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert not sub.enabled and "kicked" in sub.disabled_reason
    told = [c for c in sent(tg.request.calls) if c.params["chat_id"] > 0]
    assert told and all(
        says(c, "I could not post the summary in the group {group}: I am no longer in it or may not write there. "
             "Its summaries are switched off; add me again and send /subscribe there to resume.")
        for c in told
    )  # fmt: skip
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW + timedelta(days=1)) == 0
    assert len(sent(tg.request.calls, "sendPhoto")) == 1


async def test_any_other_refusal_keeps_the_subscription_tells_the_managers_and_tries_next_period(db, tg):
    await build(db)
    tg.request.failures["sendPhoto"] = (400, "Bad Request: can't parse entities: unexpected end tag")
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW) == 0
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert sub.enabled and sub.next_due_at > NOW  # not switched off, not retried every poll
    told = [c for c in sent(tg.request.calls) if c.params["chat_id"] > 0]
    assert told and all(
        says(c, "I could not post the summary in the group {group} this time (Telegram refused it). "
             "I will try again next period.")
        for c in told
    )  # fmt: skip
    tg.request.calls.clear()
    assert await summary_delivery.deliver_due(tg.app, "one", now=sub.next_due_at + timedelta(minutes=1)) == 1
    assert sent(tg.request.calls, "sendPhoto")[0].params["chat_id"] == GROUP


async def test_a_group_upgraded_to_a_supergroup_keeps_its_summaries(db, tg):
    await build(db)
    tg.request.failures["sendPhoto"] = (400, "Bad Request: group chat was upgraded", {"migrate_to_chat_id": -1009999})
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW) == 1
    [_, second] = sent(tg.request.calls, "sendPhoto")
    assert second.params["chat_id"] == -1009999
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert sub.chat_id == -1009999 and sub.enabled


async def test_a_bot_without_the_right_to_send_photos_sends_text(db, tg):
    await build(db)
    tg.request.failures["sendPhoto"] = (400, "Bad Request: not enough rights to send photos to the chat")
    assert await summary_delivery.deliver_due(tg.app, "one", now=NOW) == 1
    [message] = sent(tg.request.calls)
    assert message.params["chat_id"] == GROUP
    assert msg("New records: {value}", value=compared(1, 3)) in message.text


def member_update(chat_id: int, user_id: int, status: str) -> dict:
    bot = {"id": 4242, "is_bot": True, "first_name": "Sales"}
    who = {"id": user_id, "is_bot": False, "first_name": "X"}
    return {
        "update_id": 999,
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "group", "title": "Sales"},
            "from": who,
            "date": 0,
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": status, "user": bot, "until_date": 0}
            if status == "kicked"
            else {"status": status, "user": bot},
        },
    }


@pytest.mark.usefixtures("watch")
async def test_removing_the_bot_switches_the_subscription_off_and_migration_moves_it(db, tg):
    await build(db)
    await tg.process(member_update(GROUP, 123456, "left"))  # even when a stranger removes it
    async with db.begin(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
        assert not sub.enabled and sub.disabled_reason == "bot left"
        await s.exec(update(GroupSubscription).values(enabled=True))
    migrate = {
        "update_id": 1000,
        "message": {
            "message_id": 5, "date": 0, "chat": {"id": GROUP, "type": "group", "title": "Sales"},
            "from": {"id": 123456, "is_bot": False, "first_name": "X"}, "migrate_to_chat_id": -1005555,
        },
    }  # fmt: skip
    await tg.process(migrate)
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert sub.chat_id == -1005555 and sub.enabled


@pytest.mark.usefixtures("watch")
async def test_only_a_manager_subscribes_and_a_group_belongs_to_one_team(db, tg):
    team = await make_team(db, "T", 6000)
    other = await make_team(db, "Other", 6100)
    group = -100321
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    [refusal] = sent(await rep.send("/subscribe daily 9:00", chat_id=group))
    assert refusal.text == msg("Only a manager of the team can subscribe this group.")
    [refusal] = sent(await rep.send("/subscribe sometimes", chat_id=group))  # the role is checked first
    assert refusal.text == msg("Only a manager of the team can subscribe this group.")
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    [bad] = sent(await boss.send("/subscribe sometimes", chat_id=group))
    assert bad.text == msg("Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 (the team's time zone).")
    [private] = sent(await boss.send("/subscribe daily 9:00"))
    assert private.text == msg("Send /subscribe in your team's group. Add me to it from /settings.")
    [unlinked] = sent(await boss.send("/subscribe weekly monday 8:30", chat_id=group))
    assert unlinked.text == msg("This group is not linked to a team. A manager of the team links it with /link.")
    await boss.send("/link", chat_id=group)
    [ok] = sent(await boss.send("/subscribe weekly monday 8:30", chat_id=group))
    async with db.read(Scope.system()) as s:
        sub = (await s.exec(select(GroupSubscription))).one()
    assert (sub.period.value, sub.weekday, sub.local_time, sub.team_id) == ("weekly", 0, "08:30", team["rep1"].team_id)
    async with db.read(Scope.system()) as s:
        zone = (await s.exec(select(Team).where(Team.id == sub.team_id))).one().timezone  # the team's
    local = sub.next_due_at.astimezone(ZoneInfo(zone))
    assert local.weekday() == 0 and (local.hour, local.minute) == (8, 30) and sub.next_due_at > utcnow()
    assert ok.text == msg(
        "✅ This group gets {team}'s funnel summary {when}. The next one: {date}.",
        team="T",
        when=msg("every week"),
        date=catalogue().when(sub.next_due_at, zone),
    )
    stranger_boss = tg.person(other["manager"].telegram_user_id, "Olga")
    [taken] = sent(await stranger_boss.send("/subscribe daily 9:00", chat_id=group))
    assert taken.text == msg("This group is linked to another team.")
    [theirs] = sent(await stranger_boss.send("/funnel", chat_id=group))
    assert theirs.text == msg("This group is linked to another team.")
    [not_theirs] = sent(await stranger_boss.send("/unsubscribe", chat_id=group))
    assert not_theirs.text == msg("This chat has no summaries to stop.")
    nobody = tg.person(777777, "Nobody")
    assert sent(await nobody.send("/subscribe daily 9:00", chat_id=group)) == []
    [refusal] = sent(await rep.send("/unsubscribe", chat_id=group))
    assert refusal.text == msg("Only a manager of the team can unsubscribe this group.")
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(GroupSubscription))).one().enabled  # nobody above changed it
    [done] = sent(await boss.send("/unsubscribe", chat_id=group))
    assert done.text == msg("Done: no more summaries here. /subscribe starts them again.")
    async with db.read(Scope.system()) as s:
        stopped = (await s.exec(select(GroupSubscription))).one()
    assert not stopped.enabled and stopped.disabled_reason == "unsubscribed"
    [again] = sent(await boss.send("/unsubscribe", chat_id=group))
    assert again.text == msg("This chat has no summaries to stop.")


async def test_the_subscription_rules_hold_in_the_service(db):
    """Called directly, the service refuses what the command refuses."""
    team = await make_team(db, "T", 6300)
    other = await make_team(db, "Other", 6400)
    schedule = maths.parse_schedule(["daily"], "en")
    assert schedule is not None
    async with db.read(Scope.system()) as s:
        team_row = (await s.exec(select(Team).where(Team.id == team["manager"].team_id))).one()
    for by in (team["rep1"], other["manager"]):
        with pytest.raises(DomainError) as refused:
            async with db.begin(Scope.system()) as s:
                await summaries.subscribe(s, team_row, chat_id=-1, title="G", schedule=schedule, by=by, now=NOW)
        assert refused.value.message == "Only a manager of the team can subscribe this group."
    with pytest.raises(DomainError) as refused:  # not linked yet
        async with db.begin(Scope.system()) as s:
            await summaries.subscribe(
                s, team_row, chat_id=-1, title="G", schedule=schedule, by=team["manager"], now=NOW
            )
    assert refused.value.message == summaries.NOT_LINKED
    async with db.begin(Scope.system()) as s:
        await summaries.link(s, team_row, chat_id=-1, title="G", by=team["manager"], now=NOW)
        await summaries.subscribe(s, team_row, chat_id=-1, title="G", schedule=schedule, by=team["manager"], now=NOW)
    for by, refusal in (
        (other["manager"], "This chat has no summaries to stop."),
        (team["rep2"], "Only a manager of the team can unsubscribe this group."),
    ):
        with pytest.raises(DomainError) as refused:
            async with db.begin(Scope.system()) as s:
                await summaries.unsubscribe(s, -1, by=by, now=NOW)
        assert refused.value.message == refusal


@pytest.mark.usefixtures("watch")
async def test_funnel_on_demand_counts_the_team_in_a_group_and_a_reps_own_in_private(db, tg):
    team = await make_team(db, "T", 6200)
    for owner, names in ((team["rep1"], ("A", "B")), (team["rep2"], ("C", "D", "E"))):
        for name in names:
            await add_lead(db, owner, name)
    rep = tg.person(team["rep1"].telegram_user_id, "Rita")
    async with db.read(Scope.system()) as s:
        zone = (await s.exec(select(Team).where(Team.id == team["rep1"].team_id))).one().timezone
    week = maths.period_to_date("week", utcnow(), zone)

    def heading(title: str) -> str:
        start, end = catalogue().period(week.first_day, week.last_day)
        return msg("📊 <b>{team}</b>: the funnel, week {start} – {end}", team=title, start=start, end=end)

    def shown(calls: list[Call]) -> str:
        assert len(sent(calls, "sendPhoto")) == 1
        return "\n".join(texts(calls))

    [refusal] = sent(await rep.send("/funnel week", chat_id=-100555))  # no team's group yet: no figure
    assert refusal.text == msg("This group is not linked to a team. A manager of the team links it with /link.")
    boss = tg.person(team["manager"].telegram_user_id, "Maja")
    await boss.send("/link", chat_id=-100555)
    in_group = await rep.send("/funnel week", chat_id=-100555)
    assert sent(in_group, "sendPhoto")[0].params["chat_id"] == -100555
    text = shown(in_group)
    assert text.startswith(heading("T"))  # the team's figures, under its name
    assert msg("New records: {value}", value=compared(5, 0)) in text
    text = shown(await rep.send("/funnel"))  # the week by default, in private: her own records only
    assert text.startswith(heading("Rita"))
    assert msg("New records: {value}", value=compared(2, 0)) in text
    text = shown(await boss.send("/funnel week"))  # a manager sees the team
    assert text.startswith(heading("T"))
    assert msg("New records: {value}", value=compared(5, 0)) in text
    calls = await rep.send("/funnel quarter")
    assert sent(calls, "sendPhoto")[0].params["chat_id"] == team["rep1"].telegram_user_id
    [answer] = sent(await rep.send("/funnel fortnight"))
    assert answer.text == msg("Send /funnel week, /funnel month or /funnel quarter.")


@pytest.mark.usefixtures("watch")
async def test_start_in_a_linked_group_says_who_may_subscribe(db, tg):
    team = await make_team(db, "T", 6500)
    [unlinked] = sent(await tg.person(team["rep1"].telegram_user_id, "Rita").send("/start", chat_id=-100600))
    assert unlinked.text == msg("This group is not linked to a team. A manager of the team links it with /link.")
    await tg.person(team["manager"].telegram_user_id, "Maja").send("/link", chat_id=-100600)
    [hello] = sent(await tg.person(team["manager"].telegram_user_id, "Maja").send("/start", chat_id=-100600))
    assert hello.text == msg(
        "Hello, team! Send /subscribe daily 9:00 or /subscribe weekly monday 9:00 to get summaries."
    )
    [hello] = sent(await tg.person(team["rep1"].telegram_user_id, "Rita").send("/start", chat_id=-100600))
    assert hello.text == msg("Hello! A manager of the team can send /subscribe to get funnel summaries here.")


async def test_the_stage_tally_kept_by_the_database_matches_a_real_count(db):
    """Every write path counts: inserts, moves, parking, bulk updates, deletes (database triggers)."""
    from sqlalchemy import delete, func

    from bot.services import leads
    from models import ParkReason, StageTally

    people = await build(db)
    rep = people["rep1"]
    created = []
    for name in ("A", "B", "C"):
        async with db.begin(Scope.of(rep)) as s:
            created.append(await leads.create_lead(s, rep, now=NOW, first_name=name))
    async with db.begin(Scope.of(rep)) as s:
        lead = await leads.get_visible(s, created[0].id)
        await leads.park(s, lead, ParkReason.NO_BUDGET, NOW + timedelta(days=3), by=rep, now=NOW)
    async with db.begin(Scope.system()) as s:
        await s.exec(update(Lead).where(Lead.id == created[1].id).values(stage=Stage.PROSPECT))
        await s.exec(update(Lead).where(Lead.stage == Stage.LOST).values(stage=Stage.LEAD))
        await s.exec(delete(Lead).where(Lead.id == created[2].id))

    async with db.begin(Scope.system()) as s:
        real = {
            (stage, bool(parked)): n
            for stage, parked, n in (
                await s.exec(select(Lead.stage, Lead.parked, func.count()).group_by(Lead.stage, Lead.parked))
            ).all()
        }
        tally = {(t.stage, bool(t.parked)): t.n for t in (await s.exec(select(StageTally))).all() if t.n}
    assert tally == real and sum(real.values()) == 9


async def with_sources(db, people: dict) -> None:
    """Sources and scores on the hand-built week (16 to 22 November), three more records in it, and
    an expected close on the open opportunity."""
    rep1 = people["rep1"]
    async with db.begin(Scope.system()) as s:
        for code, extra in (
            ("cL1", {"source": LeadSource.REFERRAL, "score": 80}),
            ("cL2", {"source": LeadSource.REFERRAL, "score": 40}),
            ("cL3", {"source": LeadSource.REFERRAL}),
            ("cL5", {"expected_close_date": date(2026, 11, 20)}),
        ):
            owner = people["rep2"] if code == "cL3" else rep1
            await s.exec(update(Lead).where(Lead.code == f"{code}{owner.id}").values(**extra))
        common = {"team_id": rep1.team_id, "owner_id": rep1.id}
        s.add(Lead(
            **common, code="n1", first_name="SecretN1", source=LeadSource.REFERRAL, score=90, stage=Stage.CUSTOMER,
            deal_amount=Decimal(500), currency="EUR", created_at=z(20, 10), closed_at=z(22, 10),
        ))  # fmt: skip
        s.add(Lead(
            **common, code="n2", first_name="SecretN2", source=LeadSource.REFERRAL, stage=Stage.OPPORTUNITY,
            deal_amount=Decimal(300), currency="USD", probability=50, expected_close_date=date(2026, 12, 10),
            created_at=z(20, 11),
        ))  # fmt: skip
        s.add(Lead(**common, code="n3", first_name="SecretN3", source=LeadSource.LINKEDIN, created_at=z(20, 12)))


async def test_by_source_and_forecast_of_a_hand_built_week(db):
    people = await build(db)
    await with_sources(db, people)
    s = await compute(db, people["team"], maths.complete_period("week", NOW, ZAGREB))
    referral, other = s.sources
    assert (referral.source, referral.new, other.source, other.new) == ("referral", 5, "other", 2)
    assert referral.qualified_share == 0.4  # L1 (80) and N1 (90) reach the pass mark of 60
    assert referral.opportunity_share == 0.4 and referral.won_share == 0.2  # N1 and N2; N1
    assert referral.won_value == {"EUR": Decimal(500)}
    assert referral.avg_score == pytest.approx(70) and referral.avg_days_to_won == pytest.approx(2)
    assert (referral.lost, referral.top_reason) == (1, "price")
    assert {k: r.new for k, r in s.sources_before.items()} == {"other": 1}  # L4, on the 12th, no source
    f = s.forecast
    assert f is not None
    nov, dec, jan = f.months
    assert (nov.count, dec.count, jan.count) == (0, 1, 0)
    assert dec.amount == {"USD": Decimal(300)} and dec.weighted == {"USD": Decimal("150.00")}
    assert (f.overdue, f.undated) == (1, 0)  # L5, expected on the 20th


async def test_the_by_source_section_and_the_forecast_in_the_text(db, tg):
    people = await build(db)
    await with_sources(db, people)
    t = state_of(tg.app).catalogs.get("en")
    s = await compute(db, people["team"], maths.complete_period("week", NOW, ZAGREB))
    _, text = view.render_summary(t, s, title="Acme sales")
    line = msg(
        "{source}: {new} new · {qualified} · {opportunity} · {won}",
        source=msg("Referral"), new=5, qualified="40%", opportunity="40%", won="20%",
    )  # fmt: skip
    extras = [
        msg("worth {money}", money="€500"),
        msg("score {score}", score=70),
        msg("{days} days to won", days="2.0"),
        msg("lost {n}, mostly {reason}", n=1, reason=msg("Price")),
    ]
    assert line + "; " + ", ".join(extras) in text
    other = msg("{source}: {new} new · {qualified} · {opportunity} · {won}", source=msg("Other"),
                new=compared(2, 1), qualified="0%", opportunity="0%", won="0%")  # fmt: skip
    assert other in text
    assert msg("{month}: {n}, {amount}, weighted {weighted}", month="December 2026", n=1, amount="$300",
               weighted="$150") in text  # fmt: skip
    assert msg("{month}: {n}, {amount}, weighted {weighted}", month="January 2027", n=0, amount="0",
               weighted="0") in text  # fmt: skip
    assert msg("Past their expected close: {n}", n=1) in text
    assert "Secret" not in text and "example.com" not in text
    chart = view.chart_of(t, s, "Acme sales")  # the chart's panel beside the funnel
    assert chart.sources_title == msg("New records by source")
    assert chart.sources[0] == (
        msg("Referral"),
        5,
        msg("qualified {qualified} · won {won}", qualified="40%", won="20%"),
    )
    assert [label for label, _, _ in chart.sources] == [msg("Referral"), msg("Other")]
    empty = await compute(db, people["team"], maths.complete_period("week", datetime(2025, 6, 1, tzinfo=UTC), ZAGREB))
    _, text = view.render_summary(t, empty, title="Acme sales")
    assert msg("No new records in the period.") in text
    assert view.chart_of(t, empty, "Acme sales").sources == []  # no panel


async def test_funnel_in_the_group_shows_the_sources_without_contacts(db, tg):
    people = await build(db)
    rep1 = people["rep1"]
    async with db.begin(Scope.system()) as s:
        for i in range(5):
            s.add(Lead(
                team_id=rep1.team_id, owner_id=rep1.id, code=f"now{i}", first_name=f"Secret{i}",
                emails=[f"now{i}@example.com"], source=LeadSource.BOUGHT_LIST, created_at=utcnow(),
            ))  # fmt: skip
    rep = tg.person(rep1.telegram_user_id, "Rita")
    calls = await rep.send("/funnel week", chat_id=GROUP)
    shown = "\n".join(texts(calls))
    line = msg("{source}: {new} new · {qualified} · {opportunity} · {won}", source=msg("Bought list"), new=5,
               qualified="0%", opportunity="0%", won="0%")  # fmt: skip
    assert line in shown
    assert msg("<b>Forecast</b> (open opportunities by expected close)") in shown
    assert "Secret" not in shown and "example.com" not in shown


async def test_conversion_and_speed_by_rep_next_to_the_team(db, tg):
    people = await build(db)
    t = state_of(tg.app).catalogs.get("en")
    s = await compute(db, people["team"], maths.complete_period("day", NOW, ZAGREB))
    rep1, rep2 = s.current.per_rep[people["rep1"].id], s.current.per_rep[people["rep2"].id]
    assert rep1.rate(Stage.LEAD, Stage.PROSPECT) == 1.0 and rep1.avg_days == pytest.approx((5 + 14.5) / 2 / 24)
    assert rep2.rate(Stage.LEAD, Stage.PROSPECT) == 0.0 and rep2.rate(Stage.OPPORTUNITY, Stage.CUSTOMER) == 1.0
    assert s.current.team_days == pytest.approx((5 + 14.5 + 26 + 246) / 4 / 24)
    _, text = view.render_summary(t, s, title="Acme sales", by_rep=True)
    steps = "lead → prospect · prospect → opportunity · opportunity → customer"
    assert msg("<b>Conversion by rep</b> ({steps} · days in a stage)", steps=steps) in text
    assert msg("{name}: {figures}", name=msg("Team"), figures="67% · – · 100% · 3.0") in text
    assert msg("{name}: {figures}", name="rep1", figures="100% · – · – · 0.4") in text
    assert msg("{name}: {figures}", name="rep2", figures="0% · – · 100% · 5.7") in text
    _, plain = view.render_summary(t, s, title="Acme sales")
    assert msg("Team") + ":" not in plain


async def test_only_a_managers_private_funnel_shows_conversion_by_rep(db, tg):
    people = await build(db)
    header = "<b>" + msg("<b>Conversion by rep</b> ({steps} · days in a stage)", steps="").split("</b>")[0][3:]
    boss = tg.person(people["manager"].telegram_user_id, "Maja")
    rep = tg.person(people["rep1"].telegram_user_id, "Rita")
    assert header in "\n".join(texts(await boss.send("/funnel month")))
    assert header not in "\n".join(texts(await boss.send("/funnel month", chat_id=GROUP)))
    assert header not in "\n".join(texts(await rep.send("/funnel month")))


async def test_the_months_summary_has_the_periods_cards_by_event(db, tg):
    people = await build(db)
    await with_sources(db, people)
    async with db.begin(Scope.system()) as s:
        await s.exec(
            update(Lead).where(Lead.code.in_(("n1", "n2"))).values(source=LeadSource.MEETING, source_detail="Expo")
        )
    t = state_of(tg.app).catalogs.get("en")
    month = await compute(db, people["team"], maths.period_to_date("month", NOW, ZAGREB))
    [expo] = month.events
    assert (expo.name, expo.figures.new, expo.figures.won) == ("Expo", 2, 1)
    _, text = view.render_summary(t, month, title="Acme sales")
    assert msg("<b>Events</b> (the period's cards · qualified · opportunities · won)") in text
    line = msg("<b>{name}</b>: {cards} · {qualified} · {opportunities} · {won}", name="Expo", cards=2,
               qualified="50%", opportunities=2, won=1)  # fmt: skip
    assert line + "; " + msg("worth {money}", money="€500") in text
    week = await compute(db, people["team"], maths.complete_period("week", NOW, ZAGREB))
    assert week.events == []  # a month's or a quarter's only
