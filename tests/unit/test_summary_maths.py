"""Funnel summary maths without a database: periods in the team's time zone, schedules, rates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain import summary as maths
from models import Stage, SummaryPeriod

ZAGREB = "Europe/Zagreb"


def test_complete_periods_follow_the_team_time_zone():
    # 23:30 UTC on Sunday 22 November is already Monday 23 November in Zagreb.
    now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    day = maths.complete_period("day", now, ZAGREB)
    assert (day.first_day, day.last_day, day.key) == (date(2026, 11, 22), date(2026, 11, 22), "day:2026-11-22")
    assert day.start == datetime(2026, 11, 21, 23, 0, tzinfo=UTC) and day.end == datetime(
        2026, 11, 22, 23, 0, tzinfo=UTC
    )
    assert day.prev_end == day.start and day.prev_start == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    week = maths.complete_period("week", now, ZAGREB)
    assert (week.first_day, week.last_day, week.key) == (date(2026, 11, 16), date(2026, 11, 22), "week:2026-W47")
    assert week.prev_start == datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
    # In UTC the same moment is still Sunday: the week before that one.
    assert maths.complete_period("week", now, "UTC").first_day == date(2026, 11, 9)


def test_periods_across_daylight_saving_and_year_ends():
    # The week of the clock change (Sunday 29 March 2026) is 167 hours long in Zagreb.
    week = maths.complete_period("week", datetime(2026, 3, 30, 12, tzinfo=UTC), ZAGREB)
    assert (week.end - week.start).total_seconds() == 167 * 3600
    quarter = maths.complete_period("quarter", datetime(2026, 1, 10, tzinfo=UTC), ZAGREB)
    assert (quarter.first_day, quarter.last_day, quarter.key) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
        "quarter:2025-Q4",
    )
    assert quarter.prev_start.astimezone(UTC).date() == date(2025, 6, 30)  # 1 July 00:00 in Zagreb
    month = maths.complete_period("month", datetime(2026, 3, 1, 12, tzinfo=UTC), ZAGREB)
    assert (month.first_day, month.last_day, month.key) == (date(2026, 2, 1), date(2026, 2, 28), "month:2026-02")


def test_a_period_so_far_is_compared_with_the_same_stretch_before():
    now = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # Wednesday 12:00 in Zagreb
    week = maths.period_to_date("week", now, ZAGREB)
    assert week.start == datetime(2026, 11, 15, 23, 0, tzinfo=UTC) and week.end == now
    assert week.prev_start == datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
    assert week.prev_end - week.prev_start == now - week.start
    month = maths.period_to_date("month", datetime(2026, 3, 31, 10, tzinfo=UTC), ZAGREB)
    assert month.prev_end == month.start  # February is shorter than 30 days and a half: all of it


def test_schedules():
    now = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # Monday 9:30 in Zagreb
    assert maths.next_run("daily", None, "09:00", now, ZAGREB) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert maths.next_run("daily", None, "10:15", now, ZAGREB) == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    assert maths.next_run("weekly", 0, "09:00", now, ZAGREB) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert maths.next_run("weekly", 4, "16:00", now, ZAGREB) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def test_conversion_rates_stage_counts_and_trends():
    moves = {
        (Stage.LEAD, Stage.PROSPECT): 3,
        (Stage.LEAD, Stage.LOST): 1,
        (Stage.PROSPECT, Stage.OPPORTUNITY): 1,
        (Stage.PROSPECT, Stage.LEAD): 1,  # back a stage: it left prospect without going on
        (Stage.OPPORTUNITY, Stage.CUSTOMER): 2,
    }
    assert maths.conversion(moves, Stage.LEAD, Stage.PROSPECT) == 0.75
    assert maths.conversion(moves, Stage.PROSPECT, Stage.OPPORTUNITY) == 0.5
    assert maths.conversion(moves, Stage.OPPORTUNITY, Stage.CUSTOMER) == 1.0
    assert maths.conversion(moves, Stage.SUSPECT, Stage.LEAD) is None  # nothing left suspect
    now = {Stage.LEAD: 5, Stage.PROSPECT: 4, Stage.CUSTOMER: 2}
    since = {(None, Stage.LEAD): 2, (Stage.LEAD, Stage.PROSPECT): 3, (Stage.PROSPECT, Stage.PROSPECT): 7}
    before = maths.stages_at_start(now, since)
    assert before[Stage.LEAD] == 6 and before[Stage.PROSPECT] == 1 and before[Stage.CUSTOMER] == 2
    assert [maths.trend(2, 1), maths.trend(1, 2), maths.trend(1, 1), maths.trend(1, None)] == ["up", "down", "same", ""]
    assert maths.Flow(moves=moves).moved == 8


def test_schedules_are_read_in_the_six_languages():
    daily, weekly = SummaryPeriod.DAILY, SummaryPeriod.WEEKLY
    assert maths.parse_schedule(["daily", "9:00"], "en") == (daily, None, "09:00")
    assert maths.parse_schedule(["weekly", "Monday", "8:30"], "en") == (weekly, 0, "08:30")
    assert maths.parse_schedule(["tjedno", "ponedjeljak", "8"], "hr") == (weekly, 0, "08:00")
    assert maths.parse_schedule(["dnevno", "7.45"], "hr") == (daily, None, "07:45")
    assert maths.parse_schedule(["týdně", "pátek", "16:00"], "cs") == (weekly, 4, "16:00")
    assert maths.parse_schedule(["denně"], "cs") == (daily, None, "09:00")  # the time defaults to 9:00
    assert maths.parse_schedule(["tygodniowo", "środa", "10:00"], "pl") == (weekly, 2, "10:00")
    assert maths.parse_schedule(["codziennie", "18:00"], "pl") == (daily, None, "18:00")
    assert maths.parse_schedule(["неделно", "понеделник", "9:00"], "mk") == (weekly, 0, "09:00")
    assert maths.parse_schedule(["дневно", "8:00"], "mk") == (daily, None, "08:00")
    assert maths.parse_schedule(["هفتگی", "دوشنبه", "۹:۳۰"], "fa") == (weekly, 0, "09:30")  # Persian digits
    assert maths.parse_schedule(["روزانه", "۸"], "fa") == (daily, None, "08:00")
    # Typed on a phone without diacritics.
    assert maths.parse_schedule(["tydne", "pondeli", "9"], "cs") == (weekly, 0, "09:00")
    assert maths.parse_schedule(["tygodniowo", "sroda"], "pl") == (weekly, 2, "09:00")
    assert maths.funnel_kind(["tydzien"]) == "week" and maths.funnel_kind(["ctvrtleti"]) == "quarter"
    assert maths.funnel_kind(["Kwartal"]) == "quarter" and maths.funnel_kind(["فصل"]) == "quarter"
    # English weekday names are understood whatever the language; other languages' are not.
    assert maths.parse_schedule(["weekly", "friday", "16:30"], "pl") == (weekly, 4, "16:30")
    assert maths.parse_schedule(["weekly", "piątek"], "hr") is None
    schedule = maths.parse_schedule(["weekly", "sunday"], "en")
    assert schedule is not None and (schedule.period, schedule.weekday, schedule.local_time) == (weekly, 6, "09:00")


def test_schedules_that_cannot_be_read():
    for words in (
        [],
        ["sometimes"],
        ["weekly", "9:00"],  # which day?
        ["daily", "25:00"],
        ["daily", "9:60"],
        ["daily", "9:00", "sharp"],
        ["weekly", "monday", "9", "10"],
        ["daily", "nine"],
    ):
        assert maths.parse_schedule(words, "en") is None, words


def test_funnel_period_words_in_the_six_languages():
    assert maths.funnel_kind([]) == "week"
    expected = {
        "week": ["week", "tjedan", "týden", "tydzień", "недела", "هفته"],
        "month": ["Month", "mjesec", "měsíc", "miesiąc", "месец", "ماه"],
        "quarter": ["quarter", "kvartal", "čtvrtletí", "kwartał", "квартал", "فصل"],
        "day": ["day", "today"],
    }
    for kind, words in expected.items():
        for word in words:
            assert maths.funnel_kind([word, "ignored"]) == kind, word
    assert maths.funnel_kind(["fortnight"]) is None


def test_an_iranian_teams_week_runs_from_saturday_to_friday():
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)  # a Sunday
    week = maths.complete_period("week", now, "Asia/Tehran", maths.calendar_of("fa"))
    assert (week.first_day, week.last_day) == (date(2026, 11, 21), date(2026, 11, 27))  # Saturday to Friday
    assert maths.complete_period("week", now, "Europe/Zagreb", maths.calendar_of("hr")).first_day == date(2026, 11, 16)
    running = maths.period_to_date("week", now, "Asia/Tehran", maths.calendar_of("fa"))
    assert running.first_day == date(2026, 11, 28)


def test_an_iranian_teams_months_and_quarters_are_solar_hijri():
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)  # 8 Azar 1405
    month = maths.period_to_date("month", now, "Asia/Tehran", maths.calendar_of("fa"))
    assert month.first_day == date(2026, 11, 22)  # 1 Azar
    last = maths.complete_period("month", now, "Asia/Tehran", maths.calendar_of("fa"))
    assert (last.first_day, last.last_day) == (date(2026, 10, 23), date(2026, 11, 21))  # Aban
    season = maths.period_to_date("quarter", now, "Asia/Tehran", maths.calendar_of("fa"))
    assert season.first_day == date(2026, 9, 23)  # 1 Mehr: autumn
    assert maths.period_to_date("month", now, "Europe/Zagreb", maths.calendar_of("hr")).first_day == date(2026, 11, 1)
