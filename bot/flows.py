"""Every multi-step flow, declared in one place: its kind, its steps and its data.

A member is in at most one flow at a time: the flow says what the next typed text means (a time
zone, a note, an amount…). Its data is a validated model, stored as JSON in `flow_state` and
checked again when read back, so a row written by an older version, or tampered with, reads as
"no flow" instead of breaking a handler. The handlers of each kind's text are wired in
`handlers/__init__.py` (`TEXT_STEPS`); a test checks that every kind has one.

What a new flow does to an open one: it replaces it (only one question can be awaited at a time),
and the replaced flow's prompt loses its buttons. Card drafts are not flows: they live in their
own table, so an unsaved card survives any other flow and its buttons keep working.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bot.domain.qualification import QuestionKey
from models import ParkReason, Stage


class FlowKind(StrEnum):
    ZONE = "tz"
    CARD = "card"
    SOURCE = "srcdetail"
    RECORD = "rec"
    QUALIFY = "qual"
    MOVE = "move"
    REMIND = "remind"
    FORWARD = "fwd"


class FlowData(BaseModel):
    """The data of one flow. `chat_id`/`message_id` locate its prompt (kept in their own columns)."""

    model_config = ConfigDict(extra="forbid", frozen=False)
    kind: ClassVar[FlowKind]

    chat_id: int | None = Field(default=None, exclude=True)
    message_id: int | None = Field(default=None, exclude=True)

    @property
    def step_name(self) -> str:
        step = getattr(self, "step", "")
        return str(step)


class ZoneFlow(FlowData):
    """ "Type your city or time zone" (or the zone buttons asked before a first /remind, whose
    words wait in `remind` and go on once the zone is known)."""

    kind: ClassVar[FlowKind] = FlowKind.ZONE
    remind: str = Field(default="", max_length=400)


CardField = Literal["name", "job_title", "company", "emails", "phones", "website", "address"]


class CardStep(StrEnum):
    EDIT = "edit"  # a correction from the preview's Edit
    NEW = "new"  # /new, field by field


class CardFlow(FlowData):
    """Typing one field of the member's card draft (the draft itself is a `CardDraft` row)."""

    kind: ClassVar[FlowKind] = FlowKind.CARD
    step: CardStep
    field: CardField
    nonce: str = Field(max_length=16)


class SourceFlow(FlowData):
    """The event's name after saving a card."""

    kind: ClassVar[FlowKind] = FlowKind.SOURCE
    lead: int


class RecordStep(StrEnum):
    OPEN = "open"  # text is a note on the open record
    PARK = "park"  # text is the follow-up date of parking
    BIRTHDAY = "bday"  # text is the contact's birthday


class RecordFlow(FlowData):
    """An open record: what the rep types goes to it (a note, a birthday, parking's date)."""

    kind: ClassVar[FlowKind] = FlowKind.RECORD
    step: RecordStep = RecordStep.OPEN
    lead: int
    reason: ParkReason | None = None  # parking: the reason picked before the date


class QualifyFlow(FlowData):
    """One qualification question awaits its answer."""

    kind: ClassVar[FlowKind] = FlowKind.QUALIFY
    lead: int
    question: QuestionKey

    @property
    def step_name(self) -> str:
        return self.question


class MoveStep(StrEnum):
    LOST = "lost"  # the lost reason (buttons)
    REASON = "reason"  # why (a backward move, a manager's override)
    AMOUNT = "amount"
    PROBABILITY = "prob"
    CLOSE = "close"
    FINAL = "final"  # the won amount
    LOST_NOTE = "lostnote"


class MoveFlow(FlowData):
    """A move that needs answers first (deal details, a reason)."""

    kind: ClassVar[FlowKind] = FlowKind.MOVE
    step: MoveStep
    lead: int
    from_stage: Stage
    to_stage: Stage
    amount: Decimal | None = None
    currency: str | None = Field(default=None, max_length=3)
    probability: int | None = Field(default=None, ge=0, le=100)
    close: date | None = None
    lost_reason: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=500)  # why; for lost, the note


class RemindStep(StrEnum):
    WHAT = "what"  # ⏰ on a record: "when, and what about"
    PICK = "pick"  # several records match the name
    CONFIRM = "confirm"  # the moment is shown back
    SNOOZE = "snooze"  # "Other time…" under a reminder


class RemindFlow(FlowData):
    """Setting a reminder in words, or snoozing one to a typed time. The prompt of PICK and CONFIRM
    carries buttons marked with `nonce`: a button of an older prompt finds another nonce."""

    kind: ClassVar[FlowKind] = FlowKind.REMIND
    step: RemindStep
    nonce: str = Field(default="", max_length=16)
    at: AwareDatetime | None = None  # the proposed moment (PICK, CONFIRM)
    text: str = Field(default="", max_length=1000)  # what about ("" for a plain follow-up)
    lead: int | None = None  # the record (WHAT, and CONFIRM when one was named)
    reminder: int | None = None  # the reminder being snoozed (SNOOZE)
    part: str | None = Field(default=None, max_length=16)  # the part of the day named ("morning")
    options: list[AwareDatetime] = Field(default_factory=list, max_length=4)  # two readings to pick from


class ForwardFlow(FlowData):
    """Messages forwarded from one sender (bot/domain/forwards.py): a batch that the next forward of
    the same sender within the batch window extends. For a known record (`lead`) the prompt offers
    to keep the texts as one note; for a sender Telegram shows by name only, the draft `nonce`'s
    company is asked (the next text typed)."""

    kind: ClassVar[FlowKind] = FlowKind.FORWARD
    sender: str = Field(max_length=200)
    last: AwareDatetime  # when the batch's latest forward was sent
    texts: list[str] = Field(default_factory=list, max_length=100)
    lead: int | None = None
    nonce: str = Field(default="", max_length=16)
    ask_company: bool = False

    @property
    def step_name(self) -> str:
        return "note" if self.lead is not None else "company" if self.ask_company else "card"


FLOWS: dict[FlowKind, type[FlowData]] = {
    cls.kind: cls
    for cls in (ZoneFlow, CardFlow, SourceFlow, RecordFlow, QualifyFlow, MoveFlow, RemindFlow, ForwardFlow)
}
