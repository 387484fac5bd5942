"""A card a rep sent that is not saved yet: one per member, kept apart from flows so that any other
flow (a time zone, an open record, a reminder) leaves it and its preview's buttons working."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from models.base import BigIntId, JSONDoc
from models.columns import created_at, updated_at
from models.scoping import TeamScoped


class CardDraft(TeamScoped, table=True):
    __tablename__ = "card_draft"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True, sa_type=sa.BigInteger)
    # One draft per member: a new card replaces the older draft.
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE", unique=True, sa_type=sa.BigInteger)
    # Carried by the preview's buttons: a button of a replaced draft finds nothing.
    nonce: str = Field(max_length=16)
    card: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc, nullable=False)
    # The team's record with the same e-mail, phone, or name and company (Merge offers it).
    duplicate_id: int | None = Field(default=None, foreign_key="lead.id", ondelete="SET NULL", sa_type=sa.BigInteger)
    # The preview message, once known (a photo's placeholder, /new's prompt, a tapped button).
    chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
