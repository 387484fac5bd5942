"""Funnel use cases: qualification answers and score, moves with their details, the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import qualification as q
from bot.services import leads
from models import Lead, Member, Stage, StageChange, funnel

LOST_REASONS = ("price", "competitor", "no_decision", "no_budget", "timing", "other")


def settings_of(team_settings: dict[str, Any] | None) -> q.Settings:
    return q.Settings.of(team_settings)


def next_question(lead: Lead, settings: q.Settings) -> str | None:
    """The first question not answered yet ("value" last); None when all are answered."""
    answers = lead.qualification or {}
    for criterion in settings.asked:
        if criterion.value not in answers:
            return criterion.value
    return None if "value" in answers else "value"


def record_answer(lead: Lead, key: str, answer: str, **extra: Any) -> None:
    answers = dict(lead.qualification or {})
    answers[key] = answer
    answers.update(extra)
    lead.qualification = answers  # a new dict, so the JSON column is seen as changed


def finish(lead: Lead, settings: q.Settings, now: datetime) -> q.Score:
    result = q.score(lead.qualification or {}, settings)
    lead.score = result.value
    lead.qualified_at = now
    return result


async def move(
    session: AsyncSession,
    lead: Lead,
    to_stage: Stage,
    *,
    by: Member,
    now: datetime,
    reason: str | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    probability: int | None = None,
    close_date: date | None = None,
    lost_reason: str | None = None,
) -> StageChange:
    """One move through the funnel rules, with the deal details that belong to it."""
    change = funnel.move(lead, to_stage, by=by.id, now=now, reason=reason or lost_reason)
    if amount is not None:
        lead.deal_amount, lead.currency = amount, currency
    if probability is not None:
        lead.probability = probability
    if close_date is not None:
        lead.expected_close_date = close_date
    if to_stage is Stage.LOST:
        lead.lost_reason = lost_reason
        lead.lost_note = reason if reason != lost_reason else None
    session.add(lead)
    session.add(change)
    await session.flush()
    return change


@dataclass
class Pipeline:
    counts: dict[Stage, int]
    open_value: dict[str, Decimal]
    weighted: dict[str, Decimal]
    parked: int


async def pipeline(session: AsyncSession) -> Pipeline:
    counts = await leads.stage_counts(session)
    open_stages = [Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY]
    rows = await session.exec(
        select(Lead.currency, Lead.deal_amount, Lead.probability).where(
            Lead.stage.in_(open_stages),
            Lead.deal_amount.is_not(None),  # type: ignore[attr-defined,union-attr]
        )
    )
    open_value: dict[str, Decimal] = {}
    weighted: dict[str, Decimal] = {}
    for currency, amount, probability in rows.all():
        code = currency or "EUR"
        open_value[code] = open_value.get(code, Decimal(0)) + amount
        weighted[code] = weighted.get(code, Decimal(0)) + amount * Decimal(probability or 0) / 100
    parked = (await session.exec(select(func.count()).select_from(Lead).where(Lead.parked))).one()
    return Pipeline(counts=counts, open_value=open_value, weighted=weighted, parked=parked)
