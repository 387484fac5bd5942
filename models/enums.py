"""Enumerations stored in the database. Values are stable strings: never renumber them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    REP = "rep"

    @property
    def sees_team(self) -> bool:
        return self in (Role.OWNER, Role.MANAGER)


class Stage(StrEnum):
    SUSPECT = "suspect"
    LEAD = "lead"
    PROSPECT = "prospect"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (Stage.CUSTOMER, Stage.LOST)


class LeadSource(StrEnum):
    MEETING = "meeting"
    REFERRAL = "referral"
    COLD_CALL = "cold_call"
    BOUGHT_LIST = "bought_list"
    LINKEDIN = "linkedin"
    WEBSITE = "website"
    OTHER = "other"


class ParkReason(StrEnum):
    NOT_READY = "not_ready"
    NO_BUDGET = "no_budget"
    SAID_NO_KEEP = "said_no_keep"
    WRONG_PERSON = "wrong_person"
    OTHER = "other"


class ActivityKind(StrEnum):
    NOTE = "note"
    OBJECTION = "objection"
    QUESTION = "question"
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    FOLLOW_UP = "follow_up"


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    TELEGRAM = "telegram"  # a Telegram user id, as digits
    TELEGRAM_USERNAME = "tg_username"  # a Telegram @username, lower case, without the "@"


class ReminderKind(StrEnum):
    FOLLOW_UP = "follow_up"
    CUSTOM = "custom"
    BIRTHDAY = "birthday"
    STALLED = "stalled"
    CLOSE_DATE = "close_date"
    DIGEST = "digest"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DONE = "done"
    SNOOZED = "snoozed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    # Waiting for an owner: the member it was for was removed and its record not handed over yet;
    # never delivered as such, pending again when the record is handed to someone.
    HELD = "held"


class SummaryPeriod(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class HistoryEvent(StrEnum):
    CREATED = "created"
    MOVED = "moved"
    PARKED = "parked"
    UNPARKED = "unparked"
    HANDED_OVER = "handed_over"  # the record changed owner (from_stage == to_stage)
