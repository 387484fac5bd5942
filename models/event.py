"""What a named event (a trade fair, a conference) cost the team, entered by a manager."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from models.base import BigIntId, Money
from models.columns import updated_at
from models.scoping import TeamScoped


class EventCost(TeamScoped, table=True):
    """One event's cost. Events are the records' "meeting or event" source details; `name_key` is
    the detail folded (case and spaces) so that "Interliber" and "interliber " are one event."""

    __tablename__ = "event_cost"
    __table_args__ = (sa.UniqueConstraint("team_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    name_key: str = Field(max_length=200)
    name: str = Field(max_length=200)
    amount: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=3)
    set_by_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL", nullable=True, sa_type=sa.BigInteger
    )
    updated_at: datetime = updated_at()
