"""Reminders without a database: reading "/remind …", and when a snoozed reminder comes back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.dates import Ambiguous, OutOfBounds, parse_when
from bot.domain.reminding import SNOOZES, names_record, readings, snooze_until, when_and_text

ZAGREB = "Europe/Zagreb"


def local(moment: datetime, zone: str = ZAGREB) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def test_one_hour_is_sixty_minutes_whatever_the_clock_does():
    # 02:30 local on 29 March 2026 does not exist in Zagreb: an hour later is still an hour later.
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert snooze_until("1h", now, ZAGREB) == now + timedelta(hours=1)
    assert snooze_until("1h", now, ZAGREB).tzinfo is UTC


def test_tomorrow_is_nine_in_the_morning_local_time():
    evening = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # Monday 23:30 in Zagreb
    assert snooze_until("tomorrow", evening, ZAGREB) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    # Just after midnight in Zagreb it is already Tuesday there, still Monday in UTC: Wednesday 9:00.
    after_midnight = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert local(snooze_until("tomorrow", after_midnight, ZAGREB)).date().isoformat() == "2026-11-25"
    # The rep's own zone decides: 9:00 in Tehran is 05:30 UTC.
    assert snooze_until("tomorrow", evening, "Asia/Tehran") == datetime(2026, 11, 25, 5, 30, tzinfo=UTC)


def test_tomorrow_keeps_nine_oclock_across_the_clock_change():
    before = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)  # Saturday evening; winter time from Sunday 3:00
    assert snooze_until("tomorrow", before, ZAGREB) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 9:00 CET
    spring = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)  # summer time from Sunday 2:00
    assert snooze_until("tomorrow", spring, ZAGREB) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 9:00 CEST


def test_next_week_is_monday_nine_local_time():
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert snooze_until("week", wednesday, ZAGREB) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 8:00: the Monday after, not today
    assert snooze_until("week", monday, ZAGREB) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    sunday_evening = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # Sunday 21:00: tomorrow morning
    assert snooze_until("week", sunday_evening, ZAGREB) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    # Sunday 23:30 UTC is already Monday in Zagreb: the Monday after that.
    late_sunday = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert snooze_until("week", late_sunday, ZAGREB) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    # Asked in summer time, due in winter time: Monday 26 October 9:00 is 08:00 UTC (CET).
    before_change = datetime(2026, 10, 21, 10, 0, tzinfo=UTC)
    assert snooze_until("week", before_change, ZAGREB) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_every_button_has_a_rule_and_nothing_else_does():
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert all(snooze_until(choice, now, ZAGREB) > now for choice in SNOOZES)
    with pytest.raises(ValueError):
        snooze_until("words", now, ZAGREB)


def test_typed_dates_across_the_clock_change_keep_the_local_time():
    before = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)
    week = parse_when("next monday 10am", language="en", zone=ZAGREB, now=before)
    assert week is not None and week.at.astimezone(UTC) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    in_a_day = parse_when("in 1 day", language="en", zone=ZAGREB, now=before)
    assert in_a_day is not None and local(in_a_day.at).hour == 9


def test_reading_a_remind_command():
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
    first = readings("Ana Friday 3pm call about the quote", language="en", zone=ZAGREB, now=now)[0]
    assert first.name == "Ana" and first.text == "call about the quote"
    assert first.when.at == datetime(2026, 11, 27, 15, 0, tzinfo=ZoneInfo(ZAGREB))
    own = readings("sutra u 10 nazvati banku", language="hr", zone=ZAGREB, now=now)[0]
    assert own.name == "" and own.text == "nazvati banku" and own.when.at.hour == 10
    at_end = when_and_text("send the offer end of month".split(), language="en", zone=ZAGREB, now=now)
    assert at_end is not None and at_end[1] == "send the offer" and at_end[0].at.day == 30
    assert readings("Ana call her back", language="en", zone=ZAGREB, now=now) == []


def test_a_name_is_whole_words_of_a_record():
    assert names_record("Ana", "ana horvat acme d.o.o.")
    assert names_record("ana horvat", "ana horvat acme")
    assert not names_record("in", "martin kovac")
    assert not names_record("", "ana")


def test_readings_keep_two_readings_and_dates_out_of_bounds():
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # a Wednesday
    both = when_and_text("next friday call".split(), language="en", zone=ZAGREB, now=now)
    assert both is not None and isinstance(both[0], Ambiguous) and both[1] == "call"
    far = when_and_text("31.12.9999 call".split(), language="en", zone=ZAGREB, now=now)
    assert far is not None and isinstance(far[0], OutOfBounds) and far[1] == "call"
