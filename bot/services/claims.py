"""Claiming the bot on its first run: while no team exists, `salesbot run` prints a one-time link
`https://t.me/<bot>?start=claim-<token>`; whoever opens it becomes the owner of the first team.

Single use, expiring, and only while no team exists. Only the SHA-256 of a token is stored. Every
claim first marks all live tokens used in one UPDATE, so of two people opening links at the same
moment one wins: the other's UPDATE waits for the winner's transaction and then finds its token
used. (`ADMIN_IDS` remains the other way to make the first owner.)"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import members
from bot.services.invites import CLAIM_PREFIX, hash_token
from models import ClaimToken, Member, Team
from models.errors import N_, DomainError

PREFIX = CLAIM_PREFIX  # deep-link payload prefix: /start claim-<token>
TTL = timedelta(hours=24)


class ClaimError(DomainError):
    pass


async def any_team(session: AsyncSession) -> bool:
    return (await session.exec(select(col(Team.id)).limit(1))).first() is not None


async def open_claim(session: AsyncSession, *, now: datetime, ttl: timedelta = TTL) -> str | None:
    """A new claim token when no team exists yet (None otherwise); expired ones are cleared away.
    Run with the system scope."""
    if await any_team(session):
        return None
    await session.exec(delete(ClaimToken).where(col(ClaimToken.expires_at) <= now))
    token = secrets.token_urlsafe(24)  # 32 characters; with the prefix well under Telegram's 64
    session.add(ClaimToken(token_hash=hash_token(token), expires_at=now + ttl))
    await session.flush()
    return token


async def claim(
    session: AsyncSession,
    token: str,
    *,
    telegram_user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language: str,
    default_timezone: str,
    team_name: str,
    now: datetime,
) -> Member:
    """Make the user the owner of a new, first team. Run with the system scope, in one write."""
    found = (await session.exec(select(ClaimToken).where(col(ClaimToken.token_hash) == hash_token(token)))).first()
    if found is None:
        raise ClaimError(N_("This link is not valid. The bot prints a new one each time it starts without a team."))
    if found.used_at is not None:
        raise ClaimError(N_("This link has already been used."))
    if found.expires_at <= now:
        raise ClaimError(N_("This link has expired. Start the bot again for a new one."))
    # All live tokens at once: a concurrent claim waits for this row lock, then finds its own used.
    taken = await session.exec(
        update(ClaimToken)
        .where(col(ClaimToken.used_at).is_(None), col(ClaimToken.expires_at) > now)
        .values(used_at=now)
        .returning(col(ClaimToken.token_hash))
    )
    if found.token_hash not in set(taken.scalars().all()):
        raise ClaimError(N_("This link has already been used."))
    if await any_team(session):
        raise ClaimError(N_("This bot already has a team: ask its owner or a manager for an invite link."))
    await session.exec(
        update(ClaimToken).where(col(ClaimToken.id) == found.id).values(used_by_telegram_id=telegram_user_id)
    )
    return await members.bootstrap_owner(
        session,
        telegram_user_id=telegram_user_id,
        first_name=first_name,
        last_name=last_name,
        username=username,
        language=language,
        default_timezone=default_timezone,
        now=now,
        team_name=team_name,
    )


def link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={PREFIX}{token}"
