"""The by-source figures and the forecast on small hand-made histories."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain import sources
from bot.domain.sources import CohortRow, DealRow
from models import Stage


def record(
    source: str | None,
    stage: Stage = Stage.LEAD,
    *,
    score: int | None = None,
    passed: bool = False,
    amount: str | None = None,
    currency: str | None = None,
    reason: str | None = None,
    days: float | None = None,
) -> CohortRow:
    """One record of a period's cohort, as the service's grouped rows would give it."""
    return CohortRow(
        source=source,
        stage=stage,
        passed=passed,
        has_deal=amount is not None,
        currency=currency,
        lost_reason=reason,
        n=1,
        amount=Decimal(amount or 0),
        score_sum=score or 0,
        scored=1 if score is not None else 0,
        days_sum=days or 0.0,
        days_n=1 if days is not None else 0,
    )


def test_no_records_no_rows() -> None:
    assert sources.by_source([], currency="EUR") == []


def test_one_source_every_figure() -> None:
    rows = [
        record("referral", Stage.CUSTOMER, score=80, passed=True, amount="1000", currency="EUR", days=10),
        record("referral", Stage.CUSTOMER, score=70, passed=True, amount="500", currency="EUR", days=20),
        record("referral", Stage.OPPORTUNITY, score=60, passed=True, amount="300"),
        record("referral", Stage.LOST, score=20, amount="200", reason="price"),  # lost after a deal
        record("referral", Stage.LOST, reason="timing"),
        record("referral", Stage.LOST, reason="price"),
        record("referral", Stage.LEAD),
        record("referral", Stage.PROSPECT, score=40),
    ]
    [row] = sources.by_source(rows, currency="EUR")
    assert row.source == "referral"
    assert row.new == 8
    assert row.qualified_share == 3 / 8
    assert row.opportunity == 4  # two won, one open, one lost with a deal
    assert row.opportunity_share == 0.5
    assert row.won_share == 2 / 8
    assert row.won_value == {"EUR": Decimal("1500")}
    assert row.avg_score == (80 + 70 + 60 + 20 + 40) / 5
    assert row.avg_days_to_won == 15
    assert row.lost == 3
    assert row.top_reason == "price"


def test_small_sources_and_unknown_go_to_other_last() -> None:
    rows = [record("bought_list") for _ in range(6)]
    rows += [record("referral", Stage.CUSTOMER, amount="10", currency="USD") for _ in range(5)]
    rows += [record("linkedin"), record("linkedin", Stage.LOST), record(None)]
    result = sources.by_source(rows, currency="EUR")
    assert [r.source for r in result] == ["bought_list", "referral", "other"]
    other = result[-1]
    assert other.new == 3
    assert other.lost == 1
    assert other.top_reason == "other"  # a loss without a reason
    assert other.won_share == 0
    assert other.avg_score is None and other.avg_days_to_won is None


def test_mixed_currencies_kept_apart_and_team_currency_when_none() -> None:
    rows = [
        record("meeting", Stage.CUSTOMER, amount="100", currency="USD"),
        record("meeting", Stage.CUSTOMER, amount="200", currency="EUR"),
        record("meeting", Stage.CUSTOMER, amount="50"),
        record("meeting", Stage.CUSTOMER),  # won without an amount: counted, worth nothing
        record("meeting"),
    ]
    [row] = sources.by_source(rows, currency="EUR")
    assert row.won == 4
    assert row.won_value == {"USD": Decimal("100"), "EUR": Decimal("250")}


def test_ties_in_lost_reasons_by_name() -> None:
    rows = [record("website", Stage.LOST, reason=r) for r in ("timing", "price", "timing", "price")]
    [row] = sources.by_source(rows, currency="EUR", minimum=1)
    assert row.top_reason == "price"


def deal(close: date | None, amount: str, probability: int | None, currency: str | None = "EUR") -> DealRow:
    a = Decimal(amount)
    return DealRow(close, currency, 1, a, a * probability if probability is not None else Decimal(0))


def test_forecast_by_month_per_currency_and_overdue() -> None:
    today = date(2026, 11, 20)
    rows = [
        deal(date(2026, 11, 20), "1000", 50),  # today: this month, not overdue
        deal(date(2026, 11, 30), "500", 25, "USD"),
        deal(date(2026, 12, 1), "300", None),  # no probability: weighs nothing
        deal(date(2027, 1, 31), "100", 10, None),  # the team's currency
        deal(date(2027, 2, 1), "999", 90),  # beyond three months
        deal(date(2026, 11, 19), "50", 50),  # overdue
        deal(None, "70", 50),
    ]
    f = sources.forecast(rows, today=today, currency="EUR")
    assert [m.month for m in f.months] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    nov, dec, jan = f.months
    assert nov.count == 2
    assert nov.amount == {"EUR": Decimal("1000"), "USD": Decimal("500")}
    assert nov.weighted == {"EUR": Decimal("500.00"), "USD": Decimal("125.00")}
    assert dec.count == 1 and dec.weighted == {"EUR": Decimal("0.00")}
    assert jan.amount == {"EUR": Decimal("100")} and jan.weighted == {"EUR": Decimal("10.00")}
    assert (f.overdue, f.undated, f.later) == (1, 1, 1)
    assert not f.empty


def test_forecast_across_a_year_and_empty() -> None:
    f = sources.forecast([], today=date(2026, 12, 31), currency="EUR")
    assert [m.month for m in f.months] == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert f.empty


def test_forecast_weighted_rounded_once_after_summing() -> None:
    rows = [deal(date(2026, 11, 25), "0.01", 50), deal(date(2026, 11, 26), "0.01", 50)]
    [nov, _, _] = sources.forecast(rows, today=date(2026, 11, 1), currency="EUR").months
    assert nov.weighted == {"EUR": Decimal("0.01")}


def test_previous_period_regrouped_as_this_one() -> None:
    now = sources.by_source([record("referral") for _ in range(5)] + [record("website")], currency="EUR")
    before = sources.tally([record("referral"), record("website"), record("linkedin"), record(None)], currency="EUR")
    grouped = sources.regroup(before, now)
    assert {name: row.new for name, row in grouped.items()} == {"referral": 1, "other": 3}


def test_events_fold_names_and_cost_per_won_deal() -> None:
    rows = [
        record("Interliber 2026", Stage.CUSTOMER, amount="1000", currency="EUR"),
        record("interliber  2026 ", Stage.CUSTOMER, amount="500", currency="EUR"),
        record("Interliber 2026", Stage.LEAD, passed=True),
        record("Expo", Stage.OPPORTUNITY, amount="10"),
        record("", Stage.LEAD),  # no name: no event
    ]
    costs = {"interliber 2026": (Decimal("3000"), "EUR"), "expo": (Decimal("100"), "USD")}
    fair, expo = sources.by_event(rows, currency="EUR", costs=costs)
    assert fair.name == "Interliber 2026"
    assert (fair.figures.new, fair.figures.qualified, fair.figures.opportunity, fair.figures.won) == (3, 1, 2, 2)
    assert fair.figures.won_value == {"EUR": Decimal("1500")}
    assert fair.cost_per_won == (Decimal("1500.00"), "EUR")
    assert expo.name == "Expo" and expo.figures.won == 0 and expo.cost_per_won is None  # nothing won yet
    assert sources.by_event([], currency="EUR") == []
