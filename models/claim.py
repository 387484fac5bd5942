"""The one-time link that makes its opener the owner of the first team (`/start claim-…`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import BigIntId
from models.columns import created_at, utc


class ClaimToken(SQLModel, table=True):
    """Printed by `salesbot run` while no team exists. Single use, expiring; only the SHA-256 of the
    token is stored. Not a team's row: there is no team yet."""

    __tablename__ = "claim_token"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = utc(nullable=False)
    used_at: datetime | None = utc()
    used_by_telegram_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime = created_at()
