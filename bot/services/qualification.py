"""Qualification use cases: the team's settings, answers recorded on the record, the score."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import qualification as q
from bot.services import leads, members
from models import Lead


def settings_of(team_settings: dict[str, Any] | None) -> q.Settings:
    """The team's criteria weights and pass mark (defaults where the team set none)."""
    return q.Settings.of(team_settings)


async def settings_for(session: AsyncSession, team_id: int) -> q.Settings:
    """The settings of a team, read through the session's scope."""
    team = await members.get_team(session, team_id)
    return settings_of(team.settings if team is not None else None)


def next_question(lead: Lead, settings: q.Settings) -> q.QuestionKey | None:
    """The first question the record has no answer to ("value" last); None when all are answered."""
    return q.next_question(lead.qualification or {}, settings)


async def record_answer(
    session: AsyncSession,
    lead_id: int,
    key: str,
    answer: str,
    *,
    extra: Mapping[str, Any] | None = None,
    estimate: tuple[Decimal, str] | None = None,
) -> Lead:
    """Store one answer on the record (answers are kept as they are given, so qualifying can be
    left and resumed); `estimate` is the deal value typed for "value"."""
    lead = await leads.get_visible(session, lead_id)
    # A new dict, so the JSON column is seen as changed.
    lead.qualification = q.with_answer(lead.qualification or {}, key, answer, **dict(extra or {}))
    if estimate is not None:
        lead.estimated_value, lead.estimated_currency = estimate
    session.add(lead)
    await session.flush()
    return lead


def finish(lead: Lead, settings: q.Settings, now: datetime) -> q.Score:
    """Score the record's answers and keep the score (the caller's session writes it)."""
    result = q.score(lead.qualification or {}, settings)
    lead.score = result.value
    lead.qualified_at = now
    return result
