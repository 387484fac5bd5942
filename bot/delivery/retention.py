"""Retention, once a day per team that switched it on: records lost or untouched for the team's
period are erased (an audit row each, as for a manual delete), and managers are told a week ahead
how many records will go and when. Telegram is called only after the transaction commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from telegram.error import TelegramError

from bot.db import Scope
from bot.delivery import App
from bot.domain.retention import KEY, NOTICE, Retention
from bot.presentation import export as view
from bot.services import erasure
from bot.state import state_of
from models import Member, Role, Team

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    chat_id: int
    language: str
    zone: str
    count: int
    months: int
    when: datetime


async def _teams_due(app: App, now: datetime) -> list[int]:
    async with state_of(app).db.read(Scope.system()) as session:
        teams = (await session.exec(select(Team))).all()
    return [t.id for t in teams if t.id is not None and Retention.of(t.settings).check_due(now)]


async def _check_team(app: App, team_id: int, now: datetime) -> tuple[int, list[Notice]]:
    """Erase what is due and count what falls due within the week (one transaction)."""
    async with state_of(app).db.begin(Scope.system()) as session:
        team = (await session.exec(select(Team).where(col(Team.id) == team_id).with_for_update())).first()
        if team is None:
            return 0, []
        current = Retention.of(team.settings)
        if not current.check_due(now) or current.months is None:
            return 0, []
        erased = await erasure.erase_due(session, team_id, current, now)
        coming = await erasure.count_due(session, team_id, current.cutoff(now + NOTICE), now + NOTICE)
        told = 0
        if current.checked is not None:  # told at the last check already
            told = await erasure.count_due(session, team_id, current.cutoff(current.checked + NOTICE), now + NOTICE)
        new = max(0, coming - told)
        team.settings = {**(team.settings or {}), KEY: current.checked_at(now).dump()}
        session.add(team)
        notices: list[Notice] = []
        if new:
            managers = await session.exec(
                select(Member).where(
                    col(Member.team_id) == team_id,
                    col(Member.role).in_([Role.OWNER, Role.MANAGER]),
                    col(Member.is_active).is_(True),
                )
            )
            when = max(now + NOTICE, current.erases_from())
            notices = [
                Notice(m.telegram_user_id, m.language, m.timezone or team.timezone, new, current.months, when)
                for m in managers.all()
            ]
    return erased, notices


async def run_due(app: App, now: datetime) -> int:
    """Check every team whose daily retention check is due; returns the notices sent."""
    catalogs = state_of(app).catalogs
    sent = 0
    for team_id in await _teams_due(app, now):
        erased, notices = await _check_team(app, team_id, now)
        if erased:
            log.info("retention erased %d record(s) of team %d", erased, team_id)
        for notice in notices:
            t = catalogs.get(notice.language)
            text = view.retention_notice(t, notice.count, notice.months, notice.when, notice.zone)
            try:
                await app.bot.send_message(notice.chat_id, text)
                sent += 1
            except TelegramError:
                log.warning("could not send a retention notice", exc_info=True)
    return sent
