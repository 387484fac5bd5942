"""The rows the by-source figures and the forecast are made of (definitions in
bot/domain/sources.py), read through the session's scope: a rep's private /funnel sees their own
records, a group's the team's.

A period's cohort is grouped in the database, from the index on (team, created, source, stage,
score, deal amount, currency, lost reason); only the customers are read one by one, for their
days to won. The forecast reads the open opportunities (few next to the records) by stage.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.domain import sources as maths
from models import EventCost, Lead, LeadSource, Member, Stage
from models.errors import N_, DomainError


async def _grouped(session: AsyncSession, key: Any, *where: Any, pass_mark: int) -> list[maths.CohortRow]:
    """Records grouped by `key` (their source, or their event's name) and by what the figures need."""
    passed = case((col(Lead.score) >= pass_mark, 1), else_=0)
    has_deal = case((col(Lead.deal_amount).is_not(None), 1), else_=0)
    # Ten columns: more than sqlmodel's select() is typed for, hence its Select class.
    query: Any = (
        Select(
            key,
            col(Lead.stage),
            passed,
            has_deal,
            col(Lead.currency),
            col(Lead.lost_reason),
            func.count(),
            func.coalesce(func.sum(col(Lead.deal_amount)), 0),
            func.coalesce(func.sum(col(Lead.score)), 0),
            func.count(col(Lead.score)),
        )
        .where(*where)
        .group_by(key, col(Lead.stage), passed, has_deal, col(Lead.currency), col(Lead.lost_reason))
    )
    return [
        maths.CohortRow(
            source=name.value if isinstance(name, LeadSource) else name,
            stage=stage,
            passed=bool(p),
            has_deal=bool(d),
            currency=currency,
            lost_reason=reason,
            n=int(n),
            amount=Decimal(str(amount)),
            score_sum=int(score_sum),
            scored=int(scored),
        )
        for name, stage, p, d, currency, reason, n, amount, score_sum, scored in (await session.exec(query)).all()
    ]


async def cohort(
    session: AsyncSession, team_id: int, start: datetime, end: datetime, *, pass_mark: int
) -> list[maths.CohortRow]:
    """The records created in [start, end), grouped as bot/domain/sources.py needs them."""
    rows = await _grouped(
        session,
        col(Lead.source),
        col(Lead.team_id) == team_id,
        col(Lead.created_at) >= start,
        col(Lead.created_at) < end,
        pass_mark=pass_mark,
    )
    # Days to won: the cohort's customers one by one (few).
    won = await session.exec(
        select(col(Lead.source), col(Lead.created_at), col(Lead.closed_at)).where(
            col(Lead.team_id) == team_id,
            col(Lead.created_at) >= start,
            col(Lead.created_at) < end,
            col(Lead.stage) == Stage.CUSTOMER,
            col(Lead.closed_at).is_not(None),
        )
    )
    days: dict[str | None, list[float]] = defaultdict(lambda: [0.0, 0])
    for source, created, closed in won.all():
        if closed is None:
            continue
        entry = days[source.value if source is not None else None]
        entry[0] += max(0.0, (closed - created).total_seconds() / 86400)
        entry[1] += 1
    for name, (total, n) in days.items():
        rows.append(maths.CohortRow(name, Stage.CUSTOMER, False, False, None, None, 0, Decimal(0), 0, 0, total, int(n)))
    return rows


async def open_deals(session: AsyncSession, team_id: int) -> list[maths.DealRow]:
    """The open opportunities by expected close date and currency, with their sums."""
    query: Any = (
        Select(
            col(Lead.expected_close_date),
            col(Lead.currency),
            func.count(),
            func.coalesce(func.sum(col(Lead.deal_amount)), 0),
            func.coalesce(func.sum(col(Lead.deal_amount) * col(Lead.probability)), 0),
        )
        .where(col(Lead.team_id) == team_id, col(Lead.stage) == Stage.OPPORTUNITY)
        .group_by(col(Lead.expected_close_date), col(Lead.currency))
    )
    return [
        maths.DealRow(close, currency, int(n), Decimal(str(amount)), Decimal(str(weighted)))
        for close, currency, n, amount, weighted in (await session.exec(query)).all()
    ]


# --- events ---------------------------------------------------------------------------------------

NO_EVENT = N_("No record names the event “{name}”. Send /events to see the names.")


def _of_events(team_id: int) -> tuple[Any, ...]:
    return (
        col(Lead.team_id) == team_id,
        col(Lead.source) == LeadSource.MEETING,
        col(Lead.source_detail).is_not(None),
    )


async def events(session: AsyncSession, team_id: int, *, pass_mark: int, currency: str) -> list[maths.EventRow]:
    """Every named event of the team's records, with its figures and cost."""
    rows = await _grouped(session, col(Lead.source_detail), *_of_events(team_id), pass_mark=pass_mark)
    costs = await session.exec(select(EventCost).where(col(EventCost.team_id) == team_id))
    return maths.by_event(rows, currency=currency, costs={c.name_key: (c.amount, c.currency) for c in costs.all()})


async def period_events(
    session: AsyncSession, team_id: int, start: datetime, end: datetime, *, pass_mark: int, currency: str
) -> list[maths.EventRow]:
    """The named events of the records created in [start, end) (the monthly summary's section)."""
    where = (*_of_events(team_id), col(Lead.created_at) >= start, col(Lead.created_at) < end)
    rows = await _grouped(session, col(Lead.source_detail), *where, pass_mark=pass_mark)
    return maths.by_event(rows, currency=currency)


async def set_event_cost(
    session: AsyncSession, team_id: int, name: str, amount: Decimal, currency: str, *, by: Member
) -> EventCost:
    """A manager enters (or corrects) what an event cost; the event must be one records name."""
    key = maths.event_key(name)
    names = await session.exec(select(col(Lead.source_detail)).where(*_of_events(team_id)).distinct())
    spelt = [n for n in names.all() if n is not None and maths.event_key(n) == key]
    if not key or not spelt:
        raise DomainError(NO_EVENT, name=name.strip()[:100])
    found = (
        await session.exec(select(EventCost).where(col(EventCost.team_id) == team_id, col(EventCost.name_key) == key))
    ).first()
    cost = found or EventCost(
        team_id=team_id, name_key=key, name=spelt[0].strip()[:200], amount=amount, currency=currency
    )
    cost.amount, cost.currency, cost.set_by_id = amount, currency, by.id
    session.add(cost)
    await session.flush()
    return cost
