"""The rules of a manager's changes to the team's settings (bot/domain/team_settings.py)."""

from __future__ import annotations

import pytest

from bot.domain import qualification as q
from bot.domain.nudges import STALLED_DEFAULTS, NudgeSettings
from bot.domain.team_settings import (
    PASS_MARK,
    WEIGHT_STEP,
    WEIGHT_TARGETS,
    change_quiet_days,
    change_weight,
    toggle_nudge,
)
from models import Stage

DEFAULTS = q.Settings.of(None)


def test_a_weight_moves_one_step_and_nothing_else_changes():
    changed = change_weight(DEFAULTS, "budget", -WEIGHT_STEP)
    assert changed.weights[q.Criterion.BUDGET] == 20 and changed.pass_mark == DEFAULTS.pass_mark
    assert {c: w for c, w in changed.weights.items() if c is not q.Criterion.BUDGET} == {
        c: w for c, w in DEFAULTS.weights.items() if c is not q.Criterion.BUDGET
    }
    assert DEFAULTS.weights[q.Criterion.BUDGET] == 25  # the old settings are not touched
    assert change_weight(DEFAULTS, PASS_MARK, WEIGHT_STEP).pass_mark == 65


@pytest.mark.parametrize("what", WEIGHT_TARGETS)
def test_weights_and_the_pass_mark_stay_within_0_and_100(what):
    def value(settings: q.Settings) -> int:
        return settings.pass_mark if what == PASS_MARK else settings.weights[q.Criterion(what)]

    settings = DEFAULTS
    for _ in range(30):
        settings = change_weight(settings, what, WEIGHT_STEP)
    assert value(settings) == 100
    for _ in range(30):
        settings = change_weight(settings, what, -WEIGHT_STEP)
    assert value(settings) == 0
    # what is saved reads back the same (0 removes the question; 100 is allowed)
    assert q.Settings.of({"qualification": settings.to_json()}) == settings


@pytest.mark.parametrize(("what", "step"), [("budget", 1), ("budget", 10), ("budget", 0), ("bogus", 5), ("value", 5)])
def test_anything_but_one_step_on_a_criterion_or_the_pass_mark_is_refused(what, step):
    with pytest.raises(ValueError):
        change_weight(DEFAULTS, what, step)


def test_a_nudge_kind_toggles_and_toggles_back():
    settings = NudgeSettings()
    off = toggle_nudge(settings, "birthday")
    assert not off.on("birthday") and all(off.on(k) for k in off.enabled if k != "birthday")
    assert toggle_nudge(off, "birthday") == settings
    with pytest.raises(ValueError):
        toggle_nudge(settings, "horoscope")


def test_quiet_days_move_by_one_within_1_and_365():
    settings = NudgeSettings()
    assert change_quiet_days(settings, Stage.LEAD, 1).stalled_days[Stage.LEAD] == STALLED_DEFAULTS[Stage.LEAD] + 1
    for _ in range(STALLED_DEFAULTS[Stage.LEAD] + 3):
        settings = change_quiet_days(settings, Stage.LEAD, -1)
    assert settings.stalled_days[Stage.LEAD] == 1
    with pytest.raises(ValueError):
        change_quiet_days(settings, Stage.LEAD, 7)
    with pytest.raises(ValueError):
        change_quiet_days(settings, Stage.CUSTOMER, 1)  # closed records never go quiet
