"""Where good leads come from, and what the open deals promise: every figure's definition.

Plain code, no database. The service hands over grouped rows; the tests hand over one row per
record. Definitions:

- **The cohort of a period**: the records created in it. Per source, of that cohort:
  - *new*: how many records came in;
  - *qualified*: the share whose qualification score reached the team's pass mark;
  - *to opportunity*: the share that reached the opportunity stage: at opportunity or customer now,
    or lost with a deal amount (a deal is opened at opportunity);
  - *to won*: the share that is a customer now;
  - *won value*: the deal amounts of those customers, per currency (the team's when none is set);
  - *average score*: over the records with a score;
  - *average days to won*: from creation to being closed as won, over the customers;
  - *lost*: how many are lost now, and the most frequent reason (ties: the reason's name).
- A record without a source counts as "other". Sources with fewer than `MIN_RECORDS` records are
  added into "other", so that shares stand for something; "other" comes last, the rest by size.
- **A record's value** (to order lists by): its deal amount, or else its estimated value, times
  its probability, or else its stage's default probability, over 100. Currencies are not converted:
  the order compares amounts as they are.
- **Forecast**: the open opportunities by expected close month, for the current month in the team's
  zone and the two after it: count, amount and weighted amount (amount × probability / 100; a
  record without a probability weighs 0) per currency. An expected close before today is *overdue*
  (counted); an opportunity without a date, or later than the three months, is counted as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from models import Stage
from models.funnel import DEFAULT_PROBABILITY

MIN_RECORDS = 5
OTHER = "other"
MONTHS = 3
CENT = Decimal("0.01")


class CohortRow(NamedTuple):
    """Records of a period's cohort sharing all these, and their sums."""

    source: str | None
    stage: Stage
    passed: bool  # the score reached the pass mark
    has_deal: bool  # a deal amount is set
    currency: str | None
    lost_reason: str | None
    n: int
    amount: Decimal  # the sum of the deal amounts
    score_sum: int
    scored: int  # records with a score
    days_sum: float = 0.0  # days from creation to closed, over the customers with both dates
    days_n: int = 0


@dataclass
class SourceRow:
    source: str
    new: int = 0
    qualified: int = 0
    opportunity: int = 0
    won: int = 0
    won_value: dict[str, Decimal] = field(default_factory=dict)
    score_sum: int = 0
    scored: int = 0
    days_sum: float = 0.0
    days_n: int = 0
    lost: int = 0
    lost_reasons: dict[str, int] = field(default_factory=dict)

    def share(self, part: int) -> float | None:
        return part / self.new if self.new else None

    @property
    def qualified_share(self) -> float | None:
        return self.share(self.qualified)

    @property
    def opportunity_share(self) -> float | None:
        return self.share(self.opportunity)

    @property
    def won_share(self) -> float | None:
        return self.share(self.won)

    @property
    def avg_score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    @property
    def avg_days_to_won(self) -> float | None:
        return self.days_sum / self.days_n if self.days_n else None

    @property
    def top_reason(self) -> str | None:
        if not self.lost_reasons:
            return None
        return sorted(self.lost_reasons.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def add(self, other: SourceRow) -> None:
        self.new += other.new
        self.qualified += other.qualified
        self.opportunity += other.opportunity
        self.won += other.won
        for currency, value in other.won_value.items():
            self.won_value[currency] = self.won_value.get(currency, Decimal(0)) + value
        self.score_sum += other.score_sum
        self.scored += other.scored
        self.days_sum += other.days_sum
        self.days_n += other.days_n
        self.lost += other.lost
        for reason, n in other.lost_reasons.items():
            self.lost_reasons[reason] = self.lost_reasons.get(reason, 0) + n


def reached_opportunity(stage: Stage, has_deal: bool) -> bool:
    return stage in (Stage.OPPORTUNITY, Stage.CUSTOMER) or (stage is Stage.LOST and has_deal)


def tally(rows: list[CohortRow], *, currency: str) -> dict[str, SourceRow]:
    """The cohort's figures per source, ungrouped. `currency` is the team's."""
    out: dict[str, SourceRow] = {}
    for row in rows:
        name = row.source or OTHER
        s = out.setdefault(name, SourceRow(name))
        s.new += row.n
        if row.passed:
            s.qualified += row.n
        if reached_opportunity(row.stage, row.has_deal):
            s.opportunity += row.n
        if row.stage is Stage.CUSTOMER:
            s.won += row.n
            if row.has_deal:
                cur = row.currency or currency
                s.won_value[cur] = s.won_value.get(cur, Decimal(0)) + row.amount
            s.days_sum += row.days_sum
            s.days_n += row.days_n
        elif row.stage is Stage.LOST:
            s.lost += row.n
            reason = row.lost_reason or OTHER
            s.lost_reasons[reason] = s.lost_reasons.get(reason, 0) + row.n
        s.score_sum += row.score_sum
        s.scored += row.scored
    return out


def group_small(per_source: dict[str, SourceRow], minimum: int = MIN_RECORDS) -> list[SourceRow]:
    """Sources with fewer than `minimum` records go into "other"; the biggest first, "other" last
    (absent when empty)."""
    other = SourceRow(OTHER)
    kept: list[SourceRow] = []
    for name, row in per_source.items():
        if name == OTHER or row.new < minimum:
            other.add(row)
        else:
            kept.append(row)
    kept.sort(key=lambda r: (-r.new, r.source))
    return kept + ([other] if other.new else [])


def regroup(before: dict[str, SourceRow], shown: list[SourceRow]) -> dict[str, SourceRow]:
    """The previous period's figures grouped as this period's rows are, to compare row with row:
    its sources this period does not show apart are added into "other"."""
    names = {row.source for row in shown}
    grouped: dict[str, SourceRow] = {}
    for name, row in before.items():
        key = name if name in names else OTHER
        grouped.setdefault(key, SourceRow(key)).add(row)
    return grouped


def by_source(rows: list[CohortRow], *, currency: str, minimum: int = MIN_RECORDS) -> list[SourceRow]:
    """Per source over a period's cohort, small sources grouped as "other"."""
    return group_small(tally(rows, currency=currency), minimum)


def lead_value(amount: Decimal | None, estimated: Decimal | None, probability: int | None, stage: Stage) -> Decimal:
    """What a record is worth now (see the module's docstring)."""
    base = amount if amount is not None else estimated
    if base is None:
        return Decimal(0)
    chance = probability if probability is not None else DEFAULT_PROBABILITY.get(stage, 0)
    return base * chance / 100


# --- forecast -------------------------------------------------------------------------------------


class DealRow(NamedTuple):
    """Open opportunities sharing an expected close date and a currency, and their sums."""

    close: date | None
    currency: str | None
    n: int
    amount: Decimal  # the sum of the deal amounts
    weighted: Decimal  # the sum of amount × probability (percent), before dividing by 100


@dataclass
class MonthRow:
    month: date  # the first day
    count: int = 0
    amount: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Forecast:
    months: list[MonthRow]
    overdue: int = 0
    undated: int = 0
    later: int = 0

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.undated or self.later or any(m.count for m in self.months))


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def forecast(rows: list[DealRow], *, today: date, currency: str, months: int = MONTHS) -> Forecast:
    """Open opportunities by expected close month, from the month of `today` (the team's date)."""
    first = _month_index(today)
    result = Forecast([MonthRow(date((first + i) // 12, (first + i) % 12 + 1, 1)) for i in range(months)])
    for row in rows:
        if row.close is None:
            result.undated += row.n
            continue
        if row.close < today:
            result.overdue += row.n
            continue
        i = _month_index(row.close) - first
        if i >= months:
            result.later += row.n
            continue
        month = result.months[i]
        cur = row.currency or currency
        month.count += row.n
        month.amount[cur] = month.amount.get(cur, Decimal(0)) + row.amount
        month.weighted[cur] = month.weighted.get(cur, Decimal(0)) + row.weighted
    for month in result.months:  # rounded once, after summing
        month.weighted = {c: (v / 100).quantize(CENT) for c, v in month.weighted.items()}
    return result


# --- events -------------------------------------------------------------------------------------


def event_key(name: str) -> str:
    """An event's name folded: case and spaces do not make another event."""
    return " ".join(name.casefold().split())[:200]


@dataclass
class EventRow:
    """A named event, over all its records: cards captured (`figures.new`), qualified,
    opportunities, won value, and the cost per won deal when the event has a cost."""

    name: str
    figures: SourceRow
    cost: tuple[Decimal, str] | None = None

    @property
    def cost_per_won(self) -> tuple[Decimal, str] | None:
        if self.cost is None or not self.figures.won:
            return None
        amount, currency = self.cost
        return (amount / self.figures.won).quantize(CENT), currency


def by_event(
    rows: list[CohortRow], *, currency: str, costs: dict[str, tuple[Decimal, str]] | None = None
) -> list[EventRow]:
    """Per event: `rows` carry the event's name (as typed) in `source`; names that fold alike are
    one event, shown as most often typed (ties: the first in order). The most cards first."""
    spellings: dict[str, dict[str, int]] = {}
    keyed: list[CohortRow] = []
    for row in rows:
        if not row.source or not event_key(row.source):
            continue
        key = event_key(row.source)
        names = spellings.setdefault(key, {})
        names[row.source.strip()] = names.get(row.source.strip(), 0) + row.n
        keyed.append(row._replace(source=key))
    figures = tally(keyed, currency=currency)
    costs = costs or {}
    events = [
        EventRow(max(spellings[key].items(), key=lambda kv: kv[1])[0], row, costs.get(key))
        for key, row in figures.items()
    ]
    return sorted(events, key=lambda e: (-e.figures.new, event_key(e.name)))
