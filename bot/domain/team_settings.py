"""What a manager changes in the team's settings, as plain rules: the qualification weights and
pass mark (0–100, in steps of five), and the morning brief's kinds and quiet days."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import qualification as q
from bot.domain.nudges import KINDS, NudgeSettings
from models import Stage

WEIGHT_STEP = 5
PASS_MARK = "pass"  # the pass mark, beside the criteria, as a target of change_weight
WEIGHT_TARGETS = (*(c.value for c in q.ORDER), PASS_MARK)
DAY_STEP = 1


def _clamp(value: int) -> int:
    return min(100, max(0, value))


def change_weight(settings: q.Settings, what: str, step: int) -> q.Settings:
    """One step (±WEIGHT_STEP) on a criterion's weight or on the pass mark, kept within 0–100."""
    if step not in (WEIGHT_STEP, -WEIGHT_STEP):
        raise ValueError(f"a weight changes by {WEIGHT_STEP} at a time, not {step}")
    if what == PASS_MARK:
        return replace(settings, pass_mark=_clamp(settings.pass_mark + step))
    criterion = q.Criterion(what)  # ValueError for anything else
    weights = {**settings.weights, criterion: _clamp(settings.weights.get(criterion, 0) + step)}
    return replace(settings, weights=weights)


def toggle_nudge(settings: NudgeSettings, kind: str) -> NudgeSettings:
    """Switch one kind of the morning brief on or off."""
    if kind not in KINDS:
        raise ValueError(f"no nudge kind {kind!r}")
    return settings.toggled(kind)


def change_quiet_days(settings: NudgeSettings, stage: Stage, delta: int) -> NudgeSettings:
    """One day more or less before a record of `stage` counts as gone quiet (1–365)."""
    if delta not in (DAY_STEP, -DAY_STEP):
        raise ValueError(f"quiet days change by {DAY_STEP} at a time, not {delta}")
    if stage not in settings.stalled_days:
        raise ValueError(f"records in {stage} do not go quiet")
    return settings.with_days(stage, delta)
