"""Dates as reps type them: the phrase tables in tests/data/dates, for a fixed now (Wednesday
15 January 2025, 09:00 in Zagreb). The tuning rows must come out exactly; the held-out rows (never
tuned on) must never give a wrong date: right, asked back or refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import dates
from bot.domain.dates import Ambiguous, OutOfBounds, When, parse_when, read_when

ZONE = "Europe/Zagreb"
NOW = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo(ZONE))
DATA = Path(__file__).resolve().parent.parent / "data" / "dates"


def load(split: str) -> list[tuple[str, str, str]]:
    rows = []
    for line in (DATA / f"{split}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, phrase, expected = line.split("\t")
            rows.append((language, phrase, expected))
    return rows


TUNING = load("tuning")
HELD_OUT = load("heldout") + load("heldout2")
ROWS = [r for r in TUNING if r[2] != "refuse" and not r[2].startswith("ask:")]  # (bench/reminders.py)


def shown(reading: dates.Reading | None) -> str:
    if reading is None or isinstance(reading, OutOfBounds):
        return "refuse"
    if isinstance(reading, Ambiguous):
        return "ask:" + "|".join(sorted(w.at.strftime("%Y-%m-%d %H:%M") for w in reading.options))
    return reading.at.strftime("%Y-%m-%d %H:%M")


def expected_shown(expected: str) -> str:
    if expected.startswith("ask:"):
        return "ask:" + "|".join(sorted(expected[4:].split("|")))
    return expected


def read(language: str, phrase: str) -> dates.Reading | None:
    return read_when(phrase, language=language, zone=ZONE, now=NOW)


@pytest.mark.parametrize(("language", "phrase", "expected"), TUNING, ids=[f"{r[0]}:{r[1]}" for r in TUNING])
def test_tuning_table(language, phrase, expected):
    reading = read(language, phrase)
    assert shown(reading) == expected_shown(expected)
    if isinstance(reading, When):
        assert reading.at.tzinfo is not None and not reading.past


@pytest.mark.parametrize(("language", "phrase", "expected"), HELD_OUT, ids=[f"{r[0]}:{r[1]}" for r in HELD_OUT])
def test_held_out_phrases_never_give_a_wrong_date(language, phrase, expected):
    got = shown(read(language, phrase))
    if expected == "refuse":
        assert got == "refuse"
    elif got.startswith("ask:"):
        assert expected_shown(expected) == got or expected in got[4:].split("|")
    else:
        assert got in ("refuse", expected_shown(expected))


def test_every_language_has_at_least_forty_phrases_with_their_moment():
    for language in dates.LANGUAGES:
        with_moment = [r for r in TUNING + HELD_OUT if r[0] == language and r[2] != "refuse"]
        assert len(with_moment) >= 40, language
        assert any(r[2] == "refuse" for r in TUNING if r[0] == language)
        assert any(r[2].startswith("ask:") for r in TUNING if r[0] == language)


def test_parts_of_the_day_say_their_hour():
    reading = read("en", "thursday morning")
    assert isinstance(reading, When) and reading.part == "morning" and reading.has_time
    assert reading.at.hour == dates.PART_HOURS["morning"]
    evening = read("hr", "večeras")
    assert isinstance(evening, When) and evening.part == "evening" and evening.at.hour == 18
    # The part of the day wins over the current time ("pozítří ráno" used to keep 9:00 now).
    later = datetime(2025, 1, 15, 16, 47, tzinfo=ZoneInfo(ZONE))
    after = read_when("pozítří ráno", language="cs", zone=ZONE, now=later)
    assert isinstance(after, When) and after.at.strftime("%d %H:%M") == "17 09:00"


def test_this_evening_is_never_this_morning():
    later = datetime(2025, 1, 15, 13, 0, tzinfo=ZoneInfo(ZONE))
    reading = read_when("this evening", language="en", zone=ZONE, now=later)
    assert isinstance(reading, When) and not reading.past and reading.at.hour == 18


def test_a_weekday_followed_by_an_hour_with_a_unit_is_not_a_day_of_the_month():
    reading = read("mk", "понеделник 16ч")
    assert isinstance(reading, When) and reading.at.strftime("%Y-%m-%d %H:%M") == "2025-01-20 16:00"


def test_ambiguous_numerals_offer_both_readings():
    reading = read("pl", "14.11")
    assert isinstance(reading, Ambiguous)
    assert {w.at.strftime("%m-%d %H:%M") for w in reading.options} == {"11-14 09:00", "01-15 14:11"}
    # With a day named, "14.30" can only be a time; with a time named, "14.11" only a date.
    assert shown(read("pl", "jutro 14.30")) == "2025-01-16 14:30"
    assert shown(read("pl", "14.11 o 10")) == "2025-11-14 10:00"


def test_a_time_alone_is_today_if_ahead_else_tomorrow():
    assert shown(read("en", "at 16")) == "2025-01-15 16:00"
    assert shown(read("hr", "u 8")) == "2025-01-16 08:00"


def test_past_dates_are_flagged_not_hidden():
    reading = read("en", "1 january 2025")
    assert isinstance(reading, When) and reading.past


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "31.12.9999"), ("hr", "1.1.1899"), ("pl", "za 20 lat"), ("en", "2999-01-01"), ("cs", "1. 1. 2036")],
)
def test_nothing_before_1900_or_more_than_ten_years_ahead(language, phrase):
    reading = read(language, phrase)
    assert isinstance(reading, OutOfBounds)
    assert parse_when(phrase, language=language, zone=ZONE, now=NOW) is None


def test_ten_years_ahead_is_still_accepted():
    assert shown(read("cs", "1. 1. 2035")) == "2035-01-01 09:00"


def test_english_words_work_for_every_rep():
    assert shown(read("pl", "tomorrow 10am")) == "2025-01-16 10:00"


def test_latin_macedonian_and_no_diacritics():
    assert shown(read("mk", "zadutre vo 9")) == "2025-01-17 09:00"
    assert shown(read("hr", "sljedeci utorak")) == "2025-01-21 09:00"
    assert shown(read("pl", "przyszly wtorek")) == "2025-01-21 09:00"


def test_solar_hijri_dates():
    assert shown(read("fa", "۲۰ اردیبهشت")) == "2025-05-10 09:00"
    assert shown(read("fa", "۱۴۰۵/۰۳/۱۵")) == "2026-06-05 09:00"
    assert dates.solar(date(2025, 1, 15)) == (1403, 10, 26)


def test_time_zones_move_the_moment_not_the_words():
    tehran = parse_when("tomorrow 10am", language="en", zone="Asia/Tehran", now=NOW)
    assert tehran is not None and tehran.at.strftime("%Y-%m-%d %H:%M %Z") == "2025-01-16 10:00 +0330"


@pytest.mark.parametrize("text", ["", "asdfgh", "x" * 300, "۲۰ ژانویهٔ کذا", "sutra u 10 " * 30])
def test_nonsense_and_overlong_input_gives_none(text):
    assert read("fa" if "ژ" in text else "hr", text) is None


def test_birthdays():
    assert dates.parse_birthday("12.5.1980") == date(1980, 5, 12)
    assert dates.parse_birthday("1980-05-12") == date(1980, 5, 12)
    assert dates.parse_birthday("12. 5.") == date(dates.UNKNOWN_YEAR, 5, 12)
    assert dates.parse_birthday("29.2.") == date(dates.UNKNOWN_YEAR, 2, 29)
    assert dates.parse_birthday("31.2.1980") is None and dates.parse_birthday("spring") is None


def test_birthdays_in_the_solar_hijri_calendar():
    """Iranians know their birthdays in the Solar Hijri calendar."""
    assert dates.parse_birthday("۱۳۵۹/۲/۲۲") == date(1980, 5, 12)
    assert dates.parse_birthday("۲۲ اردیبهشت ۱۳۵۹") == date(1980, 5, 12)
    assert dates.parse_birthday("1359-02-22") == date(1980, 5, 12)
    assert dates.parse_birthday("۱۳۵۹/۱۳/۲۲") is None and dates.parse_birthday("۲۲ فلان ۱۳۵۹") is None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("آخر ماه", date(2026, 12, 21)),  # 30 Azar 1405, not 30 November
        ("ماه بعد", date(2026, 12, 22)),  # 1 Dey
        ("اواسط ماه", date(2026, 12, 6)),  # 15 Azar
        ("اواسط بهمن", date(2027, 2, 4)),  # 15 Bahman: a named Solar Hijri month's middle too
        ("هفته بعد", date(2026, 12, 5)),  # the Persian week starts on Saturday
        ("آخر هفته", date(2026, 12, 3)),  # Thursday, the start of the weekend
        ("آخر فصل", date(2026, 12, 21)),  # autumn ends with Azar
    ],
)
def test_persian_months_and_weeks_are_the_iranian_ones(phrase, expected):
    now = datetime(2026, 11, 29, 8, 0, tzinfo=ZoneInfo("Asia/Tehran"))  # Sunday 8 Azar 1405
    found = read_when(phrase, language="fa", zone="Asia/Tehran", now=now)
    assert isinstance(found, dates.When) and found.at.date() == expected


def test_within_bounds():
    assert dates.within_bounds(NOW + timedelta(days=365 * 9), NOW)
    assert not dates.within_bounds(NOW + timedelta(days=365 * 11), NOW)
    assert not dates.within_bounds(datetime(1899, 12, 31, tzinfo=ZoneInfo(ZONE)), NOW)


# --- properties --------------------------------------------------------------------------------

DATE_WORDS = st.sampled_from(
    ["sutra", "u", "10", "14.11", "pola", "devet", "next", "friday", "krajem", "mjeseca", "۱۴۰۵/۰۳/۱۵", "q4", "za",
     "3", "dana", "morning", "31.12.9999", ".", ":", "/", "early", "may", "امشب", "ساعت", "zadutre", "vo"]
)  # fmt: skip


def _check(reading: dates.Reading | None) -> None:
    today = NOW.date()
    moments = []
    if isinstance(reading, When):
        moments = [reading]
    elif isinstance(reading, Ambiguous):
        assert len(reading.options) >= 2
        moments = list(reading.options)
    elif reading is not None:
        assert isinstance(reading, OutOfBounds)
    for when in moments:
        assert dates.EARLIEST <= when.at.date() <= dates.latest_day(today)
        assert when.at.tzinfo is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300), language=st.sampled_from(dates.LANGUAGES))
def test_random_text_never_raises_and_never_leaves_the_bounds(text, language):
    _check(read(language, text))


@settings(max_examples=300, deadline=None)
@given(words=st.lists(DATE_WORDS, max_size=12), language=st.sampled_from(dates.LANGUAGES))
def test_date_words_in_any_order_never_raise_and_never_leave_the_bounds(words, language):
    _check(read(language, " ".join(words)))


@settings(max_examples=30, deadline=None)
@given(text=st.text(min_size=1000, max_size=100_000))
def test_huge_input_is_not_read(text):
    assert read("en", text) is None  # longer than MAX_LENGTH (its time is a figure of bench/dates.py)


@pytest.mark.parametrize(
    ("language", "phrase", "expected"),
    [
        ("en", "second quarter", date(2025, 4, 1)), ("hr", "drugi kvartal", date(2025, 4, 1)),
        ("hr", "početkom trećeg kvartala", date(2025, 7, 1)), ("cs", "druhé čtvrtletí", date(2025, 4, 1)),
        ("pl", "w trzecim kwartale", date(2025, 7, 1)), ("mk", "вториот квартал", date(2025, 4, 1)),
        ("mk", "2-ри квартал", date(2025, 4, 1)), ("mk", "К3", date(2025, 7, 1)),
        ("fa", "فصل دوم", date(2025, 6, 22)),  # summer: 1 Tir 1404
        ("fa", "سه ماهه سوم", date(2025, 9, 23)),  # autumn: 1 Mehr 1404
    ],
)  # fmt: skip
def test_quarters_by_their_ordinal(language, phrase, expected):
    found = read(language, phrase)
    assert isinstance(found, dates.When) and found.at.date() == expected


@pytest.mark.parametrize("language", ["en", "hr", "cs", "pl", "mk", "fa"])
def test_a_moment_the_bot_shows_can_be_typed_back(language):
    """What a confirmation shows ("petak, 4. prosinca u 15:00", "چهارشنبه ۱۱ آذر، ساعت ۱۵:۰۰")
    reads back as the same moment when a rep copies it to change it."""
    from bot.i18n import Catalogs

    t = Catalogs("en").get(language)
    t.clock = lambda: NOW
    for days, hour, minute in ((1, 10, 0), (3, 15, 30), (9, 8, 0), (20, 17, 45), (200, 11, 15)):
        moment = (NOW + timedelta(days=days)).replace(hour=hour, minute=minute)
        shown = t.when(moment, ZONE)
        found = read_when(shown, language=language, zone=ZONE, now=NOW)
        assert isinstance(found, When) and found.at == moment, f"{shown!r} read as {found}"
