"""Leads (contacts moving through the funnel), their contact points, stage history and notes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field

from models.base import BigIntId, JSONDoc, Money
from models.columns import created_at, enum_type, updated_at, utc
from models.enums import ActivityKind, ContactKind, HistoryEvent, LeadSource, ParkReason, Stage
from models.scoping import LeadChild, OwnedByMember, TeamScoped

OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT"]


def _fk(target: str, *, nullable: bool = False, ondelete: OnDelete = "CASCADE") -> Any:
    default: Any = None if nullable else ...
    return Field(
        default=default,
        foreign_key=target,
        ondelete=ondelete,
        nullable=nullable,
        sa_type=sa.BigInteger,
    )


class Lead(TeamScoped, OwnedByMember, table=True):
    """One contact and where it stands in the funnel."""

    __tablename__ = "lead"
    __table_args__ = (
        # The funnel counts and sums per team and stage without touching the table.
        # Deal values by stage (the pipeline, the summary's weighted pipeline) from the index alone.
        sa.Index("ix_lead_team_stage_deals", "team_id", "stage", "deal_amount", "currency", "probability"),
        # Stalled records by stage (the summary and the morning brief), new records per period.
        sa.Index("ix_lead_team_stage_parked_activity", "team_id", "stage", "parked", "last_activity_at"),
        sa.Index("ix_lead_team_id_created_at", "team_id", "created_at", "owner_id"),
        # A period's new records by source and how far they got (the summary's by-source section).
        sa.Index(
            "ix_lead_team_created_sources",
            "team_id",
            "created_at",
            "source",
            "stage",
            "score",
            "deal_amount",
            "currency",
            "lost_reason",
            "closed_at",
        ),
        # Open opportunities by expected close, with their values (the forecast), from the index alone.
        sa.Index(
            "ix_lead_team_stage_closes",
            "team_id",
            "stage",
            "expected_close_date",
            "currency",
            "deal_amount",
            "probability",
        ),
        # Records by event (the "meeting or event" source's detail): /events, and a period's events.
        sa.Index("ix_lead_team_source_created", "team_id", "source", "created_at", "source_detail"),
        # Won and lost in a period, with values and reasons, from the index alone.
        sa.Index("ix_lead_team_closed", "team_id", "closed_at", "stage", "currency", "deal_amount", "lost_reason"),
        sa.Index("ix_lead_owner_id_stage", "owner_id", "stage"),
        sa.Index("ix_lead_team_id_last_activity_at", "team_id", "last_activity_at"),
        sa.Index("ix_lead_team_id_name_key_company_key", "team_id", "name_key", "company_key"),
        sa.Index("ix_lead_team_id_parked_until", "team_id", "parked_until"),
        sa.CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 100)", name="probability"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = _fk("team.id")
    owner_id: int = _fk("member.id", ondelete="RESTRICT")
    # Short public code for deep links and buttons; never the raw id alone.
    code: str = Field(max_length=16, unique=True)

    # Card fields
    first_name: str | None = Field(default=None, max_length=128)
    last_name: str | None = Field(default=None, max_length=128)
    job_title: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    emails: list[str] = Field(default_factory=list, sa_type=JSONDoc, nullable=False)
    phones: list[str] = Field(default_factory=list, sa_type=JSONDoc, nullable=False)
    website: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=500)
    birthday: date | None = None
    raw_card_text: str | None = Field(default=None, sa_type=sa.Text)
    # The contact's Telegram account (from a shared contact or a forwarded message): the record's
    # "Open chat" link. Also kept as contact points, which the duplicate check reads.
    telegram_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    telegram_username: str | None = Field(default=None, max_length=32)
    # Lower-cased, accent-free keys for duplicate checks and search.
    name_key: str = Field(default="", max_length=260)
    company_key: str = Field(default="", max_length=200)
    search_text: str = Field(default="", sa_type=sa.Text)

    # Funnel position
    stage: Stage = Field(default=Stage.LEAD, sa_type=enum_type(Stage))
    stage_changed_at: datetime | None = utc()
    parked: bool = Field(default=False)
    park_reason: ParkReason | None = Field(default=None, sa_type=enum_type(ParkReason))
    park_note: str | None = Field(default=None, max_length=500)
    parked_until: datetime | None = utc()

    # Value and qualification
    source: LeadSource | None = Field(default=None, sa_type=enum_type(LeadSource))
    source_detail: str | None = Field(default=None, max_length=200)
    estimated_value: Decimal | None = Field(default=None, sa_type=Money)
    estimated_currency: str | None = Field(default=None, max_length=3)
    qualification: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDoc, nullable=False)
    score: int | None = None
    qualified_at: datetime | None = utc()

    # Deal
    deal_amount: Decimal | None = Field(default=None, sa_type=Money)
    currency: str | None = Field(default=None, max_length=3)
    probability: int | None = None
    expected_close_date: date | None = None
    lost_reason: str | None = Field(default=None, max_length=64)
    lost_note: str | None = Field(default=None, max_length=500)
    closed_at: datetime | None = utc()

    last_activity_at: datetime | None = utc()
    # When the owner (and then the manager) was told the record had gone quiet; a newer activity
    # makes the record eligible again.
    stall_nudged_at: datetime | None = utc()
    stall_escalated_at: datetime | None = utc()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class ContactPoint(TeamScoped, LeadChild, table=True):
    """A normalised email, phone or Telegram account of a lead, indexed for duplicate checks within a team."""

    __tablename__ = "contact_point"
    __table_args__ = (sa.Index("ix_contact_point_team_id_kind_value", "team_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = _fk("team.id")
    lead_id: int = Field(foreign_key="lead.id", ondelete="CASCADE", index=True, sa_type=sa.BigInteger)
    kind: ContactKind = Field(sa_type=enum_type(ContactKind))
    value: str = Field(max_length=320)


class StageChange(TeamScoped, LeadChild, table=True):
    """One move of a lead between stages, or into and out of parking: who, when and why."""

    __tablename__ = "stage_change"
    __table_args__ = (
        # The funnel summary reads a period's moves from this index alone.
        sa.Index(
            "ix_stage_change_team_at_moves",
            "team_id",
            "at",
            "event",
            "from_stage",
            "to_stage",
            "member_id",
            "seconds_in_stage",
        ),  # fmt: skip
        sa.Index("ix_stage_change_lead_id_at", "lead_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = _fk("team.id")
    lead_id: int = Field(foreign_key="lead.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    event: HistoryEvent = Field(default=HistoryEvent.MOVED, sa_type=enum_type(HistoryEvent))
    from_stage: Stage | None = Field(default=None, sa_type=enum_type(Stage))
    to_stage: Stage = Field(sa_type=enum_type(Stage))
    member_id: int | None = _fk("member.id", nullable=True, ondelete="SET NULL")
    at: datetime = created_at()
    reason: str | None = Field(default=None, max_length=500)
    seconds_in_stage: int | None = Field(default=None, sa_type=sa.BigInteger)


class Activity(TeamScoped, LeadChild, table=True):
    """A note, an objection or question the contact raised, a call, a follow-up done."""

    __tablename__ = "activity"
    __table_args__ = (sa.Index("ix_activity_lead_id_at", "lead_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigIntId)
    team_id: int = _fk("team.id")
    lead_id: int = Field(foreign_key="lead.id", ondelete="CASCADE", sa_type=sa.BigInteger)
    member_id: int | None = _fk("member.id", nullable=True, ondelete="SET NULL")
    kind: ActivityKind = Field(default=ActivityKind.NOTE, sa_type=enum_type(ActivityKind))
    text: str = Field(sa_type=sa.Text)
    at: datetime = created_at()


class StageTally(TeamScoped, table=True):
    """How many records a team has at each stage, parked or not.

    Kept by database triggers on `lead` (migration 0003), so that every write path counts, and the
    team summary reads a handful of rows instead of counting a million. A migration that rebuilds
    the `lead` table (SQLite batch mode) must create the triggers again: `StageTally` has a test
    that compares it with a real count.
    """

    __tablename__ = "stage_tally"

    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", primary_key=True, sa_type=sa.BigInteger)
    stage: Stage = Field(primary_key=True, sa_type=enum_type(Stage))
    parked: bool = Field(primary_key=True)
    n: int = Field(default=0)
