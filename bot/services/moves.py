"""Moving records through the funnel, with the deal details each move carries, and the pipeline.

`move` is where every rule of a move is checked, in the transaction that writes it: the record as
this member sees it, the stage the rep saw (a record that has moved since refuses), the funnel's
allowed moves and reasons, and the lead → prospect qualification gate. Calling it directly cannot
skip any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import leads, qualification
from models import Lead, Member, Stage, StageChange, funnel

OPEN_STAGES = (Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY)


@dataclass(frozen=True)
class Moved:
    lead: Lead
    change: StageChange


async def move(
    session: AsyncSession,
    lead_id: int,
    to_stage: Stage,
    *,
    seen: Stage,
    by: Member,
    now: datetime,
    reason: str | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    probability: int | None = None,
    close_date: date | None = None,
    lost_reason: str | None = None,
) -> Moved:
    """Move the record from `seen` (the stage the rep saw) to `to_stage`, with its deal details.
    `reason` is why (a backward move, a manager's override) or, for lost, the optional note;
    `lost_reason` is the lost reason's code."""
    lead = await leads.get_visible(session, lead_id, lock=True)
    funnel.check_seen(lead.stage, seen)
    if funnel.needs_qualification(lead.stage, to_stage):
        settings = await qualification.settings_for(session, lead.team_id)
        funnel.check_qualification(
            lead.stage,
            to_stage,
            score=lead.score,
            pass_mark=settings.pass_mark,
            is_manager=by.role.sees_team,
            reason=reason,
        )
    change = funnel.move(lead, to_stage, by=by.id, now=now, reason=reason, lost_reason=lost_reason)
    if amount is not None:
        lead.deal_amount, lead.currency = amount, currency or lead.currency
    if probability is not None:
        lead.probability = probability
    if close_date is not None:
        lead.expected_close_date = close_date
    session.add(lead)
    session.add(change)
    await session.flush()
    return Moved(lead=lead, change=change)


@dataclass
class Pipeline:
    counts: dict[Stage, int]
    open_value: dict[str, Decimal]  # per currency
    weighted: dict[str, Decimal]  # amount × probability, per currency
    parked: int


async def pipeline(session: AsyncSession) -> Pipeline:
    """Records per stage, open deal value and its weighted value, parked records: as far as the
    session's scope sees (a rep's own, a manager's team)."""
    counts = await leads.stage_counts(session)
    rows = await session.exec(
        select(col(Lead.currency), col(Lead.deal_amount), col(Lead.probability)).where(
            col(Lead.stage).in_(OPEN_STAGES), col(Lead.deal_amount).is_not(None)
        )
    )
    open_value: dict[str, Decimal] = {}
    weighted: dict[str, Decimal] = {}
    for currency, amount, probability in rows.all():
        if amount is None:
            continue
        code = currency or "EUR"
        open_value[code] = open_value.get(code, Decimal(0)) + amount
        weighted[code] = weighted.get(code, Decimal(0)) + amount * Decimal(probability or 0) / 100
    parked = (await session.exec(select(func.count()).select_from(Lead).where(col(Lead.parked)))).one()
    return Pipeline(counts=counts, open_value=open_value, weighted=weighted, parked=parked)
