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
from models import Lead, Stage


async def cohort(
    session: AsyncSession, team_id: int, start: datetime, end: datetime, *, pass_mark: int
) -> list[maths.CohortRow]:
    """The records created in [start, end), grouped as bot/domain/sources.py needs them."""
    passed = case((col(Lead.score) >= pass_mark, 1), else_=0)
    has_deal = case((col(Lead.deal_amount).is_not(None), 1), else_=0)
    # Ten columns: more than sqlmodel's select() is typed for, hence its Select class.
    query: Any = (
        Select(
            col(Lead.source),
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
        .where(
            col(Lead.team_id) == team_id,
            col(Lead.created_at) >= start,
            col(Lead.created_at) < end,
        )
        .group_by(col(Lead.source), col(Lead.stage), passed, has_deal, col(Lead.currency), col(Lead.lost_reason))
    )
    rows = [
        maths.CohortRow(
            source=source.value if source is not None else None,
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
        for source, stage, p, d, currency, reason, n, amount, score_sum, scored in (await session.exec(query)).all()
    ]
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
