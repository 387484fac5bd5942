"""Deep links into the bot: a record, an invite, the link that adds the bot to a team's group."""

from __future__ import annotations

from bot.services.invites import PREFIX as INVITE_PREFIX
from models import Member

RECORD_PREFIX = "r-"
GROUP_PREFIX = "g"


def group_link(bot_username: str | None, member: Member | None) -> str | None:
    """For managers: the link that adds the bot to a group (t.me/<bot>?startgroup=...)."""
    if member is None or not member.role.sees_team or not bot_username:
        return None
    return f"https://t.me/{bot_username}?startgroup={GROUP_PREFIX}{member.team_id}"


def invite_link(bot_username: str | None, token: str) -> str:
    """The single-use link that makes whoever opens it a member (t.me/<bot>?start=i-<token>)."""
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"
