"""Dates and times as reps type them, in six languages.

dateparser alone gets about half of typical follow-up phrases right ("next Tuesday" fails in
every language but English, "utorak u 10" lands in the past, a Persian "Tuesday at 10" in the
year 2110, "end of month" and "Q1" fail). So a small grammar reads what reps say most (weekdays
with or without next/this, today/tomorrow, "in N days/weeks/months/hours" with number words,
next week/month, end of week/month, quarters, after the summer, and a time such as "10am",
"u 10", "o 10:30" or "ساعت ۱۰"); anything else goes to dateparser, always restricted to the
rep's language plus English. The caller shows the result back before saving it.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

MAX_LENGTH = 200
DEFAULT_HOUR = 9
LANGUAGES = ("en", "hr", "cs", "pl", "mk", "fa")


@dataclass(frozen=True)
class When:
    """A parsed moment: `at` is timezone-aware (the rep's zone); `past` means before `now`."""

    at: datetime
    has_time: bool
    past: bool


def _alts(words: str) -> str:
    """A regex alternation of space-separated words, longest first (so prefixes lose)."""
    items = sorted(set(words.split("|")), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


# Weekday names, Monday first, with their common inflections ("u srijedu", "we środę").
WEEKDAYS: dict[str, list[str]] = {
    "en": [
        "monday|mon",
        "tuesday|tue|tues",
        "wednesday|wed",
        "thursday|thu|thur|thurs",
        "friday|fri",
        "saturday|sat",
        "sunday|sun",
    ],
    "hr": [
        "ponedjeljak|ponedjeljka",
        "utorak|utorka",
        "srijeda|srijedu|srijede",
        "četvrtak|četvrtka",
        "petak|petka",
        "subota|subotu|subote",
        "nedjelja|nedjelju|nedjelje",
    ],
    "cs": [
        "pondělí|pondělka",
        "úterý",
        "středa|středu|středy",
        "čtvrtek|čtvrtka",
        "pátek|pátku",
        "sobota|sobotu|soboty",
        "neděle|neděli",
    ],
    "pl": [
        "poniedziałek|poniedziałku",
        "wtorek|wtorku",
        "środa|środę|środy",
        "czwartek|czwartku",
        "piątek|piątku",
        "sobota|sobotę|soboty",
        "niedziela|niedzielę|niedzieli",
    ],
    "mk": ["понеделник", "вторник", "среда", "четврток", "петок", "сабота", "недела"],
    "fa": [
        "دوشنبه|دو شنبه",
        "سهشنبه|سه شنبه",
        "چهارشنبه|چهار شنبه",
        "پنجشنبه|پنج شنبه",
        "جمعه",
        "شنبه",
        "یکشنبه|یک شنبه",
    ],
}

DAY_WORDS: dict[str, dict[int, str]] = {  # offset in days -> words
    "en": {0: "today|tonight", 1: "tomorrow", 2: "day after tomorrow|the day after tomorrow"},
    "hr": {0: "danas|večeras", 1: "sutra", 2: "prekosutra"},
    "cs": {0: "dnes|dneska|večer", 1: "zítra", 2: "pozítří"},
    "pl": {0: "dziś|dzisiaj", 1: "jutro", 2: "pojutrze"},
    "mk": {0: "денес|вечерва", 1: "утре", 2: "задутре"},
    "fa": {0: "امروز|امشب", 1: "فردا", 2: "پسفردا|پس فردا"},
}

NUMBERS: dict[str, list[str]] = {  # 1..12
    "en": [
        "one|a|an",
        "two|a couple of",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ],
    "hr": [
        "jedan|jednu|jedna|jednog",
        "dva|dvije",
        "tri",
        "četiri",
        "pet",
        "šest",
        "sedam",
        "osam",
        "devet",
        "deset",
        "jedanaest",
        "dvanaest",
    ],
    "cs": [
        "jeden|jednu|jedna|jeden",
        "dva|dvě",
        "tři",
        "čtyři",
        "pět",
        "šest",
        "sedm",
        "osm",
        "devět",
        "deset",
        "jedenáct",
        "dvanáct",
    ],
    "pl": [
        "jeden|jedną|jedna",
        "dwa|dwie",
        "trzy",
        "cztery",
        "pięć",
        "sześć",
        "siedem",
        "osiem",
        "dziewięć",
        "dziesięć",
        "jedenaście",
        "dwanaście",
    ],
    "mk": [
        "еден|една",
        "два|две",
        "три",
        "четири",
        "пет",
        "шест",
        "седум",
        "осум",
        "девет",
        "десет",
        "единаесет",
        "дванаесет",
    ],
    "fa": ["یک|یه", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده", "یازده", "دوازده"],
}

UNITS: dict[str, dict[str, str]] = {
    "en": {"hour": "hours|hour|hrs|hr|h", "day": "days|day", "week": "weeks|week", "month": "months|month"},
    "hr": {
        "hour": "sata|sati|sat",
        "day": "dana|dan",
        "week": "tjedna|tjedana|tjedan",
        "month": "mjeseca|mjeseci|mjesec",
    },
    "cs": {
        "hour": "hodinu|hodiny|hodin",
        "day": "dny|dní|dnů|den",
        "week": "týdny|týdnů|týden",
        "month": "měsíce|měsíců|měsíc",
    },
    "pl": {
        "hour": "godzinę|godziny|godzin",
        "day": "dni|dzień",
        "week": "tygodnie|tygodni|tydzień",
        "month": "miesiące|miesięcy|miesiąc",
    },
    "mk": {"hour": "часа|часови|час", "day": "дена|денови|ден", "week": "недели|недела", "month": "месеци|месец"},
    "fa": {"hour": "ساعت", "day": "روز", "week": "هفته", "month": "ماه"},
}

# "in N units": the words around the number; {n} is the number, {u} the unit.
RELATIVE: dict[str, list[str]] = {
    "en": [r"in\s+(?:{n}\s+)?{u}", r"{n}\s+{u}\s+from\s+now", r"after\s+{n}\s+{u}"],
    "hr": [r"za\s+(?:{n}\s+)?{u}(?:\s+dana)?", r"nakon\s+{n}\s+{u}"],
    "cs": [r"za\s+(?:{n}\s+)?{u}", r"po\s+{n}\s+{u}"],
    "pl": [r"za\s+(?:{n}\s+)?{u}", r"po\s+{n}\s+{u}"],
    "mk": [r"за\s+(?:{n}\s+)?{u}", r"по\s+{n}\s+{u}"],
    "fa": [r"{n}\s+{u}\s+(?:دیگر|بعد|آینده)", r"بعد\s+از\s+{n}\s+{u}"],
}

NEXT_WEEK: dict[str, str] = {
    "en": "next week",
    "hr": "sljedeći tjedan|idući tjedan|slijedeći tjedan|sljedeći tjedan",
    "cs": "příští týden|příští týdnu",
    "pl": "w przyszłym tygodniu|przyszły tydzień|w następnym tygodniu",
    "mk": "следната недела|следнава недела|наредната недела",
    "fa": "هفته بعد|هفته آینده|هفته دیگر",
}
NEXT_MONTH: dict[str, str] = {
    "en": "next month",
    "hr": "sljedeći mjesec|idući mjesec|sljedećeg mjeseca|idućeg mjeseca",
    "cs": "příští měsíc|příštím měsíci",
    "pl": "w przyszłym miesiącu|przyszły miesiąc|w następnym miesiącu",
    "mk": "следниот месец|наредниот месец",
    "fa": "ماه بعد|ماه آینده|ماه دیگر",
}
END_OF_WEEK: dict[str, str] = {
    "en": "end of the week|end of week|end of this week|the end of the week",
    "hr": "kraj tjedna|krajem tjedna|do kraja tjedna|na kraju tjedna",
    "cs": "konec týdne|koncem týdne|do konce týdne|na konci týdne",
    "pl": "koniec tygodnia|pod koniec tygodnia|do końca tygodnia|na koniec tygodnia",
    "mk": "крај на неделата|до крајот на неделата|на крајот на неделата|крајот на неделата",
    "fa": "آخر هفته|پایان هفته|تا آخر هفته",
}
END_OF_MONTH: dict[str, str] = {
    "en": "end of the month|end of month|end of this month|the end of the month",
    "hr": "kraj mjeseca|krajem mjeseca|do kraja mjeseca|na kraju mjeseca",
    "cs": "konec měsíce|koncem měsíce|do konce měsíce|na konci měsíce",
    "pl": "koniec miesiąca|pod koniec miesiąca|do końca miesiąca|na koniec miesiąca",
    "mk": "крај на месецот|до крајот на месецот|на крајот на месецот|крајот на месецот",
    "fa": "آخر ماه|پایان ماه|تا آخر ماه",
}
AFTER_SUMMER: dict[str, str] = {
    "en": "after the summer|after summer",
    "hr": "poslije ljeta|nakon ljeta|iza ljeta",
    "cs": "po létě|po prázdninách",
    "pl": "po wakacjach|po lecie",
    "mk": "по летото|после летото",
    "fa": "بعد از تابستان|بعد تابستان",
}
QUARTER_WORDS = "quarter|kvartal|kvartál|kwartał|квартал|kvartalu|kwartale|čtvrtletí"

# Words that may stand around a date phrase without changing it.
FILLER: dict[str, str] = {
    "en": "at|on|the|this|next|coming|by|in|around|about",
    "hr": "u|na|ovaj|ovu|ovo|ove|sljedeći|sljedeću|sljedeća|slijedeći|idući|iduću|iduća|do|oko|h|sati|sat",
    "cs": "v|ve|na|příští|tento|tuto|toto|tenhle|do|kolem|hodin|hod",
    "pl": "w|we|na|przyszły|przyszłą|następny|następną|ten|tę|do|o|około|godzinie|godz",
    "mk": "во|в|на|следниот|следната|овој|оваа|до|околу|часот|ч",
    "fa": "آینده|بعد|بعدی|این|همین|در|تا|روز|حدود",
}

_TIME_PREFIX = r"(?:at|u|v|ve|o|во|в|ساعت|o\s+godzinie|около|around|kolem|oko)"
_TIME_RES = [
    re.compile(r"(?<![\d:.])(\d{1,2})\s*[:.]\s*(\d{2})\s*(am|pm|a\.m\.|p\.m\.)?(?![\d.])"),
    re.compile(r"(?<![\d:.])(\d{1,2})()\s*(am|pm|a\.m\.|p\.m\.)(?!\w)"),
    re.compile(rf"(?<!\w){_TIME_PREFIX}\s+(\d{{1,2}})()()(?:\s*(?:h|ч|hodin|sati|часот|часа))?(?![\w:.])"),
    re.compile(r"(?<![\d:.])(\d{1,2})()()\s*h(?!\w)"),
]

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


# Gregorian month names as written in Persian, which dateparser does not know: read as English.
_FA_MONTHS = {
    name: english
    for names, english in [
        ("ژانویه", "january"),
        ("فوریه", "february"),
        ("مارس", "march"),
        ("آوریل", "april"),
        ("مه|می", "may"),
        ("ژوئن", "june"),
        ("ژوئیه|جولای", "july"),
        ("اوت|آگوست", "august"),
        ("سپتامبر", "september"),
        ("اکتبر", "october"),
        ("نوامبر", "november"),
        ("دسامبر", "december"),
    ]  # fmt: skip
    for name in names.split("|")
}
_FA_MONTH_RE = re.compile(rf"(?<=\d)\s+({'|'.join(sorted(_FA_MONTHS, key=len, reverse=True))})(?!\w)")


def normalise(text: str) -> str:
    """NFC, lower case, ASCII digits, no bidi marks or zero-width joiners, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_DIGITS).lower()
    text = re.sub("[\u200c\u200d\u200e\u200f\u2066-\u2069]", "", text)
    text = text.replace("ي", "ی").replace("ك", "ک")  # Arabic letter forms typed on Persian keyboards
    return " ".join(text.replace(",", " ").split())


@dataclass(frozen=True)
class _Rules:
    weekday: re.Pattern[str]
    weekday_index: dict[str, int]
    day: list[tuple[re.Pattern[str], int]]
    relative: list[re.Pattern[str]]
    number: dict[str, int]
    unit: dict[str, str]
    fixed: list[tuple[re.Pattern[str], str]]
    filler: re.Pattern[str]


def _bounded(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


@cache
def _rules(language: str) -> _Rules:
    index: dict[str, int] = {}
    for i, names in enumerate(WEEKDAYS[language]):
        for name in names.split("|"):
            index[name] = i
    number = {w: i + 1 for i, words in enumerate(NUMBERS[language]) for w in words.split("|")}
    unit = {w: key for key, words in UNITS[language].items() for w in words.split("|")}
    n = rf"(?P<n>\d{{1,3}}|{_alts('|'.join(NUMBERS[language]))})"
    u = rf"(?P<u>{_alts('|'.join(UNITS[language].values()))})"
    fixed = [
        (_bounded(_alts(NEXT_WEEK[language])), "next_week"),
        (_bounded(_alts(NEXT_MONTH[language])), "next_month"),
        (_bounded(_alts(END_OF_WEEK[language])), "end_week"),
        (_bounded(_alts(END_OF_MONTH[language])), "end_month"),
        (_bounded(_alts(AFTER_SUMMER[language])), "after_summer"),
        (re.compile(rf"(?<!\w)(?:q\s?(?P<q>[1-4])|(?P<q2>[1-4])\.?\s*(?:{QUARTER_WORDS}))(?!\w)"), "quarter"),
    ]
    return _Rules(
        weekday=_bounded(_alts("|".join(WEEKDAYS[language]))),
        weekday_index=index,
        day=sorted(
            ((_bounded(_alts(words)), off) for off, words in DAY_WORDS[language].items()),
            key=lambda p: -len(p[0].pattern),
        ),
        relative=[_bounded(p.format(n=n, u=u)) for p in RELATIVE[language]],
        number=number,
        unit=unit,
        fixed=fixed,
        filler=_bounded(_alts(FILLER[language] + "|" + FILLER["en"])),
    )


def _take_time(text: str) -> tuple[time | None, str]:
    for pattern in _TIME_RES:
        match = pattern.search(text)
        if not match:
            continue
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").replace(".", "")
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return None, text
        return time(hour, minute), (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


# "15.12." or "15. 12. 2026": day and month, as written across Central and Eastern Europe. The
# trailing dot tells it from a time ("15.30"), which the time patterns read.
_NUMERIC_DATE = re.compile(r"(?<![\d.:])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}))?(?![\d:])")
_BARE_HOUR = re.compile(r"^\s*(\d{1,2})\s*$")


def _take_numeric_date(text: str, today: date) -> tuple[date | None, str, bool]:
    """(date, text without it, whether it was there at all); an impossible date is (None, text, True)."""
    match = _NUMERIC_DATE.search(text)
    if not match:
        return None, text, False
    day, month = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else today.year
    try:
        found = date(year, month, day)
    except ValueError:
        return None, text, True
    if not match.group(3) and found < today:
        try:
            found = date(year + 1, month, day)
        except ValueError:  # 29 February
            return None, text, True
    return found, (text[: match.start()] + " " + text[match.end() :]).strip(), True


def _only_filler(rest: str, rules: _Rules) -> bool:
    return not rules.filler.sub(" ", rest).replace("-", " ").strip(" .!?")


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _grammar(text: str, rules: _Rules, today: date, local_now: datetime) -> tuple[date | datetime, str] | None:
    """A date (or, for hours, an exact moment) and the text left over; None when nothing matched."""
    for pattern in rules.relative:
        match = pattern.search(text)
        if not match:
            continue
        raw_n = match.group("n")
        count = 1 if raw_n is None else (int(raw_n) if raw_n.isdigit() else rules.number.get(raw_n, 0))
        unit = rules.unit.get(re.sub(r"\s+", " ", match.group("u")))
        if not count or unit is None:
            continue
        rest = text[: match.start()] + " " + text[match.end() :]
        if unit == "hour":
            return local_now + timedelta(hours=count), rest
        if unit == "month":
            return _add_months(today, count), rest
        return today + timedelta(days=count * (7 if unit == "week" else 1)), rest
    for pattern, kind in rules.fixed:
        match = pattern.search(text)
        if not match:
            continue
        rest = text[: match.start()] + " " + text[match.end() :]
        if kind == "next_week":
            return today + timedelta(days=7 - today.weekday()), rest
        if kind == "next_month":
            return _add_months(today.replace(day=1), 1), rest
        if kind == "end_week":
            friday = today + timedelta(days=(4 - today.weekday()) % 7)
            return friday, rest
        if kind == "end_month":
            return today.replace(day=calendar.monthrange(today.year, today.month)[1]), rest
        if kind == "after_summer":
            september = date(today.year, 9, 1)
            return (september if september > today else date(today.year + 1, 9, 1)), rest
        quarter = int(match.group("q") or match.group("q2"))
        start = date(today.year, 3 * quarter - 2, 1)
        return (start if start > today else date(today.year + 1, start.month, 1)), rest
    for pattern, offset in rules.day:
        match = pattern.search(text)
        if match:
            return today + timedelta(days=offset), text[: match.start()] + " " + text[match.end() :]
    match = rules.weekday.search(text)
    if match:
        wanted = rules.weekday_index[re.sub(r"\s+", " ", match.group(0))]
        ahead = (wanted - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead), text[: match.start()] + " " + text[match.end() :]
    return None


@cache
def _dateparser() -> Any:
    import dateparser

    return dateparser


def _fallback(text: str, language: str, zone: str, local_now: datetime) -> datetime | None:
    languages = [language] if language == "en" else [language, "en"]
    settings = {
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "PREFER_DAY_OF_MONTH": "first",
    }
    try:
        found = _dateparser().parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError):
        return None
    return found if isinstance(found, datetime) else None


def parse_when(text: str, *, language: str, zone: str, now: datetime) -> When | None:
    """The moment `text` names, in `zone`, or None when it names none (or is too long to be a date)."""
    if not text or len(text) > MAX_LENGTH:
        return None
    language = language if language in LANGUAGES else "en"
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    cleaned = normalise(text)
    if language == "fa":
        cleaned = _FA_MONTH_RE.sub(lambda m: " " + _FA_MONTHS[m.group(1)], cleaned)
    if cleaned.isdigit():
        return None  # a bare number is not a date ("10" is not October)
    numeric, cleaned, had_numeric = _take_numeric_date(cleaned, local_now.date())
    if had_numeric and numeric is None:
        return None  # "31.02." and the like
    clock, without_time = _take_time(cleaned)
    found: date | datetime | None = None
    for lang in dict.fromkeys((language, "en")):
        rules = _rules(lang)
        if numeric is not None:
            rest = without_time
            hit: tuple[date | datetime, str] | None = (numeric, rest)
        else:
            hit = _grammar(without_time, rules, local_now.date(), local_now)
        if hit is not None and clock is None and not isinstance(hit[0], datetime):
            # "sutra 10", "friday 15": a bare hour after a day.
            bare = _BARE_HOUR.match(rules.filler.sub(" ", hit[1]))
            if bare and int(bare.group(1)) <= 23:
                clock, hit = time(int(bare.group(1))), (hit[0], "")
        if hit is not None and _only_filler(hit[1], rules):
            found = hit[0]
            break
        if hit is None and clock is not None and _only_filler(without_time, rules):
            # A time alone ("at 10", "u 15h"): today if still ahead, else tomorrow.
            found = (
                local_now.date()
                if datetime.combine(local_now.date(), clock, tz) > local_now
                else (local_now.date() + timedelta(days=1))
            )
            break
    if isinstance(found, datetime):
        at = found
    elif isinstance(found, date):
        at = datetime.combine(found, clock or time(DEFAULT_HOUR), tz)
    else:
        # dateparser reads the date; the time, when there is one, is ours (it misreads "u 10").
        parsed = _fallback(without_time if clock else cleaned, language, zone, local_now)
        if parsed is None:
            return None
        at = parsed.astimezone(tz)
        if abs(at.year - local_now.year) > 10:
            return None  # dateparser's guess for a phrase it half-read (e.g. the year 2110)
        if clock is not None:
            at = datetime.combine(at.date(), clock, tz)
        elif (at.hour, at.minute) == (0, 0):
            at = at.replace(hour=DEFAULT_HOUR)
        else:
            clock = at.timetz()
    return When(at=at, has_time=clock is not None, past=at <= local_now)


def warm_up() -> None:
    """Import dateparser and load each language once, so the first rep does not wait for it."""
    now = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo("UTC"))
    for language in LANGUAGES:
        _rules(language)
        _fallback("1 january 2030", language, "UTC", now)


UNKNOWN_YEAR = 1904  # a leap year, so 29 February fits; shown without a year


def parse_birthday(text: str) -> date | None:
    """ "12.5.1980", "12. 5.", "1980-05-12", "12/05" -> a date (year 1904 when not given)."""
    text = normalise(text or "")[:40]
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]?\s*(\d{4})?\.?", text)
        if not match:
            return None
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else UNKNOWN_YEAR
    try:
        return date(year, month, day)
    except ValueError:
        return None
