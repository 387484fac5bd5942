"""The settings' services called directly: the rules hold without any handler in front."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.domain import qualification as q
from bot.domain.nudges import NudgeSettings
from bot.services import invites, members, team_settings
from models import Invite, Member, Role, Stage, Team
from models.base import utcnow
from models.errors import DomainError
from tests.support import make_team

MANAGERS_ONLY = "Only a manager can change these."


async def team_row(db, team_id: int) -> Team:
    async with db.read(Scope.system()) as s:
        team = await members.get_team(s, team_id)
    assert team is not None
    return team


async def test_a_manager_changes_weights_and_nudges_and_they_are_saved(db):
    people = await make_team(db, "T", 6100)
    manager = people["manager"]
    async with db.begin(Scope.of(manager)) as s:
        await team_settings.change_weight(s, manager, "pass", 5)
        await team_settings.toggle_nudge(s, manager, "digest")
        changed = await team_settings.change_quiet_days(s, manager, Stage.PROSPECT, -1)
    assert not changed.on("digest") and changed.stalled_days[Stage.PROSPECT] == 13
    saved = (await team_row(db, manager.team_id)).settings
    assert q.Settings.of(saved).pass_mark == 65 and NudgeSettings.of(saved) == changed


@pytest.mark.parametrize(
    "change",
    [
        lambda s, m: team_settings.change_weight(s, m, "need", 5),
        lambda s, m: team_settings.toggle_nudge(s, m, "digest"),
        lambda s, m: team_settings.change_quiet_days(s, m, Stage.LEAD, 1),
    ],
)
async def test_a_rep_cannot_change_the_team_settings(db, change):
    people = await make_team(db, "T", 6200)
    rep = people["rep1"]
    with pytest.raises(DomainError) as refused:
        async with db.begin(Scope.of(rep)) as s:
            await change(s, rep)
    assert refused.value.message == MANAGERS_ONLY
    assert (await team_row(db, rep.team_id)).settings == {}


async def test_language_and_zone_are_checked_before_they_are_saved(db):
    people = await make_team(db, "T", 6300)
    rep = people["rep1"]
    for bad in (
        lambda s: members.set_language(s, rep, "xx", ["en", "hr"]),
        lambda s: members.set_timezone(s, rep, "Mars/Base"),
        lambda s: members.set_timezone(s, rep, ""),
    ):
        with pytest.raises(DomainError):
            async with db.begin(Scope.of(rep)) as s:
                await bad(s)
    async with db.begin(Scope.of(rep)) as s:
        await members.set_language(s, rep, "hr", ["en", "hr"])
        await members.set_timezone(s, rep, "Etc/GMT-2")  # what "UTC+2" is read as
    async with db.read(Scope.system()) as s:
        saved = await s.get(Member, rep.id)
    assert saved is not None and (saved.language, saved.timezone) == ("hr", "Etc/GMT-2")


@pytest.mark.parametrize(
    ("inviter", "role", "refusal"),
    [
        ("manager", Role.MANAGER, "Only the team's owner can invite a manager."),
        ("rep1", Role.REP, "Only the team's owner or a manager can invite people."),
        ("rep1", Role.MANAGER, "Only the team's owner or a manager can invite people."),
    ],
)
async def test_who_may_invite_whom(db, inviter, role, refusal):
    people = await make_team(db, "T", 6400)
    member = people[inviter]
    with pytest.raises(invites.InviteError) as refused:
        async with db.begin(Scope.of(member)) as s:
            await invites.create_invite(s, member, role=role, ttl=timedelta(hours=1), now=utcnow())
    assert refused.value.message == refusal
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(Invite))).all() == []
    for allowed_inviter, allowed_role in (("owner", Role.MANAGER), ("owner", Role.REP), ("manager", Role.REP)):
        invites.check_can_invite(people[allowed_inviter], allowed_role)
