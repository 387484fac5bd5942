"""SQLModel tables, enums and the funnel rules. Importing this package registers every table."""

from models.audit import ErasureAudit
from models.claim import ClaimToken
from models.draft import CardDraft
from models.enums import (
    ActivityKind,
    ContactKind,
    HistoryEvent,
    LeadSource,
    ParkReason,
    ReminderKind,
    ReminderStatus,
    Role,
    Stage,
    SummaryPeriod,
)
from models.event import EventCost
from models.flow import FlowState
from models.inbox import InboxChat, InboxStatus, InboxUpdate
from models.lead import Activity, ContactPoint, Lead, StageChange, StageTally
from models.reminder import GroupSubscription, Reminder, WorkerLease
from models.team import Invite, Member, Team

__all__ = [
    "Activity",
    "ActivityKind",
    "CardDraft",
    "ClaimToken",
    "ContactKind",
    "ContactPoint",
    "ErasureAudit",
    "EventCost",
    "FlowState",
    "HistoryEvent",
    "InboxChat",
    "InboxStatus",
    "InboxUpdate",
    "GroupSubscription",
    "Invite",
    "Lead",
    "LeadSource",
    "Member",
    "ParkReason",
    "Reminder",
    "ReminderKind",
    "ReminderStatus",
    "Role",
    "Stage",
    "StageChange",
    "StageTally",
    "SummaryPeriod",
    "Team",
    "WorkerLease",
]
