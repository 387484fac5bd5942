"""Reminders: set them, deliver them (claim due rows with a lease, then record what happened), and
handle them (Done, Snooze).

The database is the truth. A row is claimed atomically (PostgreSQL: FOR UPDATE SKIP LOCKED, so two
bot processes never take the same row; SQLite: one writer at a time under BEGIN IMMEDIATE) and
leased for two minutes. A process that dies mid-send leaves the lease to expire and the row is
sent again: at least once, at most one duplicate per crash, never a silent loss.

A row's status only moves forward, and every change says in its own UPDATE which statuses it may
change (`WHERE id = :id AND status IN (...)`): a rep's tap and the delivery loop can race (the
message exists, and its buttons work, from the moment Telegram accepts it, while the row is still
`sending`), and whichever comes second finds nothing to change instead of overwriting the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import leases
from models import Activity, ActivityKind, Lead, Member, Reminder, ReminderKind, ReminderStatus, Team
from models.errors import N_, AccessDenied, DomainError

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
LATE_AFTER = timedelta(minutes=5)
# What a rep can act on with the buttons: the reminders they set or that parking set, once their
# message exists (`sending` between the send and the write that records it).
ACTIONABLE_KINDS = (ReminderKind.FOLLOW_UP, ReminderKind.CUSTOM)
ACTIONABLE = (ReminderStatus.SENDING, ReminderStatus.SENT)


class AlreadyHandled(DomainError):
    """Done or Snooze found nothing to change: handled before, never sent, or not the member's."""

    def __init__(self) -> None:
        super().__init__(N_("This reminder was already handled."))


def _id(reminder: Reminder) -> int:
    if reminder.id is None:
        raise ValueError("an unsaved reminder")
    return reminder.id


# --- setting one ---------------------------------------------------------------------------------


async def create(
    session: AsyncSession, member: Member, *, at: datetime, text: str, lead_id: int | None, now: datetime
) -> Reminder:
    """A reminder the rep asked for ("/remind Ana Friday 3pm call about the quote"), at a future
    moment, on a record they can see (or on none)."""
    if at <= now:
        raise DomainError(N_("That time has passed. Please send the reminder again."))
    if lead_id is not None:
        # Through the session's scope: a rep can only attach it to a record they can see.
        lead = (await session.exec(select(Lead).where(col(Lead.id) == lead_id))).first()
        if lead is None:
            raise AccessDenied()
    if member.id is None:
        raise ValueError("a member without an id")
    reminder = Reminder(
        team_id=member.team_id,
        owner_id=member.id,
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


# --- handling one (its buttons) ------------------------------------------------------------------


async def get_own(session: AsyncSession, reminder_id: int) -> Reminder | None:
    """A reminder as the session's member sees it (reps: only their own)."""
    return (await session.exec(select(Reminder).where(col(Reminder.id) == reminder_id))).first()


async def record_of(session: AsyncSession, reminder: Reminder) -> Lead | None:
    """The reminder's record, if it has one the session's member can see."""
    if reminder.lead_id is None:
        return None
    return (await session.exec(select(Lead).where(col(Lead.id) == reminder.lead_id))).first()


def actionable(reminder: Reminder) -> bool:
    """Whether Done and Snooze would still act on it (as read; the UPDATE decides)."""
    return reminder.kind in ACTIONABLE_KINDS and reminder.status in ACTIONABLE


async def _close(session: AsyncSession, reminder_id: int, status: ReminderStatus, now: datetime) -> Reminder | None:
    """Set `status` on a reminder whose message is out and not yet handled, in one UPDATE through
    the session's scope (a rep: only their own); the row as it is now, or None when nothing
    changed (already handled, never sent, not theirs, or no such row)."""
    result = await session.exec(
        update(Reminder)
        .where(
            col(Reminder.id) == reminder_id,
            col(Reminder.kind).in_(ACTIONABLE_KINDS),
            col(Reminder.status).in_(ACTIONABLE),
        )
        .values(status=status, lease_until=None, updated_at=now)
        .returning(Reminder)
        .execution_options(synchronize_session=False)
    )
    row: Reminder | None = result.scalars().first()
    return row


async def done(session: AsyncSession, reminder_id: int, *, by: Member, now: datetime) -> Reminder | None:
    """The rep followed up: the reminder is done and its record gets a follow-up activity. The
    handled row, or None when it was not open to that (see `_close`)."""
    reminder = await _close(session, reminder_id, ReminderStatus.DONE, now)
    if reminder is None or reminder.lead_id is None:
        return reminder
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
    await session.exec(update(Lead).where(col(Lead.id) == reminder.lead_id).values(last_activity_at=now))
    return reminder


class Snoozed(NamedTuple):
    handled: Reminder  # the reminder the rep snoozed (its message is the one to edit)
    again: Reminder  # the pending one that takes its place


async def snooze(session: AsyncSession, reminder_id: int, *, until: datetime, now: datetime) -> Snoozed | None:
    """Put it off until a future moment: this one is marked snoozed and a new pending one takes its
    place. None when it was not open to that (see `_close`)."""
    if until <= now:
        raise DomainError(N_("That time has passed. Please send the reminder again."))
    handled = await _close(session, reminder_id, ReminderStatus.SNOOZED, now)
    if handled is None:
        return None
    again = Reminder(
        team_id=handled.team_id,
        owner_id=handled.owner_id,
        lead_id=handled.lead_id,
        kind=handled.kind,
        due_at=until,
        reason=handled.reason,
        created_at=now,
        updated_at=now,
    )
    session.add(again)
    await session.flush()
    return Snoozed(handled, again)


# --- what a message says ------------------------------------------------------------------------


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

    member_rows = await session.exec(select(Member).where(col(Member.id).in_(ids(r.owner_id for r in due))))
    members = {m.id: m for m in member_rows.all()}
    team_rows = await session.exec(select(Team).where(col(Team.id).in_(ids(r.team_id for r in due))))
    teams = {t.id: t for t in team_rows.all()}
    lead_ids = ids(r.lead_id for r in due)
    leads: dict[int | None, Lead] = {}
    notes: dict[int, Activity] = {}
    if lead_ids:
        lead_rows = await session.exec(select(Lead).where(col(Lead.id).in_(lead_ids)))
        leads = {lead.id: lead for lead in lead_rows.all()}
        newest = (
            select(
                col(Activity.id),
                func.row_number()
                .over(partition_by=col(Activity.lead_id), order_by=(col(Activity.at).desc(), col(Activity.id).desc()))
                .label("n"),
            )
            .where(col(Activity.lead_id).in_(lead_ids))
            .subquery()
        )
        note_rows = await session.exec(
            select(Activity).join(newest, newest.c.id == col(Activity.id)).where(newest.c.n == 1)
        )
        notes = {a.lead_id: a for a in note_rows.all()}
    return {
        _id(r): Context(
            member=members.get(r.owner_id),
            team=teams.get(r.team_id),
            lead=leads.get(r.lead_id),
            note=notes.get(r.lead_id) if r.lead_id is not None else None,
        )
        for r in due
    }


async def context_of(session: AsyncSession, reminder: Reminder) -> Context:
    """One reminder's member, team, record and last note (as the session's scope sees them)."""
    return (await contexts_of(session, [reminder]))[_id(reminder)]


# --- delivery bookkeeping -----------------------------------------------------------------------


async def claim_due(
    session: AsyncSession, *, now: datetime, owner: str, limit: int = 20, lease: timedelta = LEASE
) -> list[Reminder]:
    """Claim up to `limit` due rows (and rows whose claimer's lease ran out) for `owner` until
    now + `lease`; the claimer renews the lease of rows still in hand (`renew`)."""
    due = (
        select(col(Reminder.id))
        .where(
            or_(
                and_(col(Reminder.status) == ReminderStatus.PENDING, col(Reminder.due_at) <= now),
                and_(col(Reminder.status) == ReminderStatus.SENDING, col(Reminder.lease_until) < now),
            )
        )
        .order_by(col(Reminder.due_at))
        .limit(limit)
    )
    return await leases.claim(
        session,
        Reminder,
        col(Reminder.id),
        due,
        col(Reminder.due_at),
        status=ReminderStatus.SENDING,
        lease_owner=owner,
        lease_until=now + lease,
        attempts=col(Reminder.attempts) + 1,
        updated_at=now,
    )


async def renew(session: AsyncSession, reminder_ids: list[int], *, owner: str, until: datetime) -> None:
    """Keep the claim on rows still being sent (a long delivery outlives a short lease)."""
    if reminder_ids:
        await session.exec(
            update(Reminder)
            .where(
                col(Reminder.id).in_(reminder_ids),
                col(Reminder.lease_owner) == owner,
                col(Reminder.status) == ReminderStatus.SENDING,
            )
            .values(lease_until=until)
        )


async def mark_sent(
    session: AsyncSession,
    reminder_id: int,
    *,
    now: datetime,
    chat_id: int | None,
    message_id: int | None,
    late: bool,
    note: str | None = None,
) -> bool:
    """Record the message of a row being sent. Only a row still `sending` changes: a rep who
    tapped Done or Snooze in the meantime keeps their answer. True when it changed."""
    result = await session.exec(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.status) == ReminderStatus.SENDING)
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
    return bool(result.rowcount)


async def mark_failed(session: AsyncSession, reminder: Reminder, *, now: datetime, error: str, blocked: bool) -> None:
    await session.exec(
        update(Reminder)
        .where(col(Reminder.id) == reminder.id, col(Reminder.status) == ReminderStatus.SENDING)
        .values(status=ReminderStatus.FAILED, last_error=error[:300], lease_until=None, updated_at=now)
    )
    if blocked:  # the rep blocked the bot: stop writing to them until they come back
        await session.exec(
            update(Member)
            .where(col(Member.id) == reminder.owner_id)
            .values(is_active=False, blocked_at=now, updated_at=now)
        )


async def release(session: AsyncSession, reminder_ids: list[int], *, now: datetime) -> None:
    """Put claimed rows back (they were not sent: Telegram asked us to wait); the attempt is not
    counted against them."""
    await session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.status) == ReminderStatus.SENDING)
        .values(
            status=ReminderStatus.PENDING,
            lease_owner=None,
            lease_until=None,
            attempts=col(Reminder.attempts) - 1,
            updated_at=now,
        )
    )


async def rearm(session: AsyncSession, member: Member, *, now: datetime) -> int:
    """A member who blocked the bot is back: their follow-ups that failed meanwhile are due again
    (they go out at the next poll, marked late). Morning briefs of past days are not repeated."""
    result = await session.exec(
        update(Reminder)
        .where(
            col(Reminder.owner_id) == member.id,
            col(Reminder.status) == ReminderStatus.FAILED,
            col(Reminder.kind).in_(ACTIONABLE_KINDS),
        )
        .values(status=ReminderStatus.PENDING, attempts=0, lease_owner=None, lease_until=None, updated_at=now)
    )
    return int(result.rowcount or 0)


async def close_quietly(session: AsyncSession, reminder_ids: list[int], *, now: datetime) -> None:
    """Morning briefs with nothing in them: closed without a message."""
    if not reminder_ids:
        return
    await session.exec(
        update(Reminder)
        .where(col(Reminder.id).in_(reminder_ids), col(Reminder.status) == ReminderStatus.SENDING)
        .values(status=ReminderStatus.CANCELLED, lease_until=None, last_error="nothing to say", updated_at=now)
    )
