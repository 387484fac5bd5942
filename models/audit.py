"""What the bot keeps about an erased record: that it existed, who erased it, when and why. No
personal data: the record's internal id is a number that names nobody once the record is gone."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from models.base import BigIntId
from models.columns import created_at
from models.scoping import TeamScoped

MANUAL = "manual"  # 🗑 Delete on the record's card
RETENTION = "retention"  # the team's retention period ran out


class ErasureAudit(TeamScoped, table=True):
    __tablename__ = "erasure_audit"
    __table_args__ = (sa.Index("ix_erasure_audit_team_id_at", "team_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    lead_id: int = Field(sa_type=sa.BigInteger)  # the erased record's internal id (no foreign key: it is gone)
    erased_by_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL", nullable=True, sa_type=sa.BigInteger
    )
    reason: str = Field(max_length=16)  # MANUAL or RETENTION
    at: datetime = created_at()
