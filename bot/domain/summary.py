"""Funnel summary maths: periods in the team's timezone, conversion rates, comparisons, schedules,
and the words managers type for them ("/subscribe weekly monday 9:00", "/funnel month").

Plain code, no database. A period is a half-open interval [start, end) of aware datetimes; the
previous period is the one just before it, of the same kind (for a period still running, the same
length from the previous period's start, so that "this month so far" meets "last month, as far").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

import jdatetime

from bot.domain.dates import WEEKDAYS, fold, normalise
from bot.domain.sources import EventRow, Forecast, SourceRow
from models import Stage, SummaryPeriod

KINDS = ("day", "week", "month", "quarter")
FUNNEL = (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY, Stage.CUSTOMER)
OPEN = (Stage.SUSPECT, Stage.LEAD, Stage.PROSPECT, Stage.OPPORTUNITY)
CONVERSIONS = ((Stage.LEAD, Stage.PROSPECT), (Stage.PROSPECT, Stage.OPPORTUNITY), (Stage.OPPORTUNITY, Stage.CUSTOMER))
STAGE_RANK = {stage: i for i, stage in enumerate(FUNNEL)}


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime
    end: datetime
    prev_start: datetime
    prev_end: datetime
    key: str  # names the period: one scheduled summary per key
    first_day: date  # local dates, inclusive, for the heading
    last_day: date


# How a team's language counts its weeks and months: the day its week starts on (Monday, or
# Saturday where the weekend is Thursday-Friday) and whether its months and quarters are those of
# the Solar Hijri calendar (Iran).
class Calendar(NamedTuple):
    first_weekday: int = 0
    solar: bool = False


GREGORIAN = Calendar()
CALENDARS = {"fa": Calendar(first_weekday=5, solar=True)}


def calendar_of(language: str | None) -> Calendar:
    return CALENDARS.get(language or "", GREGORIAN)


def _start_of(kind: str, day: date, cal: Calendar = GREGORIAN) -> date:
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=(day.weekday() - cal.first_weekday) % 7)
    if cal.solar:
        solar = jdatetime.date.fromgregorian(date=day)
        month = solar.month if kind == "month" else 3 * ((solar.month - 1) // 3) + 1
        return jdatetime.date(solar.year, month, 1).togregorian()  # type: ignore[no-any-return]
    if kind == "month":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _shift(kind: str, day: date, steps: int, cal: Calendar = GREGORIAN) -> date:
    """The start of the period `steps` away from the period starting on `day`."""
    if kind == "day":
        return day + timedelta(days=steps)
    if kind == "week":
        return day + timedelta(weeks=steps)
    months = 1 if kind == "month" else 3
    if cal.solar:
        solar = jdatetime.date.fromgregorian(date=day)
        index = solar.year * 12 + solar.month - 1 + steps * months
        return jdatetime.date(index // 12, index % 12 + 1, 1).togregorian()  # type: ignore[no-any-return]
    index = day.year * 12 + day.month - 1 + steps * months
    return date(index // 12, index % 12 + 1, 1)


def _key(kind: str, start: date) -> str:
    if kind == "week":
        year, week, _ = start.isocalendar()
        return f"week:{year}-W{week:02d}"
    if kind == "month":
        return f"month:{start:%Y-%m}"
    if kind == "quarter":
        return f"quarter:{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"day:{start.isoformat()}"


def _at(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight, in UTC (so that differences are real durations, clock changes included)."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def complete_period(kind: str, now: datetime, zone: str, cal: Calendar = GREGORIAN) -> Period:
    """The last whole period before `now`: yesterday, last week (Monday to Sunday, or as the
    team's calendar counts weeks), last month..."""
    tz = ZoneInfo(zone)
    current = _start_of(kind, now.astimezone(tz).date(), cal)
    start, prev = _shift(kind, current, -1, cal), _shift(kind, current, -2, cal)
    return Period(
        kind=kind,
        start=_at(start, tz),
        end=_at(current, tz),
        prev_start=_at(prev, tz),
        prev_end=_at(start, tz),
        key=_key(kind, start),
        first_day=start,
        last_day=current - timedelta(days=1),
    )


def period_to_date(kind: str, now: datetime, zone: str, cal: Calendar = GREGORIAN) -> Period:
    """The period running now, from its start to `now`, against the same stretch of the one before."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    start_day = _start_of(kind, local.date(), cal)
    start = _at(start_day, tz)
    prev_start = _at(_shift(kind, start_day, -1, cal), tz)
    prev_end = min(prev_start + (now.astimezone(UTC) - start), start)
    return Period(
        kind=kind,
        start=start,
        end=now.astimezone(UTC),
        prev_start=prev_start,
        prev_end=prev_end,
        key=_key(kind, start_day),
        first_day=start_day,
        last_day=local.date(),
    )


def next_run(period: str, weekday: int | None, local_time: str, now: datetime, zone: str) -> datetime:
    """The next scheduled moment strictly after `now`: daily at `local_time`, or weekly on `weekday`."""
    tz = ZoneInfo(zone)
    hour, minute = (int(x) for x in local_time.split(":"))
    local = now.astimezone(tz)
    day = local.date()
    for _ in range(9):
        candidate = datetime.combine(day, time(hour, minute), tz)
        if candidate > now and (period == "daily" or day.weekday() == (weekday or 0)):
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a week always has the weekday")


def summary_kind(period: str) -> str:
    """What a scheduled summary covers: a daily one yesterday, a weekly one last week."""
    return "day" if period == "daily" else "week"


def conversion(moves: dict[tuple[Stage | None, Stage], int], from_stage: Stage, to_stage: Stage) -> float | None:
    """Of the records that left `from_stage` in the period, the share that went on to `to_stage`;
    None when none left it."""
    left = sum(n for (a, b), n in moves.items() if a is from_stage and b is not from_stage)
    if not left:
        return None
    return moves.get((from_stage, to_stage), 0) / left


def stages_at_start(now_counts: dict[Stage, int], since: dict[tuple[Stage | None, Stage], int]) -> dict[Stage, int]:
    """Records per stage at an earlier moment: today's counts minus what came in since, plus what left.
    `since` counts history rows after that moment by (from, to); new records have from = None."""
    before = {stage: now_counts.get(stage, 0) for stage in Stage}
    for (from_stage, to_stage), n in since.items():
        if from_stage is to_stage:
            continue  # parking in or out: the stage stays
        before[to_stage] -= n
        if from_stage is not None:
            before[from_stage] += n
    return {stage: max(0, n) for stage, n in before.items()}


def trend(current: float | Decimal | None, previous: float | Decimal | None) -> str:
    """ "up", "down", "same", or "" when there is nothing to compare with."""
    if current is None or previous is None:
        return ""
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "same"


@dataclass
class RepRow:
    new: int = 0
    advanced: int = 0
    won: int = 0
    # The rep's moves in the period by (from, to), and the time the records they moved had spent in
    # the stage left (seconds, and how many moves carry one): conversion and speed per rep.
    moves: dict[tuple[Stage | None, Stage], int] = field(default_factory=dict)
    seconds: int = 0
    timed: int = 0

    def rate(self, from_stage: Stage, to_stage: Stage) -> float | None:
        return conversion(self.moves, from_stage, to_stage)

    @property
    def avg_days(self) -> float | None:
        """Average days a record spent in a stage before this rep moved it on (or out)."""
        return self.seconds / self.timed / 86400 if self.timed else None


@dataclass
class Flow:
    """What happened in one period."""

    new: int = 0
    moves: dict[tuple[Stage | None, Stage], int] = field(default_factory=dict)
    won: int = 0
    won_value: dict[str, Decimal] = field(default_factory=dict)
    lost: int = 0
    lost_reasons: list[tuple[str, int]] = field(default_factory=list)
    avg_days: dict[Stage, float] = field(default_factory=dict)
    per_rep: dict[int, RepRow] = field(default_factory=dict)
    seconds: int = 0  # time spent in the stage left, over the moves that carry one
    timed: int = 0

    @property
    def moved(self) -> int:
        return sum(n for (a, b), n in self.moves.items() if a is not None and a is not b)

    def rate(self, from_stage: Stage, to_stage: Stage) -> float | None:
        return conversion(self.moves, from_stage, to_stage)

    @property
    def team_days(self) -> float | None:
        """Average days in a stage before leaving it, over every move of the period."""
        return self.seconds / self.timed / 86400 if self.timed else None


@dataclass
class Summary:
    period: Period
    stages: dict[Stage, int]
    stages_before: dict[Stage, int]
    weighted: dict[str, Decimal]
    stalled: int
    parked_due: int
    current: Flow
    previous: Flow
    rep_names: dict[int, str] = field(default_factory=dict)
    snapshot_before: dict[str, object] = field(default_factory=dict)
    # Where the period's records came from (see bot/domain/sources.py), against the period before.
    sources: list[SourceRow] = field(default_factory=list)
    sources_before: dict[str, SourceRow] = field(default_factory=dict)
    forecast: Forecast | None = None
    events: list[EventRow] = field(default_factory=list)  # a month's or quarter's cards by event

    def snapshot(self) -> dict[str, object]:
        """The "now" figures to compare with next time (JSON-safe)."""
        return {
            "stages": {s.value: n for s, n in self.stages.items()},
            "weighted": {c: str(v) for c, v in self.weighted.items()},
            "stalled": self.stalled,
        }

    def weighted_before(self, currency: str) -> Decimal | None:
        weighted = self.snapshot_before.get("weighted")
        raw = weighted.get(currency) if isinstance(weighted, dict) else None
        return Decimal(str(raw)) if raw is not None else None

    def stalled_before(self) -> int | None:
        value = self.snapshot_before.get("stalled")
        return value if isinstance(value, int) else None


# --- what managers type ------------------------------------------------------------------------

# The first word of /subscribe, in the six languages.
PERIOD_WORDS = {
    "daily": SummaryPeriod.DAILY, "day": SummaryPeriod.DAILY, "dnevno": SummaryPeriod.DAILY,
    "denně": SummaryPeriod.DAILY, "codziennie": SummaryPeriod.DAILY, "дневно": SummaryPeriod.DAILY,
    "روزانه": SummaryPeriod.DAILY, "weekly": SummaryPeriod.WEEKLY, "week": SummaryPeriod.WEEKLY,
    "tjedno": SummaryPeriod.WEEKLY, "týdně": SummaryPeriod.WEEKLY, "tygodniowo": SummaryPeriod.WEEKLY,
    "неделно": SummaryPeriod.WEEKLY, "هفتگی": SummaryPeriod.WEEKLY,
}  # fmt: skip
# The word after /funnel, in the six languages: the period so far it shows.
KIND_WORDS = {
    "week": "week", "tjedan": "week", "týden": "week", "tydzień": "week", "недела": "week", "هفته": "week",
    "month": "month", "mjesec": "month", "měsíc": "month", "miesiąc": "month", "месец": "month", "ماه": "month",
    "quarter": "quarter", "kvartal": "quarter", "čtvrtletí": "quarter", "kwartał": "quarter",
    "квартал": "quarter", "فصل": "quarter", "day": "day", "today": "day",
}  # fmt: skip
DEFAULT_KIND = "week"
DEFAULT_TIME = "9:00"
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


# Looked up without diacritics too, as reps type on a phone ("tydne pondeli", "tydzien").
_PERIODS = {**PERIOD_WORDS, **{fold(k): v for k, v in PERIOD_WORDS.items()}}
_KINDS = {**KIND_WORDS, **{fold(k): v for k, v in KIND_WORDS.items()}}


class Schedule(NamedTuple):
    period: SummaryPeriod
    weekday: int | None  # 0 = Monday, weekly only
    local_time: str  # "HH:MM" in the team's time zone


def _weekday_names(language: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for lang in dict.fromkeys((language if language in WEEKDAYS else "en", "en")):
        for i, group in enumerate(WEEKDAYS[lang]):
            names.update(dict.fromkeys(group.split("|"), i))
            names.update(dict.fromkeys((fold(w) for w in group.split("|")), i))
    return names


def parse_schedule(args: list[str], language: str) -> Schedule | None:
    """`daily 9:00` or `weekly monday 9:00` (weekday names in `language` or English; the time may
    be left out for 9:00, or written `8`, `8.30`); None when it cannot be read."""
    words = [normalise(a) for a in args]
    if not words or fold(words[0]) not in _PERIODS:
        return None
    period = _PERIODS[fold(words[0])]
    rest = words[1:]
    weekday = None
    if period is SummaryPeriod.WEEKLY:
        names = _weekday_names(language)
        if not rest or fold(rest[0]) not in names:
            return None
        weekday, rest = names[fold(rest[0])], rest[1:]
    clock = rest[0] if rest else DEFAULT_TIME
    match = _TIME.match(clock)
    if len(rest) > 1 or not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return Schedule(period, weekday, f"{hour:02d}:{minute:02d}")


def funnel_kind(args: list[str]) -> str | None:
    """The period /funnel shows: its first word in any of the six languages (the week without
    one); None for a word it does not know."""
    return _KINDS.get(fold(normalise(args[0]))) if args else DEFAULT_KIND
