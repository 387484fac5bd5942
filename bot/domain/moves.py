"""What a move asks before it is made: plain rules over the funnel's (models/funnel.py).

Lost asks the reason (buttons) and then an optional note; going back, or a manager advancing an
unqualified lead, asks why; prospect → opportunity asks the amount, the win probability and the
expected close date; opportunity → won asks the final amount. Other moves are made at once.
"""

from __future__ import annotations

from bot.flows import MoveStep
from models import Stage, funnel

# The step after each answered one; None: nothing left to ask, make the move.
NEXT_STEP: dict[MoveStep, MoveStep | None] = {
    MoveStep.LOST: MoveStep.LOST_NOTE,
    MoveStep.LOST_NOTE: None,
    MoveStep.REASON: None,
    MoveStep.AMOUNT: MoveStep.PROBABILITY,
    MoveStep.PROBABILITY: MoveStep.CLOSE,
    MoveStep.CLOSE: None,
    MoveStep.FINAL: None,
}


def first_step(
    from_stage: Stage, to_stage: Stage, *, score: int | None, pass_mark: int, is_manager: bool
) -> MoveStep | None:
    """The first question of a move, or None when it needs none. Refuses (FunnelError) a move
    the funnel does not allow, and a rep advancing a lead that has not passed qualification."""
    funnel.check_allowed(from_stage, to_stage)
    if to_stage is Stage.LOST:
        return MoveStep.LOST
    if funnel.needs_reason(from_stage, to_stage):
        return MoveStep.REASON
    if funnel.needs_qualification(from_stage, to_stage) and not funnel.qualified(score, pass_mark):
        if not is_manager:  # refused: score and pass mark in the answer
            funnel.check_qualification(
                from_stage, to_stage, score=score, pass_mark=pass_mark, is_manager=False, reason=None
            )
        return MoveStep.REASON  # a manager may advance it, saying why
    if to_stage is Stage.OPPORTUNITY:
        return MoveStep.AMOUNT
    if to_stage is Stage.CUSTOMER:
        return MoveStep.FINAL
    return None


def next_step(step: MoveStep) -> MoveStep | None:
    return NEXT_STEP[step]
