"""Erasure: a record and everything about it goes in one transaction (contact points, notes,
history, reminders, the raw card text, drafts and flows that name it); an audit row keeps that a
record was erased, by whom, when and why, without personal data. The stage tally follows through
its triggers on `lead`. Retention finds the records a team's retention period has run out for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, not_, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.retention import KEY, Retention
from bot.services import leads, members
from bot.services.team_settings import ManagersOnly
from models import (
    Activity,
    CardDraft,
    ContactPoint,
    ErasureAudit,
    FlowState,
    Lead,
    Member,
    Reminder,
    ReminderStatus,
    Stage,
    StageChange,
)
from models.audit import MANUAL, RETENTION
from models.errors import AccessDenied


@dataclass(frozen=True)
class Held:
    """What erasing a record takes with it (named on the confirmation)."""

    notes: int
    history: int
    reminders: int  # pending ones (cancelled, then deleted with the rest)


async def _count(session: AsyncSession, model: type[Activity] | type[StageChange], lead_id: int) -> int:
    rows = await session.exec(select(func.count()).select_from(model).where(col(model.lead_id) == lead_id))
    return int(rows.one())


async def held(session: AsyncSession, lead_id: int) -> tuple[Lead, Held]:
    """The record (if this session's member may erase it) and what goes with it."""
    lead = await leads.get_visible(session, lead_id)
    pending = await session.exec(
        select(func.count())
        .select_from(Reminder)
        .where(col(Reminder.lead_id) == lead_id, col(Reminder.status) == ReminderStatus.PENDING)
    )
    return lead, Held(
        notes=await _count(session, Activity, lead_id),
        history=await _count(session, StageChange, lead_id),
        reminders=int(pending.one()),
    )


async def erase(session: AsyncSession, lead_id: int, *, by: Member | None, now: datetime) -> Lead:
    """Erase the record `lead_id` as this session's member sees it: its owner and managers may
    (a rep's scope finds only their own records; another's id finds nothing: AccessDenied).
    `by` None: the retention job (a system session)."""
    lead = await leads.get_visible(session, lead_id, lock=True)
    await _erase(session, lead, by_id=by.id if by is not None else None, reason=MANUAL if by else RETENTION, now=now)
    return lead


async def _erase(session: AsyncSession, lead: Lead, *, by_id: int | None, reason: str, now: datetime) -> None:
    lead_id = leads.saved_id(lead.id)
    # Reminders: pending ones are cancelled first (a dispatcher that claimed one sees it gone),
    # then every reminder of the record is deleted with its text.
    await session.exec(
        update(Reminder)
        .where(col(Reminder.lead_id) == lead_id, col(Reminder.status) == ReminderStatus.PENDING)
        .values(status=ReminderStatus.CANCELLED, updated_at=now)
    )
    await session.exec(delete(Reminder).where(col(Reminder.lead_id) == lead_id))
    await session.exec(delete(ContactPoint).where(col(ContactPoint.lead_id) == lead_id))
    await session.exec(delete(Activity).where(col(Activity.lead_id) == lead_id))
    await session.exec(delete(StageChange).where(col(StageChange.lead_id) == lead_id))
    await session.exec(update(CardDraft).where(col(CardDraft.duplicate_id) == lead_id).values(duplicate_id=None))
    # Flows that hold the record (an open card, a question about it) end: their data is JSON, read
    # here rather than queried with dialect-specific JSON operators; a team has few open flows.
    flows = await session.exec(select(FlowState).where(col(FlowState.team_id) == lead.team_id))
    stale = [row.member_id for row in flows.all() if (row.data or {}).get("lead") == lead_id]
    if stale:
        await session.exec(delete(FlowState).where(col(FlowState.member_id).in_(stale)))
    await session.exec(delete(Lead).where(col(Lead.id) == lead_id))
    session.add(ErasureAudit(team_id=lead.team_id, lead_id=lead_id, erased_by_id=by_id, reason=reason, at=now))
    await session.flush()


# --- retention -------------------------------------------------------------------------------


def due(cutoff: datetime, now: datetime) -> ColumnElement[bool]:
    """Records lost, or untouched, since before `cutoff`; a record parked until a later date waits."""
    touched = func.coalesce(col(Lead.last_activity_at), col(Lead.created_at))
    lost = and_(col(Lead.stage) == Stage.LOST, col(Lead.closed_at) < cutoff)
    waiting = and_(col(Lead.parked).is_(True), col(Lead.parked_until) > now)
    return and_(or_(touched < cutoff, lost), not_(waiting))


async def count_due(session: AsyncSession, team_id: int, cutoff: datetime, now: datetime) -> int:
    rows = await session.exec(
        select(func.count()).select_from(Lead).where(col(Lead.team_id) == team_id, due(cutoff, now))
    )
    return int(rows.one())


async def erase_due(
    session: AsyncSession, team_id: int, retention: Retention, now: datetime, *, limit: int = 500
) -> int:
    """Erase up to `limit` records of the team whose retention has run out (a system session);
    nothing before retention has been on for a week. Returns how many went."""
    if not retention.on or retention.since is None or now < retention.erases_from():
        return 0
    rows = await session.exec(
        select(Lead).where(col(Lead.team_id) == team_id, due(retention.cutoff(now), now)).limit(limit)
    )
    erased = 0
    for lead in rows.all():
        await _erase(session, lead, by_id=None, reason=RETENTION, now=now)
        erased += 1
    return erased


async def set_retention(session: AsyncSession, member: Member, months: int | None, now: datetime) -> Retention:
    """A manager switches retention on for `months`, or off (None)."""
    if not member.role.sees_team:
        raise ManagersOnly()
    team = await members.get_team(session, member.team_id)
    if team is None:
        raise AccessDenied()
    changed = Retention.of(team.settings).switched(months, now)
    team.settings = {**(team.settings or {}), KEY: changed.dump()}
    session.add(team)
    return changed
