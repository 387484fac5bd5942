"""Invite links: single use, expiring, stored as a hash of the token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import Invite, Member, Role, Team
from models.errors import N_, DomainError

PREFIX = "i-"  # deep-link payload prefix: /start i-<token>
CLAIM_PREFIX = "claim-"  # the first owner's link: /start claim-<token> (bot/services/claims.py)
# Deep links a stranger may open: the gate lets them through to /start.
STRANGER_PAYLOADS = (PREFIX, CLAIM_PREFIX)


class InviteError(DomainError):
    pass


@dataclass(frozen=True)
class NewInvite:
    token: str
    expires_at: datetime
    role: Role


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_invite(inviter: Member, role: Role) -> bool:
    if inviter.role is Role.OWNER:
        return role in (Role.MANAGER, Role.REP)
    if inviter.role is Role.MANAGER:
        return role is Role.REP
    return False


def check_can_invite(inviter: Member, role: Role) -> None:
    """Owners invite managers and reps, managers invite reps, reps nobody; `InviteError` says which."""
    if can_invite(inviter, role):
        return
    if inviter.role is Role.MANAGER:
        raise InviteError(N_("Only the team's owner can invite a manager."))
    raise InviteError(N_("Only the team's owner or a manager can invite people."))


async def create_invite(
    session: AsyncSession, inviter: Member, *, role: Role, ttl: timedelta, now: datetime
) -> NewInvite:
    check_can_invite(inviter, role)
    token = secrets.token_urlsafe(24)  # 32 characters; with the prefix well under Telegram's 64
    invite = Invite(
        team_id=inviter.team_id,
        token_hash=hash_token(token),
        role=role,
        created_by_id=inviter.id,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    return NewInvite(token=token, expires_at=invite.expires_at, role=role)


async def redeem(
    session: AsyncSession,
    token: str,
    *,
    telegram_user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language: str,
    now: datetime,
) -> tuple[Member, Team]:
    """Make the user a member of the invite's team. Runs in the system scope (they have none yet)."""
    # A removed member is nobody here: they come back as a new member row (their old records stay
    # where they were handed).
    existing = (
        await session.exec(
            select(Member).where(col(Member.telegram_user_id) == telegram_user_id, col(Member.removed_at).is_(None))
        )
    ).first()
    if existing is not None:
        raise InviteError(N_("You are already a member of a team."))
    invite = (await session.exec(select(Invite).where(col(Invite.token_hash) == hash_token(token)))).first()
    if invite is None:
        raise InviteError(N_("This invite link is not valid. Ask your manager for a new one."))
    if invite.used_at is not None:
        raise InviteError(N_("This invite link has already been used. Ask your manager for a new one."))
    if invite.expires_at <= now:
        raise InviteError(N_("This invite link has expired. Ask your manager for a new one."))
    team = (await session.exec(select(Team).where(col(Team.id) == invite.team_id))).one()
    member = Member(
        team_id=invite.team_id,
        telegram_user_id=telegram_user_id,
        role=invite.role,
        first_name=first_name[:128],
        last_name=last_name,
        username=username,
        language=language,
        last_seen_at=now,
    )
    session.add(member)
    await session.flush()
    # Claim the invite atomically: of two people tapping the same link, one wins.
    claimed = await session.exec(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by_id=member.id)
    )
    if claimed.rowcount != 1:
        raise InviteError(N_("This invite link has already been used. Ask your manager for a new one."))
    return member, team
