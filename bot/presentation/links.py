"""Deep links into the bot: a record, an invite, the link that adds the bot to a team's group."""

from __future__ import annotations

from models import Member

RECORD_PREFIX = "r-"
GROUP_PREFIX = "g"


def group_link(bot_username: str | None, member: Member | None) -> str | None:
    """For managers: the link that adds the bot to a group (t.me/<bot>?startgroup=...)."""
    if member is None or not member.role.sees_team or not bot_username:
        return None
    return f"https://t.me/{bot_username}?startgroup={GROUP_PREFIX}{member.team_id}"
