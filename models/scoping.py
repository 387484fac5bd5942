"""Markers that tell the session-level access rules which rows belong to whom."""

from __future__ import annotations

from sqlmodel import SQLModel


class TeamScoped(SQLModel):
    """Rows that belong to exactly one team (the class carries a `team_id` column)."""


class OwnedByMember(SQLModel):
    """Team rows that a rep sees only when they are theirs (the class carries `owner_id`)."""


class LeadChild(SQLModel):
    """Team rows that hang off a lead (the class carries `lead_id`); a rep sees those of own leads."""
