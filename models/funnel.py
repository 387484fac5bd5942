"""The funnel rules: stages, the moves between them, parking. Plain code, no I/O.

Forward moves follow the funnel one step at a time; any open stage can be closed as lost;
a move backwards or out of a closed stage needs a reason, and a move to lost needs one of the
lost reasons (a code; the rep's words go in the lost note). Lead → prospect needs a passed
qualification, or a manager with a reason. Every move and every park or unpark returns a history
row for the caller to add to the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from models.enums import HistoryEvent, ParkReason, Stage
from models.errors import N_, FunnelError
from models.lead import Lead, StageChange

ORDER: tuple[Stage, ...] = (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY, Stage.CUSTOMER)

# How records are listed: open deals first, closed ones last.
BROWSE_ORDER: tuple[Stage, ...] = (
    Stage.OPPORTUNITY,
    Stage.PROSPECT,
    Stage.LEAD,
    Stage.SUSPECT,
    Stage.CUSTOMER,
    Stage.LOST,
)

# from-stage -> the stages it may move to
ALLOWED: dict[Stage, frozenset[Stage]] = {
    Stage.SUSPECT: frozenset({Stage.LEAD, Stage.LOST}),
    Stage.LEAD: frozenset({Stage.PROSPECT, Stage.SUSPECT, Stage.LOST}),
    Stage.PROSPECT: frozenset({Stage.OPPORTUNITY, Stage.LEAD, Stage.LOST}),
    Stage.OPPORTUNITY: frozenset({Stage.CUSTOMER, Stage.PROSPECT, Stage.LOST}),
    # A signed deal that fell through goes back to negotiation, with a reason.
    Stage.CUSTOMER: frozenset({Stage.OPPORTUNITY}),
    # A dead lead can be revived as a lead, with a reason.
    Stage.LOST: frozenset({Stage.LEAD}),
}

# Default win probability (percent) when a record enters a stage.
DEFAULT_PROBABILITY: dict[Stage, int] = {
    Stage.SUSPECT: 0,
    Stage.LEAD: 5,
    Stage.PROSPECT: 20,
    Stage.OPPORTUNITY: 50,
    Stage.CUSTOMER: 100,
    Stage.LOST: 0,
}

PARKABLE = frozenset({Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY})

# Why a record was lost: stored as the code (the team summary counts them), named by the
# presentation's lexicon; anything the rep adds in words is the lost note.
LOST_REASONS: tuple[str, ...] = ("price", "competitor", "no_decision", "no_budget", "timing", "other")


def is_backward(from_stage: Stage, to_stage: Stage) -> bool:
    if from_stage is Stage.LOST:
        return True
    if to_stage is Stage.LOST:
        return False
    return ORDER.index(to_stage) < ORDER.index(from_stage)


def needs_reason(from_stage: Stage, to_stage: Stage) -> bool:
    return to_stage is Stage.LOST or is_backward(from_stage, to_stage)


def allowed_moves(stage: Stage) -> list[Stage]:
    """The moves from `stage`, forward first, in funnel order."""
    targets = ALLOWED[stage]
    forward = [s for s in ORDER if s in targets and not is_backward(stage, s)]
    back = [s for s in ORDER if s in targets and is_backward(stage, s)]
    return forward + back + ([Stage.LOST] if Stage.LOST in targets else [])


def check_allowed(from_stage: Stage, to_stage: Stage) -> None:
    """The funnel allows this move at all (what it needs is asked for separately)."""
    if from_stage == to_stage:
        raise FunnelError(N_("The record is already at this stage."))
    if to_stage not in ALLOWED[from_stage]:
        raise FunnelError(N_("A record cannot move from this stage to that one."))


def check_seen(stage: Stage, seen: Stage) -> None:
    """A button shows the stage the rep saw; a record that has moved since refuses it (a double
    tap never moves twice)."""
    if stage is not seen:
        raise FunnelError(N_("This record has moved since; open it again."))


def _given(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def check_move(from_stage: Stage, to_stage: Stage, reason: str | None, *, lost_reason: str | None = None) -> None:
    check_allowed(from_stage, to_stage)
    if to_stage is Stage.LOST:
        if lost_reason not in LOST_REASONS:
            raise FunnelError(N_("This move needs a reason."))
    elif needs_reason(from_stage, to_stage) and _given(reason) is None:
        raise FunnelError(N_("This move needs a reason."))


def needs_qualification(from_stage: Stage, to_stage: Stage) -> bool:
    """Lead → prospect is the gate: the qualification decides whether a lead is worth pursuing."""
    return from_stage is Stage.LEAD and to_stage is Stage.PROSPECT


def qualified(score: int | None, pass_mark: int) -> bool:
    return score is not None and score >= pass_mark


def check_qualification(
    from_stage: Stage,
    to_stage: Stage,
    *,
    score: int | None,
    pass_mark: int,
    is_manager: bool,
    reason: str | None,
) -> None:
    """Lead → prospect needs a passed qualification (score ≥ the team's pass mark), or a manager
    who says why."""
    if not needs_qualification(from_stage, to_stage) or qualified(score, pass_mark):
        return
    if not is_manager:
        raise FunnelError(
            N_(
                "Qualification has not passed yet (score {score}, pass mark {mark}). "
                "Qualify it, or ask a manager to advance it."
            ),
            score=score if score is not None else "–",
            mark=pass_mark,
        )
    if _given(reason) is None:
        raise FunnelError(N_("This move needs a reason."))


def move(
    lead: Lead,
    to_stage: Stage,
    *,
    by: int | None,
    now: datetime,
    reason: str | None = None,
    lost_reason: str | None = None,
) -> StageChange:
    """Move `lead` to `to_stage` if the rules allow it; return the history row. A move to lost
    takes its `lost_reason` code, and `reason` (optional then) as the lost note."""
    from_stage = lead.stage
    check_move(from_stage, to_stage, reason, lost_reason=lost_reason)
    why = _given(reason)
    entered = lead.stage_changed_at
    lead.stage = to_stage
    lead.stage_changed_at = now
    lead.last_activity_at = now
    if to_stage.is_closed:
        lead.closed_at = now
        _clear_parking(lead)
    elif from_stage.is_closed:
        lead.closed_at = None
    if to_stage is Stage.LOST:
        lead.lost_reason = lost_reason
        lead.lost_note = why[:500] if why else None
    elif from_stage is Stage.LOST:
        lead.lost_reason = None
        lead.lost_note = None
    # The stage default; a caller that knows better (deal details) sets its own after the move.
    lead.probability = DEFAULT_PROBABILITY[to_stage]
    return StageChange(
        team_id=lead.team_id,
        lead_id=_saved(lead),
        event=HistoryEvent.MOVED,
        from_stage=from_stage,
        to_stage=to_stage,
        member_id=by,
        at=now,
        reason=why[:500] if why else lost_reason if to_stage is Stage.LOST else None,
        # How long the record spent in the stage it left, kept so the funnel summary's average
        # days per stage is one indexed read instead of a search through each record's history.
        seconds_in_stage=int((now - entered).total_seconds()) if entered is not None else None,
    )


def created(lead: Lead, *, by: int | None, now: datetime, reason: str | None = None) -> StageChange:
    """The first history row of a new record."""
    return StageChange(
        team_id=lead.team_id,
        lead_id=_saved(lead),
        event=HistoryEvent.CREATED,
        from_stage=None,
        to_stage=lead.stage,
        member_id=by,
        at=now,
        reason=reason,
    )


def park(
    lead: Lead, reason: ParkReason, until: datetime, *, by: int | None, now: datetime, note: str | None = None
) -> StageChange:
    """Park an open record until `until`: it keeps its stage and comes back by reminder."""
    if lead.stage not in PARKABLE:
        raise FunnelError(N_("A closed record cannot be parked."))
    if until <= now:
        raise FunnelError(N_("The follow-up time must be in the future."))
    if lead.parked and lead.parked_until == until:
        raise FunnelError(N_("Already parked until then."))  # a double tap parks once
    lead.parked = True
    lead.park_reason = reason
    lead.park_note = note
    lead.parked_until = until
    lead.last_activity_at = now
    return _history(lead, HistoryEvent.PARKED, by=by, now=now, reason=note or reason.value)


def unpark(lead: Lead, *, by: int | None, now: datetime, reason: str | None = None) -> StageChange:
    if not lead.parked:
        raise FunnelError(N_("The record is not parked."))
    _clear_parking(lead)
    lead.last_activity_at = now
    return _history(lead, HistoryEvent.UNPARKED, by=by, now=now, reason=reason)


def _history(lead: Lead, event: HistoryEvent, *, by: int | None, now: datetime, reason: str | None) -> StageChange:
    """A history row for an event that leaves the stage as it is."""
    return StageChange(
        team_id=lead.team_id,
        lead_id=_saved(lead),
        event=event,
        from_stage=lead.stage,
        to_stage=lead.stage,
        member_id=by,
        at=now,
        reason=reason,
    )


def _saved(lead: Lead) -> int:
    if lead.id is None:
        raise ValueError("a record's history needs the record saved first")
    return lead.id


def _clear_parking(lead: Lead) -> None:
    lead.parked = False
    lead.park_reason = None
    lead.park_note = None
    lead.parked_until = None
