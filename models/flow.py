"""Where a member is in a multi-step flow (card confirmation, qualification, a settings prompt).

Kept in the database so that a restart of the bot loses nothing a rep was in the middle of.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from models.base import JSONDoc
from models.columns import updated_at
from models.scoping import TeamScoped


class FlowState(TeamScoped, table=True):
    __tablename__ = "flow_state"

    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE", primary_key=True, sa_type=sa.BigInteger)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True, sa_type=sa.BigInteger)
    flow: str = Field(max_length=32)
    step: str = Field(default="", max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc, nullable=False)
    chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    updated_at: datetime = updated_at()
