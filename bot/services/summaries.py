"""Funnel summaries: the figures of a period (read through the session's scope, so a rep's private
/funnel counts their own records and a group's counts the team's), and group subscriptions with
their schedule, claimed like reminders so each period's summary goes out once.

Every query reads an index made for it: records per stage and stalled records from
(team, stage, parked, last activity), new records from (team, created), a period's moves, their
members and the time spent in the stage left from (team, at, event, from, to, member, seconds).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, false, func, or_, true, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.domain import nudges as nudge_rules
from bot.domain import qualification as qualification_rules
from bot.domain import sources as source_maths
from bot.domain import summary as maths
from bot.services import leases
from bot.services import sources as source_rows
from models import (
    GroupSubscription,
    HistoryEvent,
    Lead,
    Member,
    Stage,
    StageChange,
    StageTally,
    Team,
)
from models.errors import N_, DomainError
from models.reminder import GroupLink

LEASE = timedelta(minutes=5)
TOP_REASONS = 3


# event, from, to, member, rows, seconds spent in the stage left, rows with that time
HistoryRow = tuple[HistoryEvent, Stage | None, Stage, int | None, int, int, int]
Moves = dict[tuple[Stage | None, Stage], int]


async def _history(session: AsyncSession, team_id: int, start: datetime, end: datetime) -> list[HistoryRow]:
    """One pass over the period's history rows (new records and moves), grouped by event, from, to
    and member: counts and the time spent in the stage left. Read from the covering index alone."""
    # Seven columns: more than sqlmodel's select() is typed for, hence its Select class and a cast.
    query = cast(
        "Select[HistoryEvent, Stage | None, Stage, int | None, int, int, int]",
        Select(
            col(StageChange.event),
            col(StageChange.from_stage),
            col(StageChange.to_stage),
            col(StageChange.member_id),
            func.count(),
            func.coalesce(func.sum(col(StageChange.seconds_in_stage)), 0),
            func.count(col(StageChange.seconds_in_stage)),
        )
        .where(
            col(StageChange.team_id) == team_id,
            col(StageChange.at) >= start,
            col(StageChange.at) < end,
            col(StageChange.event).in_((HistoryEvent.CREATED, HistoryEvent.MOVED)),
        )
        .group_by(
            col(StageChange.event), col(StageChange.from_stage), col(StageChange.to_stage), col(StageChange.member_id)
        ),
    )
    rows = await session.exec(query)
    return [
        (event, from_stage, to_stage, member, int(n), int(total), int(timed))
        for event, from_stage, to_stage, member, n, total, timed in rows.all()
    ]


def _moves_of(history: list[HistoryRow]) -> Moves:
    moves: Moves = defaultdict(int)
    for _, from_stage, to_stage, _, n, _, _ in history:
        moves[(from_stage, to_stage)] += n
    return dict(moves)


async def _flow(session: AsyncSession, team_id: int, start: datetime, end: datetime) -> tuple[maths.Flow, Moves]:
    """What happened in [start, end), and its history rows by (from, to) (new records included)."""
    flow = maths.Flow()
    history = await _history(session, team_id, start, end)
    per_rep: dict[int, maths.RepRow] = defaultdict(maths.RepRow)
    seconds: dict[Stage, list[int]] = defaultdict(lambda: [0, 0])
    for event, from_stage, to_stage, member, n, total, timed in history:
        if event is not HistoryEvent.MOVED or from_stage is None:
            continue
        flow.moves[(from_stage, to_stage)] = flow.moves.get((from_stage, to_stage), 0) + n
        seconds[from_stage][0] += int(total)
        seconds[from_stage][1] += timed
        flow.seconds += int(total)
        flow.timed += timed
        if member is not None:
            rep = per_rep[member]
            rep.moves[(from_stage, to_stage)] = rep.moves.get((from_stage, to_stage), 0) + n
            rep.seconds += int(total)
            rep.timed += timed
            rank_from, rank_to = maths.STAGE_RANK.get(from_stage), maths.STAGE_RANK.get(to_stage)
            if rank_from is not None and rank_to is not None and rank_to > rank_from:
                per_rep[member].advanced += n
            if to_stage is Stage.CUSTOMER:
                per_rep[member].won += n
    flow.avg_days = {stage: total / timed / 86400 for stage, (total, timed) in seconds.items() if timed}
    # New records per owner (the index on team, created, owner).
    created = await session.exec(
        select(col(Lead.owner_id), func.count())
        .where(col(Lead.team_id) == team_id, col(Lead.created_at) >= start, col(Lead.created_at) < end)
        .group_by(col(Lead.owner_id))
    )
    for owner, n in created.all():
        per_rep[owner].new = n
        flow.new += n
    # Won and lost: the records closed in the period (and still closed), with values and reasons.
    closed = await session.exec(
        select(col(Lead.stage), col(Lead.currency), col(Lead.deal_amount), col(Lead.lost_reason)).where(
            col(Lead.team_id) == team_id,
            col(Lead.closed_at) >= start,
            col(Lead.closed_at) < end,
        )
    )
    won_value: dict[str, Decimal] = defaultdict(Decimal)
    reasons: dict[str, int] = defaultdict(int)
    for stage, currency, amount, reason in closed.all():
        if stage is Stage.CUSTOMER:
            flow.won += 1
            if amount is not None:
                won_value[currency or ""] += amount
        elif stage is Stage.LOST:
            flow.lost += 1
            reasons[reason or "other"] += 1
    flow.won_value = dict(won_value)
    flow.lost_reasons = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
    flow.per_rep = dict(per_rep)
    return flow, _moves_of(history)


async def compute(
    session: AsyncSession,
    team: Team,
    period: maths.Period,
    *,
    now: datetime,
    snapshot: dict[str, Any] | None = None,
    team_wide: bool = True,
) -> maths.Summary:
    """Every figure of the summary for `period`, as the session's scope sees the team (`team_wide`
    False when that scope is one rep's)."""
    team_id = team.id
    if team_id is None:
        raise ValueError("an unsaved team has no summary")
    # Records per stage, parked or not; the stalled ones are the unparked ones minus those active
    # recently (a short range of an index).
    by_stage: dict[Stage, int] = defaultdict(int)
    unparked: dict[Stage, int] = defaultdict(int)
    if team_wide:  # the counters the database keeps (see StageTally)
        counted = select(col(StageTally.stage), col(StageTally.parked), col(StageTally.n)).where(
            col(StageTally.team_id) == team_id
        )
    else:  # a rep's own records: few enough to count
        counted = (
            select(col(Lead.stage), col(Lead.parked), func.count())
            .where(col(Lead.team_id) == team_id)
            .group_by(col(Lead.stage), col(Lead.parked))
        )
    for stage, parked, n in (await session.exec(counted)).all():
        by_stage[stage] += n
        if not parked:
            unparked[stage] += n
    stages = dict(by_stage)
    weighted_rows = await session.exec(
        select(col(Lead.currency), func.sum(col(Lead.deal_amount) * col(Lead.probability)))
        .where(
            col(Lead.team_id) == team_id,
            col(Lead.stage) == Stage.OPPORTUNITY,
            col(Lead.deal_amount).is_not(None),
            col(Lead.probability).is_not(None),
        )
        .group_by(col(Lead.currency))
    )
    weighted = {
        (c or team.currency): (Decimal(str(v)) / 100).quantize(Decimal("0.01")) for c, v in weighted_rows.all() if v
    }
    settings = nudge_rules.NudgeSettings.of(team.settings)
    stalled = 0
    for stage, cutoff in nudge_rules.quiet_since(settings, now).items():
        active = (
            await session.exec(
                select(func.count())
                .select_from(Lead)
                .where(
                    col(Lead.team_id) == team_id,
                    col(Lead.stage) == stage,
                    col(Lead.parked) == false(),
                    col(Lead.last_activity_at) > cutoff,
                )
            )
        ).one()
        stalled += max(0, unparked.get(stage, 0) - active)
    parked_due = (
        await session.exec(
            select(func.count())
            .select_from(Lead)
            .where(
                col(Lead.team_id) == team_id,
                col(Lead.parked_until) >= now,
                col(Lead.parked_until) < now + timedelta(days=7),
                col(Lead.parked) == true(),
            )
        )
    ).one()
    current, since = await _flow(session, team_id, period.start, period.end)
    previous, _ = await _flow(session, team_id, period.prev_start, period.prev_end)
    if period.end < now:  # a finished period: add what has happened since it ended
        for key, n in _moves_of(await _history(session, team_id, period.end, now)).items():
            since[key] = since.get(key, 0) + n
    pass_mark = qualification_rules.Settings.of(team.settings).pass_mark
    by_source = source_maths.by_source(
        await source_rows.cohort(session, team_id, period.start, period.end, pass_mark=pass_mark),
        currency=team.currency,
    )
    before = source_maths.tally(
        await source_rows.cohort(session, team_id, period.prev_start, period.prev_end, pass_mark=pass_mark),
        currency=team.currency,
    )
    forecast = source_maths.forecast(
        await source_rows.open_deals(session, team_id),
        today=now.astimezone(ZoneInfo(team.timezone)).date(),
        currency=team.currency,
    )
    events = []
    if period.kind in ("month", "quarter"):  # the monthly summary: the period's cards by event
        events = await source_rows.period_events(
            session, team_id, period.start, period.end, pass_mark=pass_mark, currency=team.currency
        )
    rep_ids = set(current.per_rep) | set(previous.per_rep)
    names: dict[int, str] = {}
    if rep_ids:
        reps = await session.exec(select(Member).where(col(Member.id).in_(rep_ids)))
        names = {m.id: m.display_name for m in reps.all() if m.id is not None}
    return maths.Summary(
        period=period,
        stages={s: stages.get(s, 0) for s in Stage},
        stages_before=maths.stages_at_start(stages, since),
        weighted=weighted,
        stalled=stalled,
        parked_due=parked_due,
        current=current,
        previous=previous,
        rep_names=names,
        snapshot_before=snapshot or {},
        sources=by_source,
        sources_before=source_maths.regroup(before, by_source),
        forecast=forecast,
        events=events,
    )


# --- groups linked to a team ----------------------------------------------------------------------

NOT_LINKED = N_("This group is not linked to a team. A manager of the team links it with /link.")
OTHER_TEAM = N_("This group is linked to another team.")


async def link_of(session: AsyncSession, chat_id: int) -> GroupLink | None:
    """The team the group belongs to, if any (run with the system scope)."""
    found = await session.exec(select(GroupLink).where(col(GroupLink.chat_id) == chat_id))
    return found.first()


async def team_group(session: AsyncSession, chat_id: int, member: Member) -> GroupLink:
    """The group's link, when it belongs to `member`'s team; otherwise a refusal (never a figure)."""
    link = await link_of(session, chat_id)
    if link is None:
        raise DomainError(NOT_LINKED)
    if link.team_id != member.team_id:
        raise DomainError(OTHER_TEAM)
    return link


async def link(
    session: AsyncSession, team: Team, *, chat_id: int, title: str | None, by: Member, now: datetime
) -> GroupLink:
    """Link a group to `team` (again: nothing changes but its title). Only a manager of the team may,
    and a group linked to another team stays theirs. Run with the system scope."""
    if team.id is None or by.team_id != team.id or not by.role.sees_team:
        raise DomainError(N_("Only a manager of the team can link or unlink this group."))
    found = await link_of(session, chat_id)
    if found is not None and found.team_id != team.id:
        raise DomainError(OTHER_TEAM)
    if found is None:
        found = GroupLink(team_id=team.id, chat_id=chat_id, linked_by_id=by.id, linked_at=now)
    found.chat_title = (title or "")[:256] or None
    session.add(found)
    await session.flush()
    return found


async def unlink(session: AsyncSession, chat_id: int, *, by: Member, now: datetime) -> None:
    """A manager of the group's team unlinks it: the link goes and its summaries stop."""
    await team_group(session, chat_id, by)
    if not by.role.sees_team:
        raise DomainError(N_("Only a manager of the team can link or unlink this group."))
    await session.exec(delete(GroupLink).where(col(GroupLink.chat_id) == chat_id, col(GroupLink.team_id) == by.team_id))
    await disable(session, chat_id, reason="unlinked", now=now)


async def forget_group(session: AsyncSession, chat_id: int, *, reason: str, now: datetime) -> bool:
    """The bot left the group (removed or banned): its summaries stop and it is no team's any more."""
    await session.exec(delete(GroupLink).where(col(GroupLink.chat_id) == chat_id))
    return await disable(session, chat_id, reason=reason, now=now)


# --- group subscriptions -------------------------------------------------------------------------


async def subscription_of(session: AsyncSession, chat_id: int) -> GroupSubscription | None:
    """The group's subscription, whichever team it belongs to (run with the system scope)."""
    found = await session.exec(select(GroupSubscription).where(col(GroupSubscription.chat_id) == chat_id))
    return found.first()


async def subscribe(
    session: AsyncSession,
    team: Team,
    *,
    chat_id: int,
    title: str | None,
    schedule: maths.Schedule,
    by: Member,
    now: datetime,
    thread_id: int | None = None,
) -> GroupSubscription:
    """Subscribe a group to `team`'s summaries on `schedule` (again, if it was). Only a manager of
    the team may, and a group belongs to one team. In a forum supergroup the summaries go to the
    topic it was sent in (`thread_id`; None: the main chat). Run with the system scope (a group's
    row is looked up whichever team holds it)."""
    if team.id is None or by.team_id != team.id or not by.role.sees_team:
        raise DomainError(N_("Only a manager of the team can subscribe this group."))
    await team_group(session, chat_id, by)  # a group gets summaries once it is linked to the team
    sub = await subscription_of(session, chat_id)
    if sub is not None and sub.team_id != team.id:
        raise DomainError(N_("This group already receives another team's summaries."))
    if sub is None:
        sub = GroupSubscription(team_id=team.id, chat_id=chat_id)
    sub.chat_title = (title or "")[:256] or None
    sub.message_thread_id = thread_id
    sub.period, sub.weekday, sub.local_time = schedule.period, schedule.weekday, schedule.local_time
    sub.enabled, sub.disabled_reason = True, None
    sub.created_by_id = by.id
    sub.next_due_at = maths.next_run(schedule.period.value, schedule.weekday, schedule.local_time, now, team.timezone)
    sub.updated_at = now
    session.add(sub)
    await session.flush()
    return sub


async def unsubscribe(session: AsyncSession, chat_id: int, *, by: Member, now: datetime) -> None:
    """Stop a group's summaries: only a manager of the team it belongs to may. Run with the system
    scope; the UPDATE itself names the team and the enabled row."""
    sub = await subscription_of(session, chat_id)
    if sub is None or not sub.enabled or sub.team_id != by.team_id:
        raise DomainError(N_("This chat has no summaries to stop."))
    if not by.role.sees_team:
        raise DomainError(N_("Only a manager of the team can unsubscribe this group."))
    result = await session.exec(
        update(GroupSubscription)
        .where(
            col(GroupSubscription.chat_id) == chat_id,
            col(GroupSubscription.team_id) == by.team_id,
            col(GroupSubscription.enabled),
        )
        .values(enabled=False, disabled_reason="unsubscribed", lease_owner=None, lease_until=None, updated_at=now)
    )
    if not result.rowcount:
        raise DomainError(N_("This chat has no summaries to stop."))


async def claim_due(session: AsyncSession, *, now: datetime, owner: str, limit: int = 10) -> list[GroupSubscription]:
    linked = exists().where(
        col(GroupLink.chat_id) == col(GroupSubscription.chat_id),
        col(GroupLink.team_id) == col(GroupSubscription.team_id),
    )
    due = (
        select(col(GroupSubscription.id))
        .where(
            col(GroupSubscription.enabled),
            linked,  # only a group linked to the subscription's team gets summaries
            col(GroupSubscription.next_due_at) <= now,
            or_(col(GroupSubscription.lease_until).is_(None), col(GroupSubscription.lease_until) < now),
        )
        .order_by(col(GroupSubscription.next_due_at))
        .limit(limit)
    )
    return await leases.claim(
        session,
        GroupSubscription,
        col(GroupSubscription.id),
        due,
        col(GroupSubscription.next_due_at),
        lease_owner=owner,
        lease_until=now + LEASE,
        updated_at=now,
    )


async def mark_done(
    session: AsyncSession,
    sub_id: int,
    *,
    key: str | None,
    snapshot: dict[str, Any] | None,
    now: datetime,
    zone: str,
) -> None:
    """Sent (or nothing to send for this period): remember the period and schedule the next one."""
    sub = await session.get(GroupSubscription, sub_id)
    if sub is None:
        return
    if key is not None:
        sub.last_period_key = key
    if snapshot is not None:
        sub.last_snapshot = snapshot
    sub.next_due_at = maths.next_run(sub.period.value, sub.weekday, sub.local_time, now, zone)
    sub.lease_owner, sub.lease_until, sub.updated_at = None, None, now
    session.add(sub)


async def disable(session: AsyncSession, chat_id: int, *, reason: str, now: datetime) -> bool:
    result = await session.exec(
        update(GroupSubscription)
        .where(col(GroupSubscription.chat_id) == chat_id, col(GroupSubscription.enabled))
        .values(enabled=False, disabled_reason=reason[:300], lease_owner=None, lease_until=None, updated_at=now)
    )
    return bool(result.rowcount)


async def close_topic(session: AsyncSession, chat_id: int, thread_id: int, *, now: datetime) -> int | None:
    """A forum topic was closed: when the group's summaries go to it, they are switched off (as for
    a group the bot left). Returns the subscription's team when they were."""
    result = await session.exec(
        update(GroupSubscription)
        .where(
            col(GroupSubscription.chat_id) == chat_id,
            col(GroupSubscription.message_thread_id) == thread_id,
            col(GroupSubscription.enabled),
        )
        .values(enabled=False, disabled_reason="topic closed", lease_owner=None, lease_until=None, updated_at=now)
        .returning(col(GroupSubscription.team_id))
    )
    return result.scalar_one_or_none()


async def migrate(session: AsyncSession, old_chat_id: int, new_chat_id: int, *, now: datetime) -> bool:
    """The group became a supergroup: its link and subscription follow it to its new id."""
    if await link_of(session, new_chat_id) is None:
        await session.exec(update(GroupLink).where(col(GroupLink.chat_id) == old_chat_id).values(chat_id=new_chat_id))
    if await subscription_of(session, new_chat_id) is not None:
        return False
    result = await session.exec(
        update(GroupSubscription)
        .where(col(GroupSubscription.chat_id) == old_chat_id)
        .values(chat_id=new_chat_id, updated_at=now)
    )
    return bool(result.rowcount)
