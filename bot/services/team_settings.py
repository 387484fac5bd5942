"""A manager changes the team's settings: qualification weights and pass mark, the morning brief.
Reps may read them (through `members.get_team`) but never change them."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import qualification as q
from bot.domain import team_settings as rules
from bot.domain.nudges import NudgeSettings
from bot.services import members
from models import Member, Stage, Team
from models.errors import N_, AccessDenied, DomainError

QUALIFICATION = "qualification"  # keys of team.settings
NUDGES = "nudges"


class ManagersOnly(DomainError):
    def __init__(self) -> None:
        super().__init__(N_("Only a manager can change these."))


async def _team_to_change(session: AsyncSession, member: Member) -> Team:
    if not member.role.sees_team:
        raise ManagersOnly()
    team = await members.get_team(session, member.team_id)
    if team is None:
        raise AccessDenied()
    return team


def _store(session: AsyncSession, team: Team, key: str, value: dict[str, Any]) -> None:
    team.settings = {**(team.settings or {}), key: value}  # a new dict: the JSON column is seen as changed
    session.add(team)


async def change_weight(session: AsyncSession, member: Member, what: str, step: int) -> q.Settings:
    """A criterion's weight or the pass mark, one step up or down (see `bot.domain.team_settings`)."""
    team = await _team_to_change(session, member)
    changed = rules.change_weight(q.Settings.of(team.settings), what, step)
    _store(session, team, QUALIFICATION, changed.to_json())
    return changed


async def toggle_nudge(session: AsyncSession, member: Member, kind: str) -> NudgeSettings:
    team = await _team_to_change(session, member)
    changed = rules.toggle_nudge(NudgeSettings.of(team.settings), kind)
    _store(session, team, NUDGES, changed.dump())
    return changed


async def change_quiet_days(session: AsyncSession, member: Member, stage: Stage, delta: int) -> NudgeSettings:
    team = await _team_to_change(session, member)
    changed = rules.change_quiet_days(NudgeSettings.of(team.settings), stage, delta)
    _store(session, team, NUDGES, changed.dump())
    return changed
