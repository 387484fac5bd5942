"""Reminder delivery bookkeeping: claim due rows with a lease, then record what happened.

The database is the truth. A row is claimed atomically (PostgreSQL: FOR UPDATE SKIP LOCKED, so two
bot processes never take the same row; SQLite: one writer at a time under BEGIN IMMEDIATE) and
leased for two minutes. A process that dies mid-send leaves the lease to expire and the row is
sent again: at least once, at most one duplicate per crash, never a silent loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import leases
from models import Activity, Lead, Member, Reminder, ReminderKind, ReminderStatus, Team
from models.errors import AccessDenied

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
LATE_AFTER = timedelta(minutes=5)


async def claim_due(session: AsyncSession, *, now: datetime, owner: str, limit: int = 20) -> list[Reminder]:
    due = (
        select(Reminder.id)
        .where(
            or_(
                and_(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now),
                and_(Reminder.status == ReminderStatus.SENDING, Reminder.lease_until < now),  # type: ignore[operator]
            )
        )
        .order_by(Reminder.due_at)
        .limit(limit)
    )
    return await leases.claim(
        session,
        Reminder,
        due,
        Reminder.due_at,
        status=ReminderStatus.SENDING,
        lease_owner=owner,
        lease_until=now + LEASE,
        attempts=Reminder.attempts + 1,
        updated_at=now,
    )


@dataclass
class Context:
    member: Member | None
    team: Team | None
    lead: Lead | None
    note: Activity | None


async def contexts_of(session: AsyncSession, due: list[Reminder]) -> dict[int, Context]:
    """Everything the messages of a claimed batch need, in four queries whatever the batch size."""
    if not due:
        return {}

    def ids(values: Any) -> list[int]:
        return sorted({v for v in values if v is not None})

    member_rows = await session.exec(select(Member).where(Member.id.in_(ids(r.owner_id for r in due))))  # type: ignore[union-attr]
    members = {m.id: m for m in member_rows.all()}
    team_rows = await session.exec(select(Team).where(Team.id.in_(ids(r.team_id for r in due))))  # type: ignore[union-attr]
    teams = {t.id: t for t in team_rows.all()}
    lead_ids = ids(r.lead_id for r in due)
    leads: dict[int | None, Lead] = {}
    notes: dict[int, Activity] = {}
    if lead_ids:
        leads = {lead.id: lead for lead in (await session.exec(select(Lead).where(Lead.id.in_(lead_ids)))).all()}  # type: ignore[union-attr]
        newest = (
            select(
                Activity.id,
                func.row_number()
                .over(partition_by=Activity.lead_id, order_by=(Activity.at.desc(), Activity.id.desc()))  # type: ignore[union-attr]
                .label("n"),
            )
            .where(Activity.lead_id.in_(lead_ids))  # type: ignore[attr-defined]
            .subquery()
        )
        note_rows = await session.exec(
            select(Activity).join(newest, newest.c.id == Activity.id).where(newest.c.n == 1)  # type: ignore[arg-type]
        )
        notes = {a.lead_id: a for a in note_rows.all()}
    return {
        r.id: Context(  # type: ignore[misc]
            member=members.get(r.owner_id),
            team=teams.get(r.team_id),
            lead=leads.get(r.lead_id),
            note=notes.get(r.lead_id) if r.lead_id is not None else None,
        )
        for r in due
    }


async def context_of(session: AsyncSession, reminder: Reminder) -> tuple[Member | None, Lead | None, Activity | None]:
    """One reminder's member, record and last note."""
    ctx = (await contexts_of(session, [reminder]))[reminder.id]  # type: ignore[index]
    return ctx.member, ctx.lead, ctx.note


async def mark_sent(
    session: AsyncSession,
    reminder_id: int,
    *,
    now: datetime,
    chat_id: int | None,
    message_id: int | None,
    late: bool,
    note: str | None = None,
) -> None:
    await session.exec(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(
            status=ReminderStatus.SENT,
            sent_at=now,
            chat_id=chat_id,
            message_id=message_id,
            late=late,
            lease_until=None,
            last_error=note,
            updated_at=now,
        )
    )


async def mark_failed(session: AsyncSession, reminder: Reminder, *, now: datetime, error: str, blocked: bool) -> None:
    await session.exec(
        update(Reminder)
        .where(Reminder.id == reminder.id)
        .values(status=ReminderStatus.FAILED, last_error=error[:300], lease_until=None, updated_at=now)
    )
    if blocked:  # the rep blocked the bot: stop writing to them until they come back
        await session.exec(
            update(Member).where(Member.id == reminder.owner_id).values(is_active=False, blocked_at=now, updated_at=now)
        )


async def release(session: AsyncSession, reminder_ids: list[int], *, now: datetime) -> None:
    """Put claimed rows back (they were not sent: Telegram asked us to wait); the attempt is not
    counted against them."""
    await session.exec(
        update(Reminder)
        .where(Reminder.id.in_(reminder_ids), Reminder.status == ReminderStatus.SENDING)  # type: ignore[union-attr]
        .values(
            status=ReminderStatus.PENDING,
            lease_owner=None,
            lease_until=None,
            attempts=Reminder.attempts - 1,
            updated_at=now,
        )
    )


async def rearm(session: AsyncSession, member: Member, *, now: datetime) -> int:
    """A member who blocked the bot is back: their follow-ups that failed meanwhile are due again
    (they go out at the next poll, marked late). Morning briefs of past days are not repeated."""
    result = await session.exec(
        update(Reminder)
        .where(
            Reminder.owner_id == member.id,
            Reminder.status == ReminderStatus.FAILED,
            Reminder.kind.in_((ReminderKind.FOLLOW_UP, ReminderKind.CUSTOM)),  # type: ignore[attr-defined]
        )
        .values(status=ReminderStatus.PENDING, attempts=0, lease_owner=None, lease_until=None, updated_at=now)
    )
    return int(result.rowcount or 0)


async def close_quietly(session: AsyncSession, reminder_id: int, *, now: datetime) -> None:
    """A morning brief with nothing in it: done without a message."""
    await session.exec(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(status=ReminderStatus.CANCELLED, lease_until=None, last_error="nothing to say", updated_at=now)
    )


async def get_own(session: AsyncSession, reminder_id: int) -> Reminder | None:
    """A reminder as the session's member sees it (reps: only their own)."""
    return (await session.exec(select(Reminder).where(Reminder.id == reminder_id))).first()


async def done(session: AsyncSession, reminder: Reminder, *, by: Member, now: datetime) -> None:
    """The rep followed up: the reminder is done and the record gets a follow-up activity."""
    from models import ActivityKind

    reminder.status = ReminderStatus.DONE
    reminder.updated_at = now
    session.add(reminder)
    if reminder.lead_id is not None:
        session.add(
            Activity(
                team_id=reminder.team_id,
                lead_id=reminder.lead_id,
                member_id=by.id,
                kind=ActivityKind.FOLLOW_UP,
                text="follow-up done",
                at=now,
            )
        )
        lead = (await session.exec(select(Lead).where(Lead.id == reminder.lead_id))).first()
        if lead is not None:
            lead.last_activity_at = now
            session.add(lead)


async def snooze(session: AsyncSession, reminder: Reminder, *, until: datetime, now: datetime) -> Reminder:
    """Put it off: this one is marked snoozed and a new pending one takes its place."""
    reminder.status = ReminderStatus.SNOOZED
    reminder.updated_at = now
    session.add(reminder)
    again = Reminder(
        team_id=reminder.team_id,
        owner_id=reminder.owner_id,
        lead_id=reminder.lead_id,
        kind=reminder.kind,
        due_at=until,
        reason=reminder.reason,
    )
    session.add(again)
    await session.flush()
    return again


async def create(
    session: AsyncSession, member: Member, *, at: datetime, text: str, lead_id: int | None, now: datetime
) -> Reminder:
    """A reminder the rep asked for ("/remind Ana Friday 3pm call about the quote")."""
    if lead_id is not None:
        # Through the session's scope: a rep can only attach it to a record they can see.
        lead = (await session.exec(select(Lead).where(Lead.id == lead_id))).first()
        if lead is None:
            raise AccessDenied()
    reminder = Reminder(
        team_id=member.team_id,
        owner_id=member.id,  # type: ignore[arg-type]
        lead_id=lead_id,
        kind=ReminderKind.CUSTOM,
        due_at=at,
        reason=text or None,
        created_at=now,
        updated_at=now,
    )
    session.add(reminder)
    await session.flush()
    return reminder
