"""Deep links into the bot: a record, an invite, the link that adds the bot to a team's group.

The group link carries the team's id signed with a key derived from the bot token (an HMAC, cut
to 16 URL-safe characters), so that nobody can link a group to a team by guessing its id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from bot.services.invites import PREFIX as INVITE_PREFIX
from models import Member

RECORD_PREFIX = "r-"
GROUP_PREFIX = "g"
_GROUP_PAYLOAD = re.compile(rf"^{GROUP_PREFIX}(\d{{1,19}})-([A-Za-z0-9_-]{{16}})$")


def _signature(team_id: int, secret: str) -> str:
    key = hashlib.sha256(b"salesbot group link\0" + secret.encode()).digest()
    mac = hmac.new(key, f"team:{team_id}".encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def group_payload(team_id: int, secret: str) -> str:
    """The `startgroup` payload of a team: g<team id>-<signature> (at most 37 characters)."""
    return f"{GROUP_PREFIX}{team_id}-{_signature(team_id, secret)}"


def team_of_group_payload(payload: str, secret: str) -> int | None:
    """The team a `startgroup` payload names, when its signature is right; otherwise None."""
    found = _GROUP_PAYLOAD.match(payload)
    if found is None:
        return None
    team_id = int(found.group(1))
    return team_id if hmac.compare_digest(found.group(2), _signature(team_id, secret)) else None


def group_link(bot_username: str | None, member: Member | None, secret: str) -> str | None:
    """For managers: the link that adds the bot to a group and links it to their team
    (t.me/<bot>?startgroup=g<team>-<signature>); `secret` is the bot token."""
    if member is None or not member.role.sees_team or not bot_username:
        return None
    return f"https://t.me/{bot_username}?startgroup={group_payload(member.team_id, secret)}"


def invite_link(bot_username: str | None, token: str) -> str:
    """The single-use link that makes whoever opens it a member (t.me/<bot>?start=i-<token>)."""
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"
