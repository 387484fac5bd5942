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
from zoneinfo import ZoneInfo

from sqlalchemy import and_, extract, false, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import nudges as rules
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
        seen: dict[int, Lead] = {}
        for _, lead in (*self.overdue, *self.today):
            if lead is not None:
                seen.setdefault(lead.id, lead)  # type: ignore[arg-type]
        for section in (self.escalated, self.stalled, self.past_close, self.birthdays):
            for lead in section.items:
                seen.setdefault(lead.id, lead)  # type: ignore[arg-type]
        return list(seen.values())


async def plan_briefs(session: AsyncSession, *, now: datetime) -> int:
    """Make sure every active member with a timezone has a row for their next morning."""
    rows = await session.exec(
        select(Member, Team)
        .join(Team, Team.id == Member.team_id)  # type: ignore[arg-type]
        .where(Member.is_active, Member.timezone.is_not(None))  # type: ignore[union-attr]
    )
    wanted: dict[str, Reminder] = {}
    for member, team in rows.all():
        if not rules.NudgeSettings.of(team.settings).any_on:
            continue
        at = rules.next_morning(now, member.timezone or team.timezone)
        key = rules.brief_key(member.id, at.date())  # type: ignore[arg-type]
        wanted[key] = Reminder(
            team_id=member.team_id,
            owner_id=member.id,  # type: ignore[arg-type]
            kind=ReminderKind.DIGEST,
            due_at=at,
            dedupe_key=key,
        )
    if not wanted:
        return 0
    existing = set(
        (await session.exec(select(Reminder.dedupe_key).where(Reminder.dedupe_key.in_(list(wanted))))).all()  # type: ignore[union-attr]
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


def _quiet_since() -> object:
    return func.coalesce(Lead.last_activity_at, Lead.created_at)


def _stalled(settings: rules.NudgeSettings, now: datetime, periods: int) -> object:
    """Open, unparked records quiet for `periods` of their stage's stalled days."""
    by_stage = [
        and_(Lead.stage == stage, _quiet_since() <= cutoff)
        for stage, cutoff in rules.quiet_since(settings, now, periods).items()
    ]
    return and_(Lead.parked == false(), or_(*by_stage))


async def _section(session: AsyncSession, query: object, order: object) -> Section:
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()  # type: ignore[attr-defined]
    if not total:
        return Section()
    items = list((await session.exec(query.order_by(order).limit(rules.LIST_LIMIT))).all())  # type: ignore[attr-defined]
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
            .outerjoin(Lead, Lead.id == Reminder.lead_id)  # type: ignore[arg-type]
            .where(Reminder.owner_id == member.id, Reminder.kind.in_(FOLLOW_UPS))  # type: ignore[attr-defined]
        )
        today_rows = await session.exec(
            mine.where(
                Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.SENT)),  # type: ignore[attr-defined]
                Reminder.due_at >= start,
                Reminder.due_at < end,
            )
            .order_by(Reminder.due_at)
            .limit(rules.LIST_LIMIT)
        )
        result.today = [(r, lead) for r, lead in today_rows.all()]
        overdue_rows = await session.exec(
            mine.where(Reminder.status == ReminderStatus.SENT, Reminder.due_at < start)
            .order_by(Reminder.due_at)
            .limit(rules.LIST_LIMIT)
        )
        result.overdue = [(r, lead) for r, lead in overdue_rows.all()]
    own = select(Lead).where(Lead.owner_id == member.id)
    if settings.on("stalled"):
        fresh = or_(Lead.stall_nudged_at.is_(None), Lead.stall_nudged_at < _quiet_since())  # type: ignore[union-attr,operator]
        result.stalled = await _section(session, own.where(_stalled(settings, now, 1), fresh), _quiet_since())
    if settings.on("escalate") and member.role.sees_team:
        # Shown to every manager that morning: the stamp of today's first brief does not hide it.
        fresh = or_(
            Lead.stall_escalated_at.is_(None),  # type: ignore[union-attr]
            Lead.stall_escalated_at < _quiet_since(),  # type: ignore[operator]
            Lead.stall_escalated_at >= start,  # type: ignore[operator]
        )
        team_leads = select(Lead).where(Lead.team_id == member.team_id)
        result.escalated = await _section(session, team_leads.where(_stalled(settings, now, 2), fresh), _quiet_since())
        owner_ids = {lead.owner_id for lead in result.escalated.items}
        if owner_ids:
            names = await session.exec(select(Member).where(Member.id.in_(owner_ids)))  # type: ignore[union-attr]
            result.owners = {m.id: m.display_name for m in names.all()}  # type: ignore[misc]
    if settings.on("close_date"):
        past = own.where(
            Lead.stage == Stage.OPPORTUNITY,
            Lead.expected_close_date.is_not(None),  # type: ignore[union-attr]
            Lead.expected_close_date < today,  # type: ignore[operator]
        )
        result.past_close = await _section(session, past, Lead.expected_close_date)
    if settings.on("birthday"):
        same_day = or_(
            *(
                and_(extract("month", Lead.birthday) == m, extract("day", Lead.birthday) == d)
                for m, d in rules.birthday_days(today)
            )
        )
        born = own.where(Lead.birthday.is_not(None), same_day, Lead.stage != Stage.LOST)  # type: ignore[union-attr]
        result.birthdays = await _section(session, born, Lead.id)
    return result


async def stamp(session: AsyncSession, told: Brief, *, now: datetime) -> None:
    """Remember which quiet records were named, so that each is named once per quiet spell."""
    stalled = [lead.id for lead in told.stalled.items]
    escalated = [lead.id for lead in told.escalated.items]
    if stalled:
        await session.exec(update(Lead).where(Lead.id.in_(stalled)).values(stall_nudged_at=now))  # type: ignore[union-attr]
    if escalated:
        await session.exec(
            update(Lead)
            .where(
                Lead.id.in_(escalated),  # type: ignore[union-attr]
                or_(Lead.stall_escalated_at.is_(None), Lead.stall_escalated_at < _quiet_since()),  # type: ignore[union-attr,operator]
            )
            .values(stall_escalated_at=now)
        )
