from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
    change = funnel.move(rec, Stage.LOST, by=2, now=NOW, reason="chose a competitor")
    assert rec.lost_reason == "chose a competitor" and rec.closed_at == NOW and change.reason == "chose a competitor"
    funnel.move(rec, Stage.LEAD, by=2, now=NOW, reason="new budget")
    assert rec.lost_reason is None and rec.closed_at is None


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
    funnel.move(rec, Stage.OPPORTUNITY, by=2, now=NOW)
    assert rec.parked  # advancing does not silently unpark...
    funnel.move(rec, Stage.CUSTOMER, by=2, now=NOW)
    assert not rec.parked and rec.parked_until is None  # ...closing does


def test_closed_records_cannot_be_parked_and_unpark_needs_parking():
    with pytest.raises(FunnelError):
        funnel.park(lead(Stage.CUSTOMER), ParkReason.OTHER, NOW + timedelta(days=1), by=2, now=NOW)
    with pytest.raises(FunnelError):
        funnel.unpark(lead(), by=2, now=NOW)
