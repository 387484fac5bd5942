"""Teams and members: sign-up of the first owner, profile updates, language and time zone."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.timezones import CURRENCIES, guess_currency
from models import Member, Role, Team
from models.errors import N_, DomainError

SEEN_EVERY = timedelta(minutes=10)


async def find_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Member | None:
    """The current member behind a Telegram id; a removed member is nobody (see models.team.Member)."""
    return (
        await session.exec(
            select(Member).where(col(Member.telegram_user_id) == telegram_user_id, col(Member.removed_at).is_(None))
        )
    ).first()


async def get_team(session: AsyncSession, team_id: int) -> Team | None:
    return (await session.exec(select(Team).where(col(Team.id) == team_id))).first()


async def bootstrap_owner(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language: str,
    default_timezone: str,
    now: datetime,
    team_name: str,
) -> Member:
    """Create a team with this admin as its owner (an admin listed in ADMIN_IDS, first contact)."""
    team = Team(name=team_name[:120], language=language, timezone=default_timezone, currency=guess_currency(language))
    session.add(team)
    await session.flush()
    if team.id is None:
        raise RuntimeError("the new team got no id")
    member = Member(
        team_id=team.id,
        telegram_user_id=telegram_user_id,
        role=Role.OWNER,
        first_name=first_name[:128],
        last_name=(last_name or None) and last_name[:128],
        username=username,
        language=language,
        last_seen_at=now,
    )
    session.add(member)
    await session.flush()
    return member


def refresh_profile(
    member: Member, *, first_name: str, last_name: str | None, username: str | None, now: datetime
) -> bool:
    """Keep names current and note the visit; True when something changed worth a write."""
    changed = False
    for field, value in (("first_name", first_name[:128]), ("last_name", last_name), ("username", username)):
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed = True
    if not member.is_active:
        member.is_active = True
        member.blocked_at = None
        changed = True
    if changed or member.last_seen_at is None or now - member.last_seen_at > SEEN_EVERY:
        member.last_seen_at = now
        changed = True
    return changed


async def note_visit(session: AsyncSession, member: Member, *, now: datetime) -> None:
    """Write what `refresh_profile` changed on a member read earlier (names, the visit, back from
    blocking the bot), in the caller's transaction."""
    await session.exec(
        update(Member)
        .where(col(Member.id) == member.id)
        .values(
            first_name=member.first_name,
            last_name=member.last_name,
            username=member.username,
            is_active=True,
            blocked_at=None,
            last_seen_at=member.last_seen_at or now,
        )
    )


async def set_language(session: AsyncSession, member: Member, language: str, available: Collection[str]) -> Member:
    """The member's language, one of the catalogues' (`available`)."""
    if language not in available:
        raise DomainError(N_("That language is not available."))
    member.language = language
    session.add(member)
    return member


async def set_currency(session: AsyncSession, member: Member, currency: str) -> Team:
    """The team's currency (amounts typed without one are in it), set by its owner or a manager."""
    if not member.role.sees_team:
        raise DomainError(N_("Only the team's owner and managers change its currency."))
    if currency not in CURRENCIES:
        raise DomainError(N_("That currency is not available."))
    team = await get_team(session, member.team_id)
    if team is None:
        raise DomainError(N_("That currency is not available."))
    team.currency = currency
    session.add(team)
    return team


def is_zone(zone: str) -> bool:
    """Whether `zone` is an IANA time zone name this machine knows."""
    if not zone or len(zone) > 64:
        return False
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


async def set_timezone(session: AsyncSession, member: Member, zone: str) -> Member:
    """The member's confirmed time zone (an IANA name: see `bot.domain.timezones.find_zone`)."""
    if not is_zone(zone):
        raise DomainError(N_("That time zone is not known."))
    member.timezone = zone
    session.add(member)
    return member
