"""The morning brief: planned once a day per member, filled in when it is sent.

Planning writes one reminder row per member for their next 9:00, keyed so that any number of
processes planning at once still make one row. Its content is worked out at sending time, through
the member's own access scope: today's follow-ups and the overdue ones, records gone quiet, the
records quiet for a second period (managers: the whole team), opportunities past their close date
and contacts whose birthday is tomorrow. Sections the team switched off are left out; an empty
brief is not sent at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, extract, false, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from bot.domain import nudges as rules
from bot.services import leads
from models import Lead, Member, Reminder, ReminderKind, ReminderStatus, Stage, Team

FOLLOW_UPS = (ReminderKind.FOLLOW_UP, ReminderKind.CUSTOM)


@dataclass
class Section:
    items: list[Lead] = field(default_factory=list)
    more: int = 0  # records beyond those named

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class Brief:
    today: list[tuple[Reminder, Lead | None]] = field(default_factory=list)
    overdue: list[tuple[Reminder, Lead | None]] = field(default_factory=list)
    stalled: Section = field(default_factory=Section)
    escalated: Section = field(default_factory=Section)
    past_close: Section = field(default_factory=Section)
    birthdays: Section = field(default_factory=Section)
    owners: dict[int, str] = field(default_factory=dict)  # member id -> name, for escalations

    @property
    def empty(self) -> bool:
        return not (self.today or self.overdue or self.stalled or self.escalated or self.past_close or self.birthdays)

    def leads(self) -> list[Lead]:
        """Every record named, once, in the order shown (for the Open buttons)."""
        seen: dict[int | None, Lead] = {}
        for _, lead in (*self.overdue, *self.today):
            if lead is not None:
                seen.setdefault(lead.id, lead)
        for section in (self.escalated, self.stalled, self.past_close, self.birthdays):
            for lead in section.items:
                seen.setdefault(lead.id, lead)
        return list(seen.values())


async def plan_briefs(session: AsyncSession, *, now: datetime) -> int:
    """Make sure every active member with a timezone has a row for their next morning."""
    rows = await session.exec(
        select(Member, Team)
        .join(Team, col(Team.id) == col(Member.team_id))
        .where(col(Member.is_active), col(Member.timezone).is_not(None))
    )
    wanted: dict[str, Reminder] = {}
    for member, team in rows.all():
        if member.id is None or not rules.NudgeSettings.of(team.settings).any_on:
            continue
        at = rules.next_morning(now, member.timezone or team.timezone)
        key = rules.brief_key(member.id, at.date())
        wanted[key] = Reminder(
            team_id=member.team_id,
            owner_id=member.id,
            kind=ReminderKind.DIGEST,
            due_at=at,
            dedupe_key=key,
        )
    if not wanted:
        return 0
    existing = set(
        (await session.exec(select(col(Reminder.dedupe_key)).where(col(Reminder.dedupe_key).in_(list(wanted))))).all()
    )
    new = [r for key, r in wanted.items() if key not in existing]
    for reminder in new:
        # One savepoint each: a row another process planned a moment ago is simply skipped.
        try:
            async with session.begin_nested():
                session.add(reminder)
        except IntegrityError:
            continue
    return len(new)


def _quiet_since() -> ColumnElement[datetime]:
    """When a record last showed activity (its creation, if none since)."""
    return func.coalesce(col(Lead.last_activity_at), col(Lead.created_at))


def _stalled(settings: rules.NudgeSettings, now: datetime, periods: int) -> ColumnElement[bool]:
    """Open, unparked records quiet for `periods` of their stage's stalled days."""
    by_stage = [
        and_(col(Lead.stage) == stage, _quiet_since() <= cutoff)
        for stage, cutoff in rules.quiet_since(settings, now, periods).items()
    ]
    return and_(col(Lead.parked) == false(), or_(*by_stage))


async def _section(
    session: AsyncSession, query: SelectOfScalar[Lead], *order: ColumnElement[Any] | Mapped[Any]
) -> Section:
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    if not total:
        return Section()
    items = list((await session.exec(query.order_by(*order).limit(rules.LIST_LIMIT))).all())
    return Section(items=items, more=max(0, total - len(items)))


async def brief(session: AsyncSession, member: Member, team: Team, *, now: datetime, zone: str) -> Brief:
    """What `member` should hear this morning. Run it in the member's own scope."""
    settings = rules.NudgeSettings.of(team.settings)
    today = now.astimezone(ZoneInfo(zone)).date()
    start, end = rules.local_day_bounds(today, zone)
    result = Brief()
    if settings.on("digest"):
        mine = (
            select(Reminder, Lead)
            .outerjoin(Lead, col(Lead.id) == col(Reminder.lead_id))
            .where(col(Reminder.owner_id) == member.id, col(Reminder.kind).in_(FOLLOW_UPS))
        )
        today_rows = await session.exec(
            mine.where(
                col(Reminder.status).in_((ReminderStatus.PENDING, ReminderStatus.SENT)),
                col(Reminder.due_at) >= start,
                col(Reminder.due_at) < end,
            )
            .order_by(col(Reminder.due_at))
            .limit(rules.LIST_LIMIT)
        )
        result.today = [(r, lead) for r, lead in today_rows.all()]
        overdue_rows = await session.exec(
            mine.where(col(Reminder.status) == ReminderStatus.SENT, col(Reminder.due_at) < start)
            .order_by(col(Reminder.due_at))
            .limit(rules.LIST_LIMIT)
        )
        result.overdue = [(r, lead) for r, lead in overdue_rows.all()]
    own = select(Lead).where(col(Lead.owner_id) == member.id)
    if settings.on("stalled"):
        fresh = or_(col(Lead.stall_nudged_at).is_(None), col(Lead.stall_nudged_at) < _quiet_since())
        # The most valuable first (bot/domain/sources.py, `lead_value`), then the longest quiet.
        result.stalled = await _section(
            session, own.where(_stalled(settings, now, 1), fresh), leads.value_of().desc(), _quiet_since()
        )
    if settings.on("escalate") and member.role.sees_team:
        # Shown to every manager that morning: the stamp of today's first brief does not hide it.
        fresh = or_(
            col(Lead.stall_escalated_at).is_(None),
            col(Lead.stall_escalated_at) < _quiet_since(),
            col(Lead.stall_escalated_at) >= start,
        )
        team_leads = select(Lead).where(col(Lead.team_id) == member.team_id)
        result.escalated = await _section(session, team_leads.where(_stalled(settings, now, 2), fresh), _quiet_since())
        owner_ids = {lead.owner_id for lead in result.escalated.items}
        if owner_ids:
            names = await session.exec(select(Member).where(col(Member.id).in_(owner_ids)))
            result.owners = {m.id: m.display_name for m in names.all() if m.id is not None}
    if settings.on("close_date"):
        past = own.where(
            col(Lead.stage) == Stage.OPPORTUNITY,
            col(Lead.expected_close_date).is_not(None),
            col(Lead.expected_close_date) < today,
        )
        result.past_close = await _section(session, past, col(Lead.expected_close_date))
    if settings.on("birthday"):
        same_day = or_(
            *(
                and_(extract("month", col(Lead.birthday)) == m, extract("day", col(Lead.birthday)) == d)
                for m, d in rules.birthday_days(today)
            )
        )
        born = own.where(col(Lead.birthday).is_not(None), same_day, col(Lead.stage) != Stage.LOST)
        result.birthdays = await _section(session, born, col(Lead.id))
    return result


async def stamp(session: AsyncSession, told: Brief, *, now: datetime) -> None:
    """Remember which quiet records were named, so that each is named once per quiet spell."""
    stalled = [lead.id for lead in told.stalled.items]
    escalated = [lead.id for lead in told.escalated.items]
    if stalled:
        await session.exec(update(Lead).where(col(Lead.id).in_(stalled)).values(stall_nudged_at=now))
    if escalated:
        await session.exec(
            update(Lead)
            .where(
                col(Lead.id).in_(escalated),
                or_(col(Lead.stall_escalated_at).is_(None), col(Lead.stall_escalated_at) < _quiet_since()),
            )
            .values(stall_escalated_at=now)
        )
