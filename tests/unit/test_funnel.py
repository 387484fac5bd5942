from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import moves as rules
from bot.flows import MoveStep
from bot.presentation.labels import LOST_NAMES
from models import HistoryEvent, Lead, ParkReason, Stage, funnel
from models.errors import FunnelError

NOW = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)


def lead(stage: Stage = Stage.LEAD) -> Lead:
    return Lead(id=7, team_id=1, owner_id=2, code="abc", stage=stage)


def test_forward_moves_one_step_and_history_row():
    rec = lead()
    change = funnel.move(rec, Stage.PROSPECT, by=2, now=NOW)
    assert rec.stage is Stage.PROSPECT and rec.stage_changed_at == NOW and rec.probability == 20
    assert (change.from_stage, change.to_stage, change.member_id, change.at, change.event) == (
        Stage.LEAD,
        Stage.PROSPECT,
        2,
        NOW,
        HistoryEvent.MOVED,
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Stage.LEAD, Stage.OPPORTUNITY),
        (Stage.SUSPECT, Stage.CUSTOMER),
        (Stage.LEAD, Stage.CUSTOMER),
        (Stage.CUSTOMER, Stage.LOST),
        (Stage.LOST, Stage.CUSTOMER),
        (Stage.PROSPECT, Stage.PROSPECT),
    ],
)
def test_illegal_moves_raise_and_change_nothing(start, target):
    rec = lead(start)
    with pytest.raises(FunnelError):
        funnel.move(rec, target, by=2, now=NOW, reason="because")
    assert rec.stage is start


def test_backward_and_lost_need_a_reason():
    rec = lead(Stage.PROSPECT)
    with pytest.raises(FunnelError, match="needs a reason"):
        funnel.move(rec, Stage.LEAD, by=2, now=NOW)
    with pytest.raises(FunnelError, match="needs a reason"):
        funnel.move(rec, Stage.LOST, by=2, now=NOW, reason="  ")
    # Lost needs one of the lost reasons (a code); words alone, or an unknown code, are not one.
    with pytest.raises(FunnelError, match="needs a reason"):
        funnel.move(rec, Stage.LOST, by=2, now=NOW, reason="chose a competitor")
    with pytest.raises(FunnelError, match="needs a reason"):
        funnel.move(rec, Stage.LOST, by=2, now=NOW, lost_reason="aliens")
    assert rec.stage is Stage.PROSPECT
    change = funnel.move(rec, Stage.LOST, by=2, now=NOW, lost_reason="competitor", reason=" the cheaper one ")
    assert (rec.lost_reason, rec.lost_note, rec.closed_at) == ("competitor", "the cheaper one", NOW)
    assert change.reason == "the cheaper one"  # the history says why in the rep's words
    funnel.move(rec, Stage.LEAD, by=2, now=NOW, reason="new budget")
    assert rec.lost_reason is None and rec.lost_note is None and rec.closed_at is None


def test_lost_without_a_note_keeps_the_code_in_history():
    rec = lead()
    change = funnel.move(rec, Stage.LOST, by=2, now=NOW, lost_reason="price")
    assert (rec.lost_reason, rec.lost_note, change.reason) == ("price", None, "price")


def test_every_lost_reason_has_a_name():
    assert set(funnel.LOST_REASONS) == set(LOST_NAMES)


def test_a_record_that_moved_since_refuses_the_old_button():
    funnel.check_seen(Stage.LEAD, Stage.LEAD)
    with pytest.raises(FunnelError, match="moved since"):
        funnel.check_seen(Stage.PROSPECT, Stage.LEAD)


@pytest.mark.parametrize(
    ("score", "is_manager", "reason", "refusal"),
    [
        (60, False, None, None),  # passed: anyone advances it
        (95, True, None, None),
        (59, False, "known buyer", "Qualification has not passed yet"),  # a rep's reason does not count
        (None, False, None, "Qualification has not passed yet"),
        (None, True, None, "needs a reason"),  # a manager says why
        (10, True, "  ", "needs a reason"),
        (None, True, "known buyer", None),
    ],
)
def test_lead_to_prospect_needs_a_pass_or_a_manager_with_a_reason(score, is_manager, reason, refusal):
    def check() -> None:
        funnel.check_qualification(
            Stage.LEAD, Stage.PROSPECT, score=score, pass_mark=60, is_manager=is_manager, reason=reason
        )

    if refusal is None:
        check()
    else:
        with pytest.raises(FunnelError, match=refusal):
            check()


def test_the_qualification_gate_is_lead_to_prospect_only():
    assert funnel.needs_qualification(Stage.LEAD, Stage.PROSPECT)
    assert not funnel.needs_qualification(Stage.OPPORTUNITY, Stage.PROSPECT)  # back a stage: a reason
    funnel.check_qualification(
        Stage.PROSPECT, Stage.OPPORTUNITY, score=None, pass_mark=60, is_manager=False, reason=None
    )


def test_the_refusal_names_the_score_and_the_pass_mark():
    with pytest.raises(FunnelError) as refused:
        funnel.check_qualification(Stage.LEAD, Stage.PROSPECT, score=40, pass_mark=70, is_manager=False, reason=None)
    assert refused.value.params == {"score": 40, "mark": 70}
    with pytest.raises(FunnelError) as refused:
        funnel.check_qualification(Stage.LEAD, Stage.PROSPECT, score=None, pass_mark=60, is_manager=False, reason=None)
    assert refused.value.params["score"] == "–"


@pytest.mark.parametrize(
    ("start", "target", "manager", "score", "step"),
    [
        (Stage.LEAD, Stage.LOST, False, None, MoveStep.LOST),
        (Stage.OPPORTUNITY, Stage.LOST, False, None, MoveStep.LOST),
        (Stage.PROSPECT, Stage.LEAD, False, None, MoveStep.REASON),  # back a stage
        (Stage.LOST, Stage.LEAD, False, None, MoveStep.REASON),  # revived
        (Stage.CUSTOMER, Stage.OPPORTUNITY, True, None, MoveStep.REASON),
        (Stage.LEAD, Stage.PROSPECT, False, 80, None),  # qualified: moved at once
        (Stage.LEAD, Stage.PROSPECT, True, 80, None),
        (Stage.LEAD, Stage.PROSPECT, True, 30, MoveStep.REASON),  # a manager's override says why
        (Stage.LEAD, Stage.PROSPECT, True, None, MoveStep.REASON),
        (Stage.PROSPECT, Stage.OPPORTUNITY, False, None, MoveStep.AMOUNT),
        (Stage.OPPORTUNITY, Stage.CUSTOMER, False, None, MoveStep.FINAL),
        (Stage.SUSPECT, Stage.LEAD, False, None, None),
    ],
)
def test_which_questions_a_move_asks_first(start, target, manager, score, step):
    assert rules.first_step(start, target, score=score, pass_mark=60, is_manager=manager) is step


@pytest.mark.parametrize(
    ("start", "target", "score", "refusal"),
    [
        (Stage.LEAD, Stage.PROSPECT, 59, "Qualification has not passed yet"),  # a rep, not passed
        (Stage.LEAD, Stage.PROSPECT, None, "Qualification has not passed yet"),
        (Stage.LEAD, Stage.CUSTOMER, 100, "cannot move from this stage"),
        (Stage.LEAD, Stage.LEAD, 100, "already at this stage"),
        (Stage.LOST, Stage.CUSTOMER, 100, "cannot move from this stage"),
    ],
)
def test_moves_refused_before_any_question(start, target, score, refusal):
    with pytest.raises(FunnelError, match=refusal):
        rules.first_step(start, target, score=score, pass_mark=60, is_manager=False)


def test_the_questions_that_follow():
    steps, step = [], rules.first_step(Stage.PROSPECT, Stage.OPPORTUNITY, score=None, pass_mark=60, is_manager=False)
    while step is not None:
        steps.append(step)
        step = rules.next_step(step)
    assert steps == [MoveStep.AMOUNT, MoveStep.PROBABILITY, MoveStep.CLOSE]
    assert rules.next_step(MoveStep.LOST) is MoveStep.LOST_NOTE and rules.next_step(MoveStep.LOST_NOTE) is None
    assert rules.next_step(MoveStep.REASON) is None and rules.next_step(MoveStep.FINAL) is None
    assert set(rules.NEXT_STEP) == set(MoveStep)


def test_records_are_browsed_open_deals_first():
    assert set(funnel.BROWSE_ORDER) == set(Stage) and funnel.BROWSE_ORDER[0] is Stage.OPPORTUNITY


def test_allowed_moves_lists_forward_first():
    assert funnel.allowed_moves(Stage.PROSPECT) == [Stage.OPPORTUNITY, Stage.LEAD, Stage.LOST]
    assert funnel.allowed_moves(Stage.CUSTOMER) == [Stage.OPPORTUNITY]


def test_parking_keeps_the_stage_and_closing_clears_it():
    rec = lead(Stage.PROSPECT)
    change = funnel.park(rec, ParkReason.NO_BUDGET, NOW + timedelta(days=14), by=2, now=NOW)
    assert rec.parked and rec.stage is Stage.PROSPECT and rec.parked_until == NOW + timedelta(days=14)
    assert change.event is HistoryEvent.PARKED and change.from_stage == change.to_stage == Stage.PROSPECT
    with pytest.raises(FunnelError, match="future"):
        funnel.park(rec, ParkReason.OTHER, NOW - timedelta(hours=1), by=2, now=NOW)
    with pytest.raises(FunnelError, match="Already parked until then"):  # a double tap parks once
        funnel.park(rec, ParkReason.NO_BUDGET, NOW + timedelta(days=14), by=2, now=NOW)
    funnel.park(rec, ParkReason.OTHER, NOW + timedelta(days=21), by=2, now=NOW)  # another date: parked again
    assert rec.parked_until == NOW + timedelta(days=21) and rec.park_reason is ParkReason.OTHER
    funnel.move(rec, Stage.OPPORTUNITY, by=2, now=NOW)
    assert rec.parked  # advancing does not silently unpark...
    funnel.move(rec, Stage.CUSTOMER, by=2, now=NOW)
    assert not rec.parked and rec.parked_until is None  # ...closing does


def test_closed_records_cannot_be_parked_and_unpark_needs_parking():
    with pytest.raises(FunnelError):
        funnel.park(lead(Stage.CUSTOMER), ParkReason.OTHER, NOW + timedelta(days=1), by=2, now=NOW)
    with pytest.raises(FunnelError):
        funnel.unpark(lead(), by=2, now=NOW)
