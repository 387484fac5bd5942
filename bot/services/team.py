"""Members come and go: the roster, roles, removal, handing records over, handing the team over.

Who may do what (checked here, whatever the buttons offered):
- only owners and managers manage members; reps only see who leads the team;
- an owner makes and unmakes managers and removes managers and reps; a manager removes reps and
  hands over the records of reps and of removed members, and never touches owners or managers;
- the team's last owner cannot be removed, nobody removes themselves, and an owner hands the team
  to another current member (who becomes the owner; the old owner stays on as a manager).

Removal keeps the row (names stay in history; see `models.team.Member`) and takes effect on the
person's very next update: the gate finds nobody behind their Telegram id. Their records are handed
to another current member in the same transaction, or stay with the team unassigned: the records
keep `owner_id` on the removed row, which no rep's scope matches, so only managers see them (the
roster lists them under the removed member, to be handed over later). Their pending reminders move
with the records, or are held (`ReminderStatus.HELD`: never delivered) until the records are
handed over; personal reminders and morning briefs are cancelled. Their open flow is closed and the
invite links they created stop working. Nothing they wrote is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import (
    FlowState,
    HistoryEvent,
    Invite,
    Lead,
    Member,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
    StageChange,
)
from models.errors import N_, DomainError

ROLE_ORDER = {Role.OWNER: 0, Role.MANAGER: 1, Role.REP: 2}
# Reminders not yet out: what a hand-over moves and a removal holds or cancels.
WAITING = (ReminderStatus.PENDING, ReminderStatus.HELD)


class TeamError(DomainError):
    pass


@dataclass(frozen=True)
class Entry:
    """One line of the roster: a member and how many records they own."""

    member: Member
    records: int


@dataclass(frozen=True)
class HandOver:
    records: int
    reminders: int


def _id(member: Member) -> int:
    if member.id is None:
        raise ValueError("a member without an id")
    return member.id


# --- rules (pure) --------------------------------------------------------------------------------


def check_manager(actor: Member) -> None:
    if not actor.role.sees_team:
        raise TeamError(N_("Only the team's owner or a manager can manage members."))


def check_owner(actor: Member) -> None:
    if actor.role is not Role.OWNER:
        raise TeamError(N_("Only the team's owner can hand the team over."))


def check_can_touch(actor: Member, target: Member) -> None:
    """Whether `actor` may change `target`'s role, remove them or hand their records over."""
    check_manager(actor)
    if actor.role is Role.OWNER:
        return
    if target.role is not Role.REP and not target.is_removed:
        raise TeamError(N_("A manager cannot change owners or other managers."))


def check_role_change(actor: Member, target: Member, role: Role) -> None:
    check_current(target)
    if actor.role is not Role.OWNER:
        raise TeamError(N_("Only the team's owner can make or unmake managers."))
    if target.id == actor.id or target.role is Role.OWNER or role is Role.OWNER:
        raise TeamError(N_("To hand the team to someone else, use “Make owner”."))


def check_current(member: Member | None) -> Member:
    if member is None or member.is_removed:
        raise TeamError(N_("That person is no longer a member of the team."))
    return member


def check_receiver(source: Member, target: Member | None) -> Member:
    """Records go only to a current member of the team, and not to whom they belong already."""
    if target is None or target.is_removed:
        raise TeamError(N_("Records can only be handed to a current member of the team."))
    if target.id == source.id:
        raise TeamError(N_("Choose someone else to hand the records to."))
    return target


# --- reading -------------------------------------------------------------------------------------


async def get(session: AsyncSession, member_id: int) -> Member | None:
    """A member of the session's team (removed or not); another team's id finds nothing."""
    return (await session.exec(select(Member).where(col(Member.id) == member_id))).first()


async def records_per_owner(session: AsyncSession) -> dict[int, int]:
    rows = await session.exec(select(col(Lead.owner_id), func.count()).group_by(col(Lead.owner_id)))
    return {owner: int(n) for owner, n in rows.all()}


async def roster(session: AsyncSession) -> list[Entry]:
    """Current members (owners, managers, reps, by name), then removed members who still own
    records (those records are unassigned until handed over)."""
    counts = await records_per_owner(session)
    people = (await session.exec(select(Member))).all()
    current = sorted(
        (m for m in people if not m.is_removed), key=lambda m: (ROLE_ORDER[m.role], m.display_name.lower(), _id(m))
    )
    gone = sorted((m for m in people if m.is_removed and counts.get(_id(m))), key=lambda m: _id(m))
    return [Entry(m, counts.get(_id(m), 0)) for m in (*current, *gone)]


async def leaders(session: AsyncSession) -> list[Member]:
    """The team's current owners and managers (what a rep sees in /team)."""
    rows = await session.exec(
        select(Member).where(col(Member.role).in_((Role.OWNER, Role.MANAGER)), col(Member.removed_at).is_(None))
    )
    return sorted(rows.all(), key=lambda m: (ROLE_ORDER[m.role], m.display_name.lower()))


async def receivers(session: AsyncSession, source: Member) -> list[Member]:
    """Who may receive `source`'s records: the team's other current members."""
    rows = await session.exec(select(Member).where(col(Member.removed_at).is_(None), col(Member.id) != source.id))
    return sorted(rows.all(), key=lambda m: (ROLE_ORDER[m.role], m.display_name.lower()))


async def pending_invites(session: AsyncSession, *, now: datetime) -> list[Invite]:
    rows = await session.exec(
        select(Invite)
        .where(col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
        .order_by(col(Invite.expires_at), col(Invite.id))
    )
    return list(rows.all())


async def names_of(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.exec(select(Member).where(col(Member.id).in_(sorted(ids))))
    return {_id(m): m.display_name for m in rows.all()}


# --- changing ------------------------------------------------------------------------------------


async def _target(session: AsyncSession, member_id: int) -> Member:
    return check_current(await get(session, member_id))


async def change_role(session: AsyncSession, actor: Member, member_id: int, role: Role, *, now: datetime) -> Member:
    """The owner makes a rep a manager or a manager a rep."""
    target = await _target(session, member_id)
    check_role_change(actor, target, role)
    target.role = role
    target.updated_at = now
    session.add(target)
    await session.flush()
    return target


async def make_owner(session: AsyncSession, actor: Member, member_id: int, *, now: datetime) -> Member:
    """The owner hands the team to another current member; the old owner becomes a manager."""
    check_owner(actor)
    target = await _target(session, member_id)
    if target.id == actor.id:
        raise TeamError(N_("Choose someone else to hand the team to."))
    me = check_current(await get(session, _id(actor)))
    target.role, me.role = Role.OWNER, Role.MANAGER
    target.updated_at = me.updated_at = now
    session.add_all([target, me])
    await session.flush()
    return target


async def hand_over(session: AsyncSession, actor: Member, source_id: int, target_id: int, *, now: datetime) -> HandOver:
    """All of `source`'s records and waiting reminders to `target`, each record's history noting
    the hand-over (who did it, from whom, to whom), in the caller's transaction."""
    source = await get(session, source_id)
    if source is None:
        raise TeamError(N_("That person is no longer a member of the team."))
    check_can_touch(actor, source)
    target = check_receiver(source, await get(session, target_id))
    return await _move(session, actor, source, target, now=now)


async def _move(session: AsyncSession, actor: Member, source: Member, target: Member, *, now: datetime) -> HandOver:
    leads = (await session.exec(select(Lead).where(col(Lead.owner_id) == source.id))).all()
    reason = f"{source.display_name} → {target.display_name}"[:500]
    for lead in leads:
        session.add(
            StageChange(
                team_id=lead.team_id,
                lead_id=_id_of(lead),
                event=HistoryEvent.HANDED_OVER,
                from_stage=lead.stage,
                to_stage=lead.stage,
                member_id=actor.id,
                at=now,
                reason=reason,
            )
        )
    await session.exec(update(Lead).where(col(Lead.owner_id) == source.id).values(owner_id=target.id, updated_at=now))
    moved = await session.exec(
        update(Reminder)
        .where(
            col(Reminder.owner_id) == source.id,
            col(Reminder.status).in_(WAITING),
            col(Reminder.kind) != ReminderKind.DIGEST,
        )
        .values(owner_id=target.id, status=ReminderStatus.PENDING, updated_at=now)
    )
    await session.flush()
    return HandOver(records=len(leads), reminders=int(moved.rowcount or 0))


def _id_of(lead: Lead) -> int:
    if lead.id is None:
        raise ValueError("a lead without an id")
    return lead.id


async def remove(
    session: AsyncSession, actor: Member, member_id: int, *, hand_to: int | None, now: datetime
) -> tuple[Member, HandOver | None]:
    """Remove a member, handing their records to `hand_to` (a current member) or leaving them
    unassigned (None). One transaction; see the module's docstring for what happens to what."""
    target = await _target(session, member_id)
    check_can_touch(actor, target)
    if target.role is Role.OWNER:
        owners = await session.exec(
            select(col(Member.id)).where(col(Member.role) == Role.OWNER, col(Member.removed_at).is_(None))
        )
        if len(owners.all()) <= 1:
            raise TeamError(N_("The team's last owner cannot be removed. Hand the team to someone else first."))
    if target.id == actor.id:
        raise TeamError(N_("You cannot remove yourself."))
    moved: HandOver | None = None
    if hand_to is not None:
        receiver = check_receiver(target, await get(session, hand_to))
        moved = await _move(session, actor, target, receiver, now=now)
    waiting = (col(Reminder.owner_id) == target.id, col(Reminder.status).in_(WAITING))
    # Follow-ups on records wait for the records' next owner; the rest was for this person only.
    await session.exec(
        update(Reminder)
        .where(*waiting, col(Reminder.lead_id).is_not(None), col(Reminder.kind) != ReminderKind.DIGEST)
        .values(status=ReminderStatus.HELD, updated_at=now)
    )
    await session.exec(
        update(Reminder)
        .where(*waiting, col(Reminder.status) == ReminderStatus.PENDING)
        .values(status=ReminderStatus.CANCELLED, last_error="member removed", updated_at=now)
    )
    await session.exec(delete(FlowState).where(col(FlowState.member_id) == target.id))
    await session.exec(delete(Invite).where(col(Invite.created_by_id) == target.id, col(Invite.used_at).is_(None)))
    target.former_telegram_user_id = target.telegram_user_id
    target.telegram_user_id = -_id(target)
    target.removed_at = now
    target.is_active = False
    target.updated_at = now
    session.add(target)
    await session.flush()
    return target, moved


async def revoke_invite(session: AsyncSession, actor: Member, invite_id: int) -> None:
    """A pending invite link stops working (the row goes: an unused invite is no history)."""
    check_manager(actor)
    invite = (await session.exec(select(Invite).where(col(Invite.id) == invite_id))).first()
    if invite is None or invite.used_at is not None:
        raise TeamError(N_("That invite is no longer pending."))
    if invite.role is not Role.REP and actor.role is not Role.OWNER:
        raise TeamError(N_("Only the team's owner can withdraw a manager's invite."))
    await session.exec(delete(Invite).where(col(Invite.id) == invite_id))


async def cancel_for_removed(session: AsyncSession, reminder_ids: list[int], *, now: datetime) -> None:
    """Claimed rows whose member was removed meanwhile (the delivery's safety net): follow-ups on
    records are held for the records' next owner, anything else is cancelled. Nothing is sent."""
    if not reminder_ids:
        return
    claimed = (col(Reminder.id).in_(reminder_ids), col(Reminder.status) == ReminderStatus.SENDING)
    await session.exec(
        update(Reminder)
        .where(*claimed, col(Reminder.lead_id).is_not(None), col(Reminder.kind) != ReminderKind.DIGEST)
        .values(status=ReminderStatus.HELD, lease_owner=None, lease_until=None, updated_at=now)
    )
    await session.exec(
        update(Reminder)
        .where(*claimed)
        .values(status=ReminderStatus.CANCELLED, lease_until=None, last_error="member removed", updated_at=now)
    )
