"""Dates as reps type them: a table per language, for a fixed now (Wednesday 15 January 2025,
09:00 in Zagreb). Each row is (phrase, expected local date and time)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import dates
from bot.domain.dates import parse_when

ZONE = "Europe/Zagreb"
NOW = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo(ZONE))

COMMON = {  # the same moments in every language
    "tomorrow 10": "2025-01-16 10:00",
    "next tuesday": "2025-01-21 09:00",
    "tuesday at 10": "2025-01-21 10:00",
    "friday 15:00": "2025-01-17 15:00",
    "in two weeks": "2025-01-29 09:00",
    "in 3 days": "2025-01-18 09:00",
    "in 2 hours": "2025-01-15 11:00",
    "next week": "2025-01-20 09:00",
    "end of month": "2025-01-31 09:00",
    "end of week": "2025-01-17 09:00",
    "Q2": "2025-04-01 09:00",
    "after the summer": "2025-09-01 09:00",
    "monday 14:30": "2025-01-20 14:30",
    "wednesday": "2025-01-22 09:00",
    "today 17": "2025-01-15 17:00",
    "day after tomorrow": "2025-01-17 09:00",
    "in a month": "2025-02-15 09:00",
    "next month": "2025-02-01 09:00",
    "this friday": "2025-01-17 09:00",
    "Q3": "2025-07-01 09:00",
    "in 2 weeks at 11": "2025-01-29 11:00",
}

PHRASES = {
    "en": [
        "tomorrow 10am",
        "next Tuesday",
        "Tuesday at 10",
        "friday 3pm",
        "in two weeks",
        "in 3 days",
        "in 2 hours",
        "next week",
        "end of month",
        "end of the week",
        "Q2",
        "after the summer",
        "monday at 14:30",
        "Wednesday",
        "today 5pm",
        "day after tomorrow",
        "in a month",
        "next month",
        "this Friday",
        "Q3",
        "in 2 weeks at 11",
    ],
    "hr": [
        "sutra u 10",
        "sljedeći utorak",
        "utorak u 10",
        "u petak u 15h",
        "za dva tjedna",
        "za 3 dana",
        "za 2 sata",
        "idući tjedan",
        "kraj mjeseca",
        "krajem tjedna",
        "Q2",
        "poslije ljeta",
        "ponedjeljak u 14:30",
        "u srijedu",
        "danas u 17",
        "prekosutra",
        "za mjesec dana",
        "sljedeći mjesec",
        "ovaj petak",
        "3. kvartal",
        "za 2 tjedna u 11",
    ],
    "cs": [
        "zítra v 10",
        "příští úterý",
        "úterý v 10",
        "v pátek v 15:00",
        "za dva týdny",
        "za 3 dny",
        "za 2 hodiny",
        "příští týden",
        "konec měsíce",
        "koncem týdne",
        "Q2",
        "po prázdninách",
        "v pondělí ve 14:30",
        "ve středu",
        "dnes v 17",
        "pozítří",
        "za měsíc",
        "příští měsíc",
        "tento pátek",
        "3. čtvrtletí",
        "za 2 týdny v 11",
    ],
    "pl": [
        "jutro o 10",
        "w przyszły wtorek",
        "wtorek o 10",
        "w piątek o 15:00",
        "za dwa tygodnie",
        "za 3 dni",
        "za 2 godziny",
        "w przyszłym tygodniu",
        "koniec miesiąca",
        "pod koniec tygodnia",
        "Q2",
        "po wakacjach",
        "w poniedziałek o 14:30",
        "w środę",
        "dziś o 17",
        "pojutrze",
        "za miesiąc",
        "w przyszłym miesiącu",
        "w ten piątek",
        "3 kwartał",
        "za 2 tygodnie o 11",
    ],
    "mk": [
        "утре во 10",
        "следниот вторник",
        "вторник во 10",
        "во петок во 15:00",
        "за две недели",
        "за 3 дена",
        "за 2 часа",
        "следната недела",
        "крај на месецот",
        "до крајот на неделата",
        "Q2",
        "по летото",
        "понеделник во 14:30",
        "во среда",
        "денес во 17",
        "задутре",
        "за еден месец",
        "следниот месец",
        "овој петок",
        "3 квартал",
        "за 2 недели во 11",
    ],
    "fa": [
        "فردا ساعت ۱۰",
        "سه‌شنبه آینده",
        "سه‌شنبه ساعت ۱۰",
        "جمعه ساعت ۱۵",
        "دو هفته دیگر",
        "۳ روز دیگر",
        "۲ ساعت دیگر",
        "هفته بعد",
        "آخر ماه",
        "آخر هفته",
        "Q2",
        "بعد از تابستان",
        "دوشنبه ساعت ۱۴:۳۰",
        "چهارشنبه",
        "امروز ساعت ۱۷",
        "پس‌فردا",
        "یک ماه دیگر",
        "ماه آینده",
        "همین جمعه",
        "Q3",
        "۲ هفته دیگر ساعت ۱۱",
    ],
}

ABSOLUTE = [  # month names go through dateparser, restricted to the language
    ("en", "20 january", "2025-01-20 09:00"),
    ("en", "March 3 at 10", "2025-03-03 10:00"),
    ("hr", "3. ožujka u 10", "2025-03-03 10:00"),
    ("hr", "20.1. u 9:30", "2025-01-20 09:30"),
    ("cs", "20. ledna", "2025-01-20 09:00"),
    ("cs", "3. března v 10", "2025-03-03 10:00"),
    ("pl", "20 stycznia", "2025-01-20 09:00"),
    ("pl", "3 marca o 10", "2025-03-03 10:00"),
    ("mk", "20 јануари", "2025-01-20 09:00"),
    ("mk", "3 март во 10", "2025-03-03 10:00"),
    ("fa", "شنبه", "2025-01-18 09:00"),
    ("fa", "یکشنبه ساعت ۹", "2025-01-19 09:00"),
    ("fa", "۲۰ ژانویه", "2025-01-20 09:00"),
    ("fa", "۳ مارس ساعت ۱۰", "2025-03-03 10:00"),
    ("en", "15.3.", "2025-03-15 09:00"),
    ("pl", "15.03. o 10", "2025-03-15 10:00"),
    ("cs", "1. 2. 2026", "2026-02-01 09:00"),
]

# Phrases the bot must refuse rather than guess: a bare number, an impossible date, nonsense.
REFUSED = [
    ("en", "10"),
    ("hr", "31.02."),
    ("en", "next blursday"),
    ("cs", "někdy"),
    ("pl", "kiedyś"),
    ("mk", "некогаш"),
    ("fa", "یه وقتی"),
]

ROWS = [
    (language, phrase, expected)
    for language, phrases in PHRASES.items()
    for phrase, expected in zip(phrases, COMMON.values(), strict=True)
] + ABSOLUTE


@pytest.mark.parametrize(("language", "phrase", "expected"), ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_phrase_table(language, phrase, expected):
    when = parse_when(phrase, language=language, zone=ZONE, now=NOW)
    assert when is not None, phrase
    assert when.at.strftime("%Y-%m-%d %H:%M") == expected
    assert when.at.tzinfo is not None and not when.past


def test_every_language_has_at_least_twenty_rows():
    for language in dates.LANGUAGES:
        assert sum(1 for r in ROWS if r[0] == language) >= 20


@pytest.mark.parametrize(("language", "phrase"), REFUSED)
def test_phrases_nobody_can_read_are_refused_not_guessed(language, phrase):
    assert parse_when(phrase, language=language, zone=ZONE, now=NOW) is None


@pytest.mark.parametrize("text", ["", "asdfgh", "x" * 300, "۲۰ ژانویهٔ کذا"])
def test_nonsense_and_overlong_input_gives_none(text):
    assert parse_when(text, language="fa" if "ژ" in text else "en", zone=ZONE, now=NOW) is None


def test_a_time_alone_is_today_if_ahead_else_tomorrow():
    assert parse_when("at 16", language="en", zone=ZONE, now=NOW).at.strftime("%d %H") == "15 16"
    assert parse_when("u 8", language="hr", zone=ZONE, now=NOW).at.strftime("%d %H") == "16 08"


def test_past_dates_are_flagged_not_hidden():
    when = parse_when("1 january 2025", language="en", zone=ZONE, now=NOW)
    assert when is not None and when.past


def test_english_words_work_for_every_rep():
    when = parse_when("tomorrow 10am", language="pl", zone=ZONE, now=NOW)
    assert when is not None and when.at.strftime("%Y-%m-%d %H:%M") == "2025-01-16 10:00"


def test_dateparser_is_never_called_unrestricted(monkeypatch):
    seen = []
    real = dates._dateparser().parse

    def spy(text, languages=None, **kwargs):
        seen.append(languages)
        return real(text, languages=languages, **kwargs)

    monkeypatch.setattr(dates._dateparser(), "parse", spy)
    for language, phrase, _ in ABSOLUTE:
        parse_when(phrase, language=language, zone=ZONE, now=NOW)
    assert seen and all(langs and set(langs) <= {"en", "hr", "cs", "pl", "mk", "fa"} for langs in seen)


def test_time_zones_move_the_moment_not_the_words():
    tehran = parse_when("tomorrow 10am", language="en", zone="Asia/Tehran", now=NOW)
    assert tehran.at.strftime("%Y-%m-%d %H:%M %Z") == "2025-01-16 10:00 +0330"


def test_birthdays():
    from datetime import date

    assert dates.parse_birthday("12.5.1980") == date(1980, 5, 12)
    assert dates.parse_birthday("1980-05-12") == date(1980, 5, 12)
    assert dates.parse_birthday("12. 5.") == date(dates.UNKNOWN_YEAR, 5, 12)
    assert dates.parse_birthday("29.2.") == date(dates.UNKNOWN_YEAR, 2, 29)
    assert dates.parse_birthday("31.2.1980") is None and dates.parse_birthday("spring") is None


# Phrases dateparser alone gets wrong or cannot read (measured with the language set): each must
# come out right here.
TRAPS = [
    ("hr", "sljedeći utorak", "2025-01-21 09:00"),
    ("cs", "příští úterý", "2025-01-21 09:00"),
    ("pl", "w przyszły wtorek", "2025-01-21 09:00"),
    ("mk", "следниот вторник", "2025-01-21 09:00"),
    ("fa", "سه‌شنبه آینده", "2025-01-21 09:00"),
    ("hr", "za dva tjedna", "2025-01-29 09:00"),
    ("pl", "za dwa tygodnie", "2025-01-29 09:00"),
    ("mk", "за две недели", "2025-01-29 09:00"),
    ("fa", "دو هفته بعد", "2025-01-29 09:00"),
    ("hr", "utorak u 10", "2025-01-21 10:00"),
    ("fa", "سه‌شنبه ساعت ۱۰", "2025-01-21 10:00"),
    ("fa", "فردا ساعت ۱۰", "2025-01-16 10:00"),
    ("en", "next week", "2025-01-20 09:00"),
    ("en", "end of month", "2025-01-31 09:00"),
    ("en", "Q1", "2026-01-01 09:00"),
]


@pytest.mark.parametrize(("language", "phrase", "expected"), TRAPS, ids=[f"{r[0]}:{r[1]}" for r in TRAPS])
def test_the_phrases_dateparser_alone_gets_wrong(language, phrase, expected):
    when = parse_when(phrase, language=language, zone=ZONE, now=NOW)
    assert when is not None and when.at.strftime("%Y-%m-%d %H:%M") == expected
