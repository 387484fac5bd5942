"""Dates and times as reps type them, in six languages.

A small grammar, no guessing. The text is normalised (NFC, lower case, ASCII digits, Persian
letter forms) and folded (no diacritics, so "pristi utery" reads as "příští úterý"); Macedonian
typed in Latin letters is read again in Cyrillic. Then the pieces of a phrase are taken out one by
one: a duration ("in 3 days", "۵ روز دیگه"), a numeric date ("14.2.", "1. 2. 2026", "۱۴۰۵/۰۳/۱۵"
in the Solar Hijri calendar), a month or a part of a week, month, quarter, year or season ("early
May", "koncem března", "اواخر اسفند"), a day word ("pozítří"), a weekday ("sledeci ponedelnik"),
a part of the day ("navečer", "عصر") and a time ("pola devet", "čtvrt na deset", "15h", "ساعت ۱۵").
Whatever is left must be filler words ("at", "u", "na"…), or the phrase is not read at all.

Anything with two plausible readings ("14.11": a date or a time; "next Friday" on a Wednesday;
"u 3": 3:00 or 15:00) is `Ambiguous`, for the caller to ask back with both. Nothing before 1900 or
more than ten years ahead is accepted (`OutOfBounds`). The caller shows the moment back before
anything is saved. Reading is pure and fast (no dateparser: every phrase is a few regex searches);
input longer than `MAX_LENGTH` is not read.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import jdatetime

MAX_LENGTH = 200
DEFAULT_HOUR = 9
LANGUAGES = ("en", "hr", "cs", "pl", "mk", "fa")
EARLIEST = date(1900, 1, 1)
YEARS_AHEAD = 10

# Parts of the day and the hour each stands for (said back in the confirmation).
PART_HOURS: dict[str, int] = {
    "first": 8,
    "morning": 9,
    "noon": 12,
    "afternoon": 15,
    "late": 17,
    "eod": 17,
    "evening": 18,
    "night": 20,
}


@dataclass(frozen=True)
class When:
    """A parsed moment: `at` is timezone-aware (the rep's zone); `past` means before `now`;
    `part` is the part of the day the hour stands for ("morning"), when the rep named one."""

    at: datetime
    has_time: bool
    past: bool
    part: str | None = None


@dataclass(frozen=True)
class Ambiguous:
    """Two (or more) plausible readings: the rep picks one."""

    options: tuple[When, ...]


@dataclass(frozen=True)
class OutOfBounds:
    """A date that reads, but before 1900 or more than ten years ahead."""

    at: date
    too_far: bool


Reading = When | Ambiguous | OutOfBounds


def _alts(words: Iterable[str]) -> str:
    """A regex alternation of words (already folded), longest first (so prefixes lose)."""
    items = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items if w)


# --- word tables (as typed, with diacritics; folded when compiled) ----------------------------

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

# Abbreviations and other spellings (not used by the summary schedule, which wants full names).
WEEKDAY_EXTRA: dict[str, list[str]] = {
    "en": ["mon.", "tue.|tu", "wed.|weds", "thu.|thurs.", "fri.", "sat.", "sun."],
    "hr": ["pon|pon.", "uto|uto.|ut.", "sri|sri.|srijedom", "čet|čet.", "pet.", "sub|sub.", "ned|ned."],
    "cs": ["po.|pondělka", "út|út.", "st.|středu", "čt|čt.", "pá|pá.", "so.", "ne.|neděle"],
    "pl": ["pon|pon.|pn|pn.", "wt|wt.", "śr|śr.", "czw|czw.", "pt|pt.|piątek", "sob|sob.", "nd|nd.|ndz|ndz.|niedz."],
    "mk": ["пон|пон.", "вто|вто.|вт.", "сре|сре.|среда", "чет|чет.", "пет.", "саб|саб.", "нед."],
    "fa": [
        "دوشنبهی",
        "سه‌شنبه|سهشنبهی",
        "چهارشنبهی",
        "پنجشنبهی",
        "جمعهی",
        "شنبهی",
        "یکشنبهی",
    ],
}

# Modifiers before (or, in Persian, after) a weekday: "next" and "this".
NEXT_WORDS: dict[str, str] = {
    "en": "next|nxt",
    "hr": "sljedeći|sljedeću|sljedeće|sljedećeg|slijedeći|slijedeću|idući|iduću|iduće|idućeg|sledeći|naredni|narednu",
    "cs": "příští|příštího|další",
    "pl": "przyszły|przyszłą|przyszłe|przyszłym|następny|następną|następnym",
    "mk": "следниот|следната|наредниот|наредната|идниот|идната|следеќи|другиот|другата",
    "fa": "آینده|بعد|بعدی|دیگه|دیگر",
}
THIS_WORDS: dict[str, str] = {
    "en": "this|this coming|coming",
    "hr": "ovaj|ovu|ovo|ove|ovog|u ovaj|u ovu",
    "cs": "tento|tuto|toto|tenhle|tuhle|v tento|ve tento",
    "pl": "ten|tę|w ten|w tę|najbliższy|najbliższą|najbliższe",
    "mk": "овој|оваа|ова|во овој|во оваа",
    "fa": "همین|این",
}

# Day words: offset in days, and the part of the day they name ("tonight").
DAY_WORDS: dict[str, dict[str, tuple[int, str | None]]] = {
    "en": {
        "today|tdy|later today": (0, None),
        "tonight|tonite|this evening": (0, "evening"),
        "this morning": (0, "morning"),
        "this afternoon": (0, "afternoon"),
        "tomorrow|tmrw|tmr|tmrow|tomorow|tommorow|2moro|2morrow|tomo": (1, None),
        "day after tomorrow|the day after tomorrow|overmorrow": (2, None),
    },
    "hr": {
        "danas": (0, None),
        "večeras": (0, "evening"),
        "noćas": (0, "night"),
        "jutros": (0, "morning"),
        "sutra|sutradan": (1, None),
        "prekosutra": (2, None),
    },
    "cs": {
        "dnes|dneska|dnešek": (0, None),
        "zítra|zejtra|zitra": (1, None),
        "pozítří|pozejtří": (2, None),
    },
    "pl": {
        "dziś|dzisiaj": (0, None),
        "jutro": (1, None),
        "pojutrze": (2, None),
    },
    "mk": {
        "денес": (0, None),
        "вечерва": (0, "evening"),
        "ноќва": (0, "night"),
        "утринава": (0, "morning"),
        "утре": (1, None),
        "задутре|прекутре": (2, None),
    },
    "fa": {
        "امروز": (0, None),
        "امشب": (0, "night"),
        "فردا": (1, None),
        "پسفردا|پس فردا": (2, None),
    },
}

# Parts of the day, by key of `PART_HOURS`.
PARTS: dict[str, dict[str, str]] = {
    "en": {
        "first": "first thing|first thing in the morning|early morning|early in the morning|first thing on",
        "morning": "morning|in the morning|am|mornin",
        "noon": "noon|midday|lunchtime|lunch|at noon|at lunch",
        "afternoon": "afternoon|in the afternoon|arvo|aft",
        "eod": "end of day|end of the day|eod|cob|close of business",
        "evening": "evening|in the evening|eve",
        "night": "night|at night|late evening|late in the evening",
    },
    "hr": {
        "first": "rano ujutro|rano|prvo ujutro|odmah ujutro|čim počne dan",
        "morning": "ujutro|ujutru|ujutro rano|prijepodne|dopodne|prije podne|jutro|ujutr",
        "noon": "podne|u podne|oko podne|za ručak|u vrijeme ručka",
        "afternoon": "popodne|poslijepodne|poslije podne|po podne|popodnevu|posle podne",
        "eod": "do kraja dana|na kraju dana|kraj dana|do kraja radnog vremena",
        "evening": "navečer|uvečer|večer|predvečer|u večer",
        "night": "noću|po noći|kasno navečer|kasno uvečer",
    },
    "cs": {
        "first": "brzy ráno|hned ráno|časně ráno|hned zrána|ráno hned",
        "morning": "ráno|dopoledne|zrána|dopo",
        "noon": "poledne|v poledne|kolem poledne|na oběd|v obědě|přes oběd",
        "afternoon": "odpoledne|odpo|po obědě",
        "eod": "do konce dne|na konci dne|konec dne|do konce pracovní doby",
        "evening": "večer|navečer|k večeru|podvečer|večír",
        "night": "v noci|pozdě večer|noc",
    },
    "pl": {
        "first": "wcześnie rano|z samego rana|skoro świt|z samego ranka|rano z samego rana",
        "morning": "rano|rankiem|z rana|przed południem|przedpołudniem|przedpołudnie",
        "noon": "południe|w południe|koło południa|około południa|w porze lunchu|na lunch",
        "afternoon": "po południu|popołudniu|popołudnie|po poludniu|popo",
        "eod": "do końca dnia|na koniec dnia|koniec dnia|pod koniec dnia",
        "evening": "wieczorem|wieczór|wieczorkiem|pod wieczór|na wieczór|wieczorem",
        "night": "w nocy|nocą|późnym wieczorem|późno wieczorem",
    },
    "mk": {
        "first": "рано наутро|рано изутрина|рано утрото|рано",
        "morning": "наутро|утрото|наутрото|изутрина|претпладне|пред пладне|утро|наутро рано",
        "noon": "напладне|пладне|на пладне|на ручек|околу пладне",
        "afternoon": "попладне|попладнево|попладнето|по пладне",
        "eod": "до крајот на денот|на крајот на денот|крајот на денот|крај на денот",
        "evening": "навечер|вечерта|вечер|навечерта|во вечерните часови",
        "night": "ноќе|ноќта|ноќеска|доцна навечер|доцна",
    },
    "fa": {
        "first": "صبح زود|اول صبح|سر صبح|اول وقت",
        "morning": "صبح|صبحی|قبل از ظهر|قبلازظهر|پیش از ظهر|صب",
        "noon": "ظهر|سر ظهر|موقع ناهار|ناهار|ظهری",
        "afternoon": "بعدازظهر|بعد از ظهر|بعدظهر|بعد ظهر|بعدازظهری",
        "late": "عصر|عصری",
        "eod": "آخر وقت|آخر روز|تا آخر روز|تا آخر وقت|آخر وقت اداری",
        "evening": "غروب|سر شب|اول شب|دم غروب",
        "night": "شب|شبی|شبش",
    },
}

NUMBERS: dict[str, list[str]] = {  # 1..12
    "en": [
        "one|a|an",
        "two|a couple of|couple of|couple",
        "three|a few|few",
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
        "jedan|jednu|jedna|jednog|jedne",
        "dva|dvije|dvaju",
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
        "jeden|jednu|jedna|jedné",
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
        "jeden|jedną|jedna|jednego",
        "dwa|dwie|dwóch",
        "trzy|trzech",
        "cztery|czterech",
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

# Hours as ordinals (Czech "půl deváté", Polish "o dziewiątej", "wpół do dziewiątej").
HOUR_ORDINALS: dict[str, list[str]] = {
    "cs": [
        "jedné|první",
        "druhé",
        "třetí",
        "čtvrté",
        "páté",
        "šesté",
        "sedmé",
        "osmé",
        "deváté",
        "desáté",
        "jedenácté",
        "dvanácté",
    ],
    "pl": [
        "pierwszej|pierwsza",
        "drugiej|druga",
        "trzeciej|trzecia",
        "czwartej|czwarta",
        "piątej|piąta",
        "szóstej|szósta",
        "siódmej|siódma",
        "ósmej|ósma",
        "dziewiątej|dziewiąta",
        "dziesiątej|dziesiąta",
        "jedenastej|jedenasta",
        "dwunastej|dwunasta",
    ],
}

UNITS: dict[str, dict[str, str]] = {
    "en": {
        "minute": "minutes|minute|mins|min",
        "hour": "hours|hour|hrs|hr|h",
        "day": "days|day",
        "week": "weeks|week|wks|wk",
        "month": "months|month|mos|mo",
        "year": "years|year|yrs",
    },
    "hr": {
        "minute": "minuta|minute|minutu|min",
        "hour": "sata|sati|sat|h",
        "day": "dana|dan",
        "week": "tjedna|tjedana|tjedan|sedmica|sedmice",
        "month": "mjeseca|mjeseci|mjesec",
        "year": "godina|godine|godinu",
    },
    "cs": {
        "minute": "minut|minuty|minutu|min",
        "hour": "hodinu|hodiny|hodin|hod|h",
        "day": "dny|dní|dnů|den|dnech",
        "week": "týdny|týdnů|týden|týdnech",
        "month": "měsíce|měsíců|měsíc|měsících",
        "year": "roky|let|rok|roce",
    },
    "pl": {
        "minute": "minut|minuty|minutę|min",
        "hour": "godzinę|godziny|godzin|godz|h",
        "day": "dni|dzień|dniach",
        "week": "tygodnie|tygodni|tydzień|tygodniach",
        "month": "miesiące|miesięcy|miesiąc|miesiącach",
        "year": "lata|lat|rok",
    },
    "mk": {
        "minute": "минути|минута|мин",
        "hour": "часа|часови|час|ч",
        "day": "дена|денови|ден",
        "week": "недели|недела|седмици|седмица",
        "month": "месеци|месец",
        "year": "години|година",
    },
    "fa": {"minute": "دقیقه", "hour": "ساعت", "day": "روز", "week": "هفته", "month": "ماه", "year": "سال"},
}

# Half an hour, as a duration ("za pola sata").
HALF_HOUR: dict[str, str] = {
    "en": "half an hour|half hour|a half hour|half an hr",
    "hr": "pola sata|pol sata|po sata",
    "cs": "půl hodiny|půlhodinu|půlhodiny",
    "pl": "pół godziny|pol godziny",
    "mk": "пола час|половина час|пол час|половина саат",
    "fa": "نیم ساعت|نیمساعت",
}

# "in N units": the words around the number; {n} is the number, {u} the unit.
RELATIVE: dict[str, list[str]] = {
    "en": [
        r"in\s+(?:{n}\s+)?{u}(?:\s+time|'s\s+time)?",
        r"{n}\s+{u}\s+from\s+(?:now|today)",
        r"after\s+{n}\s+{u}",
        r"{n}\s+{u}\s+later",
    ],
    "hr": [r"za\s+(?:{n}\s+)?{u}(?:\s+dana|\s+vremena)?", r"nakon\s+{n}\s+{u}", r"kroz\s+(?:{n}\s+)?{u}"],
    "cs": [r"za\s+(?:{n}\s+)?{u}", r"po\s+{n}\s+{u}", r"během\s+{u}"],
    "pl": [r"za\s+(?:{n}\s+)?{u}", r"po\s+{n}\s+{u}"],
    "mk": [r"за\s+(?:{n}\s+)?{u}", r"по\s+{n}\s+{u}", r"после\s+{n}\s+{u}"],
    "fa": [r"{n}\s+{u}\s+(?:دیگر|دیگه|بعد|آینده)", r"(?:بعد|پس)\s+از\s+{n}\s+{u}"],
}

# Month names with their inflections; Persian has the Gregorian names as written in Iran.
MONTHS: dict[str, list[str]] = {
    "en": [
        "january|jan",
        "february|feb",
        "march|mar",
        "april|apr",
        "may",
        "june|jun",
        "july|jul",
        "august|aug",
        "september|sep|sept",
        "october|oct",
        "november|nov",
        "december|dec",
    ],
    "hr": [
        "siječanj|siječnja|siječnju|januar|januara",
        "veljača|veljače|veljači|februar|februara",
        "ožujak|ožujka|ožujku|mart|marta",
        "travanj|travnja|travnju|april|aprila",
        "svibanj|svibnja|svibnju|maj|maja",
        "lipanj|lipnja|lipnju|juni|juna",
        "srpanj|srpnja|srpnju|juli|jula",
        "kolovoz|kolovoza|kolovozu|august|augusta|avgust",
        "rujan|rujna|rujnu|septembar|septembra",
        "listopad|listopada|listopadu|oktobar|oktobra",
        "studeni|studenoga|studenog|studenom|novembar|novembra",
        "prosinac|prosinca|prosincu|decembar|decembra",
    ],
    "cs": [
        "leden|ledna|lednu",
        "únor|února|únoru",
        "březen|března|březnu",
        "duben|dubna|dubnu",
        "květen|května|květnu",
        "červen|června|červnu",
        "červenec|července|červenci",
        "srpen|srpna|srpnu",
        "září",
        "říjen|října|říjnu",
        "listopad|listopadu",
        "prosinec|prosince|prosinci",
    ],
    "pl": [
        "styczeń|stycznia|styczniu|sty",
        "luty|lutego|lutym|lut",
        "marzec|marca|marcu",
        "kwiecień|kwietnia|kwietniu|kwi",
        "maj|maja|maju",
        "czerwiec|czerwca|czerwcu|cze",
        "lipiec|lipca|lipcu|lip",
        "sierpień|sierpnia|sierpniu|sie",
        "wrzesień|września|wrześniu|wrz",
        "październik|października|październiku|paź",
        "listopad|listopada|listopadzie|lis",
        "grudzień|grudnia|grudniu|gru",
    ],
    "mk": [
        "јануари|јан",
        "февруари|фев",
        "март",
        "април",
        "мај",
        "јуни",
        "јули",
        "август",
        "септември",
        "октомври",
        "ноември",
        "декември",
    ],
    "fa": [
        "ژانویه",
        "فوریه",
        "مارس",
        "آوریل",
        "مه|می",
        "ژوئن",
        "ژوئیه|جولای",
        "اوت|آگوست",
        "سپتامبر",
        "اکتبر",
        "نوامبر",
        "دسامبر",
    ],
}

# The Solar Hijri months, as Iranians write them (read in any language: they are unambiguous).
SOLAR_MONTHS = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد|امرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
]

# Periods a part ("early", "mid", "end") or "next" applies to: (unit, offset from the current one).
PERIODS: dict[str, dict[str, tuple[str, int]]] = {
    "en": {
        "week|the week|this week|wk": ("week", 0),
        "next week|the next week|the following week|following week|nxt wk|next wk|nxt week": ("week", 1),
        "month|the month|this month": ("month", 0),
        "next month|the next month|the following month|following month|nxt month": ("month", 1),
        "quarter|the quarter|this quarter": ("quarter", 0),
        "next quarter|the next quarter|the following quarter|following quarter": ("quarter", 1),
        "year|the year|this year": ("year", 0),
        "next year|the next year|the following year": ("year", 1),
    },
    "hr": {
        "tjedna|tjedan|ovaj tjedan|ovog tjedna|ovoga tjedna|ovom tjednu": ("week", 0),
        "sljedeći tjedan|idući tjedan|sljedećeg tjedna|idućeg tjedna|sljedećem tjednu|idućem tjednu"
        "|slijedeći tjedan|slijedećeg tjedna|drugi tjedan|drugog tjedna|sledeće nedelje": ("week", 1),
        "mjeseca|mjesec|ovaj mjesec|ovog mjeseca|ovoga mjeseca|ovom mjesecu": ("month", 0),
        "sljedeći mjesec|idući mjesec|sljedećeg mjeseca|idućeg mjeseca|sljedećem mjesecu|idućem mjesecu"
        "|drugi mjesec|drugog mjeseca|slijedeći mjesec|slijedećeg mjeseca": ("month", 1),
        "kvartala|kvartal|ovog kvartala|ovaj kvartal|tromjesečja": ("quarter", 0),
        "sljedeći kvartal|idući kvartal|sljedećeg kvartala|idućeg kvartala|sljedećem kvartalu": ("quarter", 1),
        "godine|godina|ove godine|ova godina|ovu godinu": ("year", 0),
        "sljedeće godine|iduće godine|sljedeća godina|iduća godina|dogodine|slijedeće godine": ("year", 1),
    },
    "cs": {
        "týdne|týden|tento týden|tohoto týdne|tomto týdnu": ("week", 0),
        "příští týden|příštího týdne|příštím týdnu|další týden|dalšího týdne": ("week", 1),
        "měsíce|měsíc|tento měsíc|tohoto měsíce|tomto měsíci": ("month", 0),
        "příští měsíc|příštího měsíce|příštím měsíci|další měsíc|dalšího měsíce": ("month", 1),
        "čtvrtletí|kvartálu|kvartál|tohoto čtvrtletí|tohoto kvartálu": ("quarter", 0),
        "příští čtvrtletí|příštího čtvrtletí|příští kvartál|příštího kvartálu|dalšího čtvrtletí": ("quarter", 1),
        "roku|rok|tento rok|tohoto roku|letos|letošního roku": ("year", 0),
        "příští rok|příštího roku|příštím roce|napřesrok": ("year", 1),
    },
    "pl": {
        "tygodnia|tydzień|ten tydzień|tego tygodnia|tym tygodniu": ("week", 0),
        "przyszły tydzień|przyszłego tygodnia|przyszłym tygodniu|następny tydzień|następnego tygodnia"
        "|następnym tygodniu": ("week", 1),
        "miesiąca|miesiąc|ten miesiąc|tego miesiąca|tym miesiącu": ("month", 0),
        "przyszły miesiąc|przyszłego miesiąca|przyszłym miesiącu|następny miesiąc|następnego miesiąca"
        "|następnym miesiącu": ("month", 1),
        "kwartału|kwartał|tego kwartału|tym kwartale|ten kwartał": ("quarter", 0),
        "przyszły kwartał|przyszłego kwartału|przyszłym kwartale|następny kwartał|następnego kwartału"
        "|następnym kwartale": ("quarter", 1),
        "roku|rok|ten rok|tego roku|tym roku": ("year", 0),
        "przyszły rok|przyszłego roku|przyszłym roku|następny rok|następnego roku|następnym roku": ("year", 1),
    },
    "mk": {
        "неделата|оваа недела|неделава|седмицата": ("week", 0),
        "следната недела|следнава недела|наредната недела|другата недела|идната недела|следната седмица"
        "|следнaта недела|друга недела": ("week", 1),
        "месецот|овој месец|месецов": ("month", 0),
        "следниот месец|наредниот месец|идниот месец|другиот месец|следен месец": ("month", 1),
        "кварталот|овој квартал|кварталов": ("quarter", 0),
        "следниот квартал|наредниот квартал|идниот квартал": ("quarter", 1),
        "годината|оваа година|годинава": ("year", 0),
        "следната година|наредната година|идната година|догодина|друга година": ("year", 1),
    },
    "fa": {
        "هفته|این هفته|همین هفته": ("week", 0),
        "هفته بعد|هفته آینده|هفته دیگه|هفته دیگر|هفته بعدی|هفته ی بعد": ("week", 1),
        "ماه|این ماه|همین ماه": ("month", 0),
        "ماه بعد|ماه آینده|ماه دیگه|ماه دیگر|ماه بعدی": ("month", 1),
        "فصل|این فصل|سه ماهه|این سه ماهه": ("quarter", 0),
        "فصل بعد|فصل آینده|سه ماهه بعد|سه ماهه آینده": ("quarter", 1),
        # A Persian rep's year is the Solar Hijri one (it ends at Nowruz).
        "سال|امسال|این سال|همین سال": ("solar_year", 0),
        "سال بعد|سال آینده|سال دیگه|سال دیگر|سال بعدی": ("solar_year", 1),
    },
}

# Seasons (three-month blocks: meteorological ones; the Solar Hijri ones in Persian) and holidays.
SEASONS: dict[str, list[str]] = {  # spring, summer, autumn, winter
    "en": ["spring", "summer|summer holidays|the holidays", "autumn|fall", "winter"],
    "hr": [
        "proljeće|proljeća|proljeću|na proljeće",
        "ljeto|ljeta|ljetu|ljeti|godišnjih|godišnjeg|godišnjih odmora",
        "jesen|jeseni|na jesen",
        "zima|zime|zimi|zimu",
    ],
    "cs": [
        "jaro|jara|na jaře|jaře",
        "léto|léta|v létě|létě|prázdniny|prázdninách|prázdnin|dovolených|dovolené",
        "podzim|podzimu|na podzim",
        "zima|zimy|v zimě|zimě",
    ],
    "pl": [
        "wiosna|wiosny|wiosną|wiośnie",
        "lato|lata|latem|lecie|wakacje|wakacjach|wakacji|urlopach",
        "jesień|jesieni|jesienią",
        "zima|zimy|zimą|zimie",
    ],
    "mk": ["пролет|пролетта", "лето|летото|летово|одморите|распуст", "есен|есента", "зима|зимата"],
    "fa": ["بهار", "تابستان|تابستون", "پاییز|پائیز", "زمستان|زمستون"],
}
NOWRUZ = "عید|عید نوروز|نوروز|تعطیلات عید|تعطیلات نوروز"

# Parts of a period, and "after" it.
PERIOD_PARTS: dict[str, dict[str, str]] = {
    "en": {
        "early": "early|beginning of|start of|the beginning of|the start of|at the beginning of|at the start of"
        "|early in|beg of|beginning|start",
        "mid": "mid|middle of|the middle of|in the middle of|mid of|middle",
        "end": "end of|the end of|by the end of|at the end of|late|towards the end of|end|eo",
        "after": "after|after the",
    },
    "hr": {
        "early": "početkom|na početku|početak|s početkom|od početka",
        "mid": "sredinom|sredina|sredinu|polovicom|polovinom|oko sredine|sredine|u sredini",
        "end": "krajem|kraj|do kraja|na kraju|koncem|pred kraj|potkraj|kraja",
        "after": "poslije|nakon|iza|posle|po",
    },
    "cs": {
        "early": "začátkem|na začátku|začátek|počátkem|na počátku|od začátku",
        "mid": "v polovině|polovina|polovinou|uprostřed|v půlce|půlka|v půli|v polovici|polovině|půlkou",
        "end": "koncem|konec|do konce|na konci|ke konci|koncem|na konec|konci",
        "after": "po|po skončení",
    },
    "pl": {
        "early": "na początku|początek|z początkiem|początkiem|od początku",
        "mid": "w połowie|połowa|w środku|połową|połowie|połowę",
        "end": "pod koniec|koniec|do końca|na koniec|z końcem|końcem|na końcu|końca",
        "after": "po",
    },
    "mk": {
        "early": "почетокот на|на почетокот на|почеток на|во почетокот на|на почеток на|почетокот|почеток",
        "mid": "средината на|средина на|во средината на|на средината на|сред|средината",
        "end": "крајот на|крај на|до крајот на|на крајот на|кон крајот на|кон крај на|крајот|крај",
        "after": "по|после|након|по завршувањето на",
    },
    "fa": {
        "early": "اول|اوایل|ابتدای|ابتدا|اوائل|شروع",
        "mid": "وسط|اواسط|نیمه|وسطای|وسطهای",
        "end": "آخر|اواخر|پایان|انتهای|آخرای|آخرهای",
        "after": "بعد از|پس از|بعد",
    },
}

QUARTER_WORDS = (
    "quarter|qtr|kvartal|kvartala|kvartalu|kvartál|kvartálu|kwartał|kwartale|kwartału|квартал|кварталот"
    "|čtvrtletí|tromjesečje|tromjesečja|سه ماهه|فصل"
)

# Quarters by their ordinal: "second quarter", "drugi kvartal", "вториот квартал", "فصل دوم".
QUARTER_ORDINALS = (
    "first|1st|prvi|prvom|prvog|první|prvním|pierwszy|pierwszym|прв|првиот|прво|اول|یکم",
    "second|2nd|drugi|drugom|drugog|druhé|druhý|druhém|drugim|втор|вториот|второ|دوم",
    "third|3rd|treći|trećem|trećeg|třetí|třetím|trzeci|trzecim|трет|третиот|трето|سوم",
    "fourth|4th|četvrti|četvrtom|četvrtog|čtvrté|čtvrtý|čtvrtém|czwarty|czwartym|четврт|четвртиот|четврто|چهارم",
)

# Time: words that introduce a time, units that follow an hour, noon/half/quarter idioms.
TIME_PREFIX: dict[str, str] = {
    "en": "at|around|about|by|@|from|at about|at around",
    "hr": "u|oko|od|do|negdje oko|točno u",
    "cs": "v|ve|kolem|okolo|na|od|do",
    "pl": "o|około|koło|na|od|do|o godzinie|o godz|o godz.|godz|godz.|na godzinę|ok.|ok",
    "mk": "во|в|околу|на|од|до|во околу",
    "fa": "ساعت|حدود ساعت|حدود|سر ساعت|ساعت حدود|راس ساعت|رأس ساعت",
}
HOUR_UNITS = (
    "h|h.|hrs|hod|hod.|hodin|hodiny|sati|sat|sata|godz|godz.|godzina|godziny|ч|ч.|часот|часа|час"
    "|uhr|o'clock|oclock|ساعت"
)
IDIOMS: dict[str, list[tuple[str, int, int]]] = {  # (pattern with {H}, minute, hour shift)
    "en": [
        ("half past {H}", 30, 0),
        ("quarter past {H}", 15, 0),
        ("a quarter past {H}", 15, 0),
        ("quarter to {H}", 45, -1),
        ("a quarter to {H}", 45, -1),
        ("half {H}", 30, 0),
        ("{H} thirty", 30, 0),
        ("{H} fifteen", 15, 0),
        ("{H} forty five", 45, 0),
    ],
    "hr": [
        ("pola {H}", 30, -1),
        ("{H} i pol", 30, 0),
        ("{H} i po", 30, 0),
        ("{H} i trideset", 30, 0),
        ("{H} i četvrt", 15, 0),
        ("{H} i petnaest", 15, 0),
        ("četvrt do {H}", 45, -1),
        ("petnaest do {H}", 45, -1),
    ],
    "cs": [
        ("půl {O}", 30, -1),
        ("čtvrt na {H}", 15, -1),
        ("tři čtvrtě na {H}", 45, -1),
        ("třičtvrtě na {H}", 45, -1),
        ("{H} třicet", 30, 0),
    ],
    "pl": [
        ("wpół do {O}", 30, -1),
        ("w pół do {O}", 30, -1),
        ("kwadrans po {O}", 15, 0),
        ("za kwadrans {O}", 45, -1),
        ("{O} trzydzieści", 30, 0),
        ("{O} piętnaście", 15, 0),
    ],
    "mk": [
        ("{H} и пол", 30, 0),
        ("{H} и половина", 30, 0),
        ("{H} и петнаесет", 15, 0),
        ("{H} и четвртина", 15, 0),
        ("{H} и четврт", 15, 0),
        ("{H} и триесет", 30, 0),
        ("петнаесет до {H}", 45, -1),
        ("четврт до {H}", 45, -1),
    ],
    "fa": [
        ("{H} و نیم", 30, 0),
        ("{H} و ربع", 15, 0),
        ("{H} و سی دقیقه", 30, 0),
        ("{H} و پانزده دقیقه", 15, 0),
        ("یه ربع به {H}", 45, -1),
        ("یک ربع به {H}", 45, -1),
        ("ربع به {H}", 45, -1),
    ],
}

# Words that may stand around a date phrase without changing it.
FILLER: dict[str, str] = {
    "en": "at|on|the|this|next|coming|by|in|around|about|of|for|until|till|til|from|to|please|pls|latest|at the"
    "|o'clock|oclock|sometime|ish|approx|approximately",
    "hr": "u|na|ovaj|ovu|ovo|ove|do|oko|h|sati|sat|vremena|od|negdje|cca|otprilike|najkasnije|tamo|za",
    "cs": "v|ve|na|tento|tuto|toto|do|kolem|okolo|hodin|hod|h|nejpozději|někdy|cca|asi|zhruba|od|za",
    "pl": "w|we|na|ten|tę|do|o|około|godzinie|godz|h|ok|najpóźniej|koło|gdzieś|od|za",
    "mk": "во|в|на|овој|оваа|до|околу|часот|ч|најдоцна|некаде|од|за",
    "fa": "در|تا|روز|حدود|ساعت|همین|این|دیگه|دیگر|حدودا|حدوداً|واسه|برای|که",
}

# Latin-typed Macedonian, read again in Cyrillic: digraphs first.
_MK_LATIN = [
    ("dzh", "џ"),
    ("dž", "џ"),
    ("dz", "ѕ"),
    ("gj", "ѓ"),
    ("kj", "ќ"),
    ("lj", "љ"),
    ("nj", "њ"),
    ("zh", "ж"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("č", "ч"),
    ("ć", "ќ"),
    ("š", "ш"),
    ("ž", "ж"),
    ("đ", "ѓ"),
]
_MK_LETTERS = str.maketrans("abvgdezijklmnoprstufhcwyxq", "абвгдезијклмнопрстуфхцвјкк")

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_INVISIBLE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
_FOLD = str.maketrans({"ł": "l", "đ": "d", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i"})


def normalise(text: str) -> str:
    """NFC, lower case, ASCII digits, no bidi marks or zero-width characters, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_DIGITS).lower()
    text = _INVISIBLE.sub("", text)
    text = text.replace("ي", "ی").replace("ك", "ک").replace("ى", "ی").replace("ة", "ه")
    text = text.replace("\u200cی ", " ").replace("\u200c", "")  # Persian: the ezafe "هفته‌ی بعد"
    text = text.replace("٫", ".").replace("،", " ").replace("؟", " ")
    text = re.sub(r"(?<=[^\W\d])-(?=[^\W\d])", " ", text)  # "mid-April"
    return " ".join(re.sub(r"[,;!?()\"“”„«»]", " ", text).split())


def fold(text: str) -> str:
    """Without diacritics, as typed on a phone: "příští úterý" -> "pristi utery"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _mk_cyrillic(text: str) -> str:
    for latin, cyrillic in _MK_LATIN:
        text = text.replace(latin, cyrillic)
    return text.translate(_MK_LETTERS)


def _words(*tables: str) -> list[str]:
    return [fold(normalise(w)) for table in tables for w in table.split("|") if w]


# --- compiled rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    relative: list[re.Pattern[str]]
    half_hour: re.Pattern[str]
    number: dict[str, int]
    unit: dict[str, str]
    period: re.Pattern[str]
    period_of: dict[str, tuple[str, int]]
    part_of_period: dict[str, str]
    month_of: dict[str, int]
    solar_of: dict[str, int]
    season_of: dict[str, int]
    ordinal_of: dict[str, int]
    month_day: list[re.Pattern[str]]
    day: re.Pattern[str]
    day_of: dict[str, tuple[int, str | None]]
    weekday: re.Pattern[str]
    weekday_of: dict[str, int]
    next_words: frozenset[str]
    part: re.Pattern[str]
    part_of: dict[str, str]
    idioms: list[tuple[re.Pattern[str], int, int]]
    hour_word: dict[str, int]
    prefixed_time: re.Pattern[str]
    prefixed_word: re.Pattern[str]
    unit_time: re.Pattern[str]
    filler: re.Pattern[str]


def _b(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


def _table(language: str, tables: dict[str, str]) -> list[str]:
    langs = dict.fromkeys((language, "en"))
    return _words(*(tables[lang] for lang in langs))


@cache
def _rules(language: str) -> _Rules:
    langs = list(dict.fromkeys((language, "en")))
    number: dict[str, int] = {}
    for lang in langs:
        for i, words in enumerate(NUMBERS[lang]):
            number.update(dict.fromkeys(_words(words), i + 1))
    unit: dict[str, str] = {}
    for lang in langs:
        for key, words in UNITS[lang].items():
            unit.update(dict.fromkeys(_words(words), key))
    n = rf"(?P<n>\d{{1,4}}|{_alts(number)})"
    u = rf"(?P<u>{_alts(unit)})"
    relative = [_b(p.format(n=n, u=u)) for lang in langs for p in RELATIVE[lang]]
    half = _alts(_table(language, HALF_HOUR))
    half_hour = _b(rf"(?:in|za|за|po|по|after|nakon)\s+(?:{half})|(?:{half})\s+(?:دیگه|دیگر|بعد)")

    period_of: dict[str, tuple[str, int]] = {}
    for lang in langs:
        for words, spec in PERIODS[lang].items():
            period_of.update(dict.fromkeys(_words(words), spec))
    month_of: dict[str, int] = {}
    for lang in langs:
        for i, words in enumerate(MONTHS[lang]):
            month_of.update(dict.fromkeys(_words(words), i + 1))
    solar_of = _solar_month_numbers()
    season_of: dict[str, int] = {}
    for lang in langs:
        for i, words in enumerate(SEASONS[lang]):
            season_of.update(dict.fromkeys(_words(words), i))
    if language == "fa":
        season_of.update(dict.fromkeys(_words(NOWRUZ), 4))  # 4: Nowruz, the 13 days of the new year
    part_of_period: dict[str, str] = {}
    for lang in langs:
        for key, words in PERIOD_PARTS[lang].items():
            part_of_period.update(dict.fromkeys(_words(words), key))
    quarter = _alts(_words(QUARTER_WORDS))
    ordinal_of = {w: i + 1 for i, words in enumerate(QUARTER_ORDINALS) for w in _words(words)}
    ordinals = _alts(ordinal_of)
    anchors = _alts([*period_of, *month_of, *solar_of, *season_of])
    period = _b(
        rf"(?:(?P<part>{_alts(part_of_period)})\s*(?:of\s+|the\s+|на\s+)?)?"
        rf"(?:(?P<q>[qк]\s?[1-4]|[1-4](?:\.|-?(?:ри|ви|ти|st|nd|rd|th))?\s*(?:{quarter}))"
        rf"|(?P<ordinal>{ordinals})\s+(?:{quarter})|(?:{quarter})\s+(?P<ordinal_after>{ordinals})"
        rf"|(?P<anchor>{anchors}))"
        rf"(?:\s+(?P<year>(?:19|20|13|14)\d\d)\.?)?"
    )
    months = _alts([*month_of, *solar_of])
    month_day = [
        re.compile(
            rf"(?<![\w.:/])(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)?\s*(?:of\s+|\-)?(?P<m>{months})(?!\w)"
            rf"(?:\.?\s*(?P<y>\d{{4}})\.?(?![\d:]))?"
        ),
        re.compile(
            rf"(?<!\w)(?P<m>{months})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.]|\s*(?:am|pm|h\b))"
            rf"(?:\s*(?P<y>\d{{4}})(?!\d))?"
        ),
    ]
    day_of: dict[str, tuple[int, str | None]] = {}
    for lang in langs:
        for words, day_spec in DAY_WORDS[lang].items():
            day_of.update(dict.fromkeys(_words(words), day_spec))
    weekday_of: dict[str, int] = {}
    for lang in langs:
        for i, names in enumerate(WEEKDAYS[lang]):
            weekday_of.update(dict.fromkeys(_words(names), i))
        for i, names in enumerate(WEEKDAY_EXTRA[lang]):
            weekday_of.update(dict.fromkeys(_words(names), i))
    next_words = _table(language, NEXT_WORDS)
    this_words = _table(language, THIS_WORDS)
    mods = _alts([*next_words, *this_words])
    post = _alts(_words(NEXT_WORDS["fa"])) if language == "fa" else None
    weekday_re = rf"(?:(?P<mod>{mods})\s+)?(?P<wd>{_alts(weekday_of)})"
    if post:
        weekday_re += rf"(?:\s+(?P<post>{post})(?!\s+از\s+ظهر))?"
    part_of: dict[str, str] = {}
    for lang in langs:
        for key, words in PARTS[lang].items():
            part_of.update(dict.fromkeys(_words(words), key))
    if language != "en":
        part_of.pop("am", None)
    hour_word = dict(number)
    for lang in langs:
        for i, words in enumerate(HOUR_ORDINALS.get(lang, [])):
            hour_word.update(dict.fromkeys(_words(words), i + 1))
    for w in ("a", "an", "a couple of", "couple of", "couple", "a few", "few", "trzech", "czterech", "dwoch"):
        hour_word.pop(w, None)
    cardinal = rf"(?P<h>\d{{1,2}}|{_alts(w for w in hour_word if w in number)})"
    ordinal_words = [w for lang in langs for words in HOUR_ORDINALS.get(lang, []) for w in _words(words)]
    ordinal = rf"(?P<h>\d{{1,2}}|{_alts(ordinal_words) or 'x^'})"
    idioms = []
    for lang in langs:
        for pattern, minute, shift in IDIOMS[lang]:
            body = re.escape(fold(normalise(pattern))).replace(r"\ ", r"\s+")
            body = body.replace(r"\{h\}", cardinal).replace(r"\{o\}", ordinal)
            idioms.append((_b(body), minute, shift))
    prefix = _alts(_table(language, TIME_PREFIX))
    hour_units = _alts(_words(HOUR_UNITS))
    prefixed_time = re.compile(
        rf"(?<!\w)(?:{prefix})\s*(?P<h>\d{{1,2}})(?:\s*[:.h]\s*(?P<m>\d{{2}}))?(?:\s*(?P<ap>am|pm|a\.m\.|p\.m\.))?"
        rf"(?:\s*(?:{hour_units}))?(?![\w:]|\.\d)"
    )
    prefixed_word = re.compile(rf"(?<!\w)(?:{prefix})\s+(?P<h>{_alts(hour_word)})(?:\s*(?:{hour_units}))?(?!\w)")
    unit_time = re.compile(
        rf"(?<![\w:.])(?P<h>\d{{1,2}})(?:\s*[:.]\s*(?P<m>\d{{2}}))?\s*(?:{hour_units})(?:\s*(?P<m2>\d{{2}}))?(?!\w)"
    )
    return _Rules(
        relative=relative,
        half_hour=half_hour,
        number=number,
        unit=unit,
        period=period,
        period_of=period_of,
        part_of_period=part_of_period,
        month_of=month_of,
        solar_of=solar_of,
        season_of=season_of,
        ordinal_of=ordinal_of,
        month_day=month_day,
        day=_b(_alts(day_of)),
        day_of=day_of,
        weekday=_b(weekday_re),
        weekday_of=weekday_of,
        next_words=frozenset(next_words),
        part=_b(_alts(part_of)),
        part_of=part_of,
        idioms=idioms,
        hour_word=hour_word,
        prefixed_time=prefixed_time,
        prefixed_word=prefixed_word,
        unit_time=unit_time,
        filler=_b(_alts([*_table(language, FILLER), *prefix.split("|")])),
    )


# --- the pieces of a phrase --------------------------------------------------------------------


@dataclass
class _Found:
    """What was read so far; `dates` may hold two readings (asked back)."""

    dates: list[date] = field(default_factory=list)
    moment: datetime | None = None  # "in 2 hours": exact
    weekday: int | None = None
    week_offset: int | None = None  # a weekday inside "next week"
    times: list[tuple[int, int]] = field(default_factory=list)
    explicit_hour: bool = False  # 24-hour or am/pm: no 3:00/15:00 question
    part: str | None = None
    bad: bool = False  # something contradictory or impossible
    far: bool = False  # a duration beyond any bound ("in 500 years")
    coarse: bool = False  # the date stands for a period ("early May"): a bare number is no hour


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end() :]


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _solar(year: int, month: int, day: int) -> date | None:
    try:
        return jdatetime.date(year, month, day).togregorian()  # type: ignore[no-any-return]
    except (ValueError, OverflowError):
        return None


def _solar_month_end(year: int, month: int) -> date | None:
    for day in (31, 30, 29):
        found = _solar(year, month, day)
        if found is not None:
            return found
    return None


def _relative(text: str, rules: _Rules, f: _Found, today: date, local_now: datetime) -> str:
    match = rules.half_hour.search(text)
    if match:
        f.moment = local_now + timedelta(minutes=30)
        return _cut(text, match)
    for pattern in rules.relative:
        match = pattern.search(text)
        if not match:
            continue
        raw_n = match.group("n")
        count = 1 if raw_n is None else (int(raw_n) if raw_n.isdigit() else rules.number.get(raw_n, 0))
        unit = rules.unit.get(re.sub(r"\s+", " ", match.group("u")))
        if not count or unit is None:
            continue
        days = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 31, "year": 366}[unit] * count
        if days > 366 * (YEARS_AHEAD + 1):
            f.far = True
        elif unit in ("minute", "hour"):
            f.moment = local_now + (timedelta(minutes=count) if unit == "minute" else timedelta(hours=count))
        elif unit in ("month", "year"):
            f.dates = [_add_months(today, count * (12 if unit == "year" else 1))]
        else:
            f.dates = [today + timedelta(days=count * (7 if unit == "week" else 1))]
        return _cut(text, match)
    return text


_ISO = re.compile(r"(?<![\d.:/])(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})\.?(?![\d:])")
_DMY = re.compile(r"(?<![\d.:/])(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})\.?(?![\d:])")
_DM_DOT = re.compile(r"(?<![\d.:/])(\d{1,2})\.\s?(\d{1,2})\.(?![\d:])")
_DM_SLASH = re.compile(r"(?<![\d.:/])(\d{1,2})\s*/\s*(\d{1,2})(?![\d:/])")
_AMBIGUOUS = re.compile(r"(?<![\d.:/])(\d{1,2})\.(\d{1,2})(?![\d:]|\.\d)")


def _rolled(found: date | None, today: date, year_given: bool) -> date | None:
    """A day and month without a year: this year's, or next year's once it has passed."""
    if found is None or year_given or found >= today:
        return found
    return _safe_date(found.year + 1, found.month, found.day)


def _numeric(text: str, f: _Found, today: date, language: str) -> str:
    match = _ISO.search(text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        found = _solar(year, month, day) if 1200 <= year < 1600 else _safe_date(year, month, day)
        f.dates = [found] if found else []
        f.bad = f.bad or found is None
        return _cut(text, match)
    match = _DMY.search(text)
    if match:
        a, b, raw_year = int(match.group(1)), int(match.group(3)), match.group(4)
        year = int(raw_year) + (2000 if len(raw_year) == 2 else 0)
        if 1200 <= year < 1600:
            readings = [_solar(year, b, a)]
        elif language == "en" and match.group(2) == "/":
            readings = [_safe_date(year, b, a), _safe_date(year, a, b)]
        else:
            readings = [_safe_date(year, b, a)]
        f.dates = list(dict.fromkeys(d for d in readings if d is not None))
        f.bad = f.bad or not f.dates
        return _cut(text, match)
    match = _DM_DOT.search(text)
    if match:
        found = _rolled(_safe_date(today.year, int(match.group(2)), int(match.group(1))), today, False)
        f.dates = [found] if found else []
        f.bad = f.bad or found is None
        return _cut(text, match)
    match = _DM_SLASH.search(text)
    if match:
        a, b = int(match.group(1)), int(match.group(2))
        pairs = [(b, a), (a, b)] if language == "en" else [(b, a)]
        if language == "fa":  # "۲۰/۲": a Solar Hijri day and month
            solar_today = jdatetime.date.fromgregorian(date=today)
            readings = [_solar(solar_today.year, b, a)]
            if readings[0] is not None and readings[0] < today:
                readings = [_solar(solar_today.year + 1, b, a)]
        else:
            readings = [_rolled(_safe_date(today.year, m, d), today, False) for m, d in pairs]
        f.dates = list(dict.fromkeys(d for d in readings if d is not None))
        f.bad = f.bad or not f.dates
        return _cut(text, match)
    return text


def _period_date(
    spec: tuple[str, int], part: str | None, today: date, explicit: bool, language: str = "en"
) -> date | None:
    """The day a part of a week, month, quarter or year stands for: early -> first day, mid ->
    middle, end -> last (a week's: Monday, Wednesday, Friday); "after" -> the day after it ends.
    In Persian the week starts on Saturday (its end is Wednesday) and months and quarters (فصل)
    are those of the Solar Hijri calendar."""
    unit, offset = spec
    if language == "fa" and unit in ("month", "quarter"):
        return _solar_period(unit, offset, part, today, explicit)
    if unit == "week":
        first_day = 5 if language == "fa" else 0  # Saturday, Monday
        monday = today - timedelta(days=(today.weekday() - first_day) % 7) + timedelta(weeks=offset)
        # The end of a Persian week (آخر هفته) is Thursday, the start of the Iranian weekend.
        pick = {"early": 0, "mid": 2, "end": 5 if language == "fa" else 4, "after": 7}.get(part or "", None)
        if pick is None:
            return monday if offset else None
        day = monday + timedelta(days=pick)
        if day < today and not explicit:
            day += timedelta(weeks=1)
        return day
    if unit == "month":
        first = _add_months(today.replace(day=1), offset)
        candidates = [first, _add_months(first, 1)] if not explicit else [first]
        for start in candidates:
            found = _part_of_range(start, _last_day(start.year, start.month), part, offset)
            if found is not None and (found >= today or explicit):
                return found
        return None
    if unit == "quarter":
        q0 = (today.month - 1) // 3 + offset
        start = date(today.year + q0 // 4, (q0 % 4) * 3 + 1, 1)
        candidates = [start, _add_months(start, 3)] if not explicit else [start]
        for first in candidates:
            last = _last_day(_add_months(first, 2).year, _add_months(first, 2).month)
            found = _part_of_range(first, last, part, offset)
            if found is not None and (found >= today or explicit):
                return found
        return None
    if unit == "year":
        first = date(today.year + offset, 1, 1)
        return _part_of_range(first, date(first.year, 12, 31), part, offset)
    if unit == "solar_year":
        solar_year = jdatetime.date.fromgregorian(date=today).year + offset
        new_year = _solar(solar_year, 1, 1)
        year_end = _solar_month_end(solar_year, 12)
        if new_year is None or year_end is None:
            return None
        return _part_of_range(new_year, year_end, part, offset)
    return None


def _solar_period(unit: str, offset: int, part: str | None, today: date, explicit: bool) -> date | None:
    """A part of this (or the next) Solar Hijri month or season."""
    solar = jdatetime.date.fromgregorian(date=today)
    months = 1 if unit == "month" else 3
    first_month = solar.month if unit == "month" else 3 * ((solar.month - 1) // 3) + 1
    for step in (offset, offset + 1) if not explicit else (offset,):
        index = solar.year * 12 + first_month - 1 + step * months
        year, month = divmod(index, 12)
        first = _solar(year, month + 1, 1)
        end_index = index + months - 1
        last = _solar_month_end(end_index // 12, end_index % 12 + 1)
        if first is None or last is None:
            return None
        found = _part_of_range(first, last, part, step)
        if found is not None and (found >= today or explicit):
            return found
    return None


def _part_of_range(first: date, last: date, part: str | None, offset: int) -> date | None:
    if part == "early":
        return first
    if part == "mid":
        # A month's middle is its 15th day (a Solar Hijri month starts mid-way through a Gregorian one).
        return first + (last - first) / 2 if (last - first).days > 40 else first + timedelta(days=14)
    if part == "end":
        return last
    if part == "after":
        return last + timedelta(days=1)
    return first if offset else None


def _block(first: date, months: int, part: str | None, today: date, year_given: bool) -> date | None:
    """A part of a block of months starting on `first` (rolled a year on once it has passed)."""
    for shift in (0, 12) if not year_given else (0,):
        start = _add_months(first, shift)
        end_month = _add_months(start, months - 1)
        last = _last_day(end_month.year, end_month.month)
        found = _part_of_range(start, last, part or "early", 0)
        if found is not None and found >= today:
            return found
    return None


def _solar_block(year: int, month: int, months: int, part: str | None, today: date, year_given: bool) -> date | None:
    for shift in (0, 1) if not year_given else (0,):
        first = _solar(year + shift, month, 1)
        last_month = month + months - 1
        last = _solar_month_end(year + shift + (last_month - 1) // 12, (last_month - 1) % 12 + 1)
        if first is None or last is None:
            return None
        found = _part_of_range(first, last, part or "early", 0)
        if found is not None and found >= today:
            return found
    return None


def _periods(text: str, rules: _Rules, f: _Found, today: date, language: str) -> str:
    match = rules.period.search(text)
    if not match:
        return text
    raw_part = match.group("part")
    part = rules.part_of_period.get(re.sub(r"\s+", " ", raw_part)) if raw_part else None
    year = int(match.group("year")) if match.group("year") else None
    found: date | None = None
    ordinal = match.group("ordinal") or match.group("ordinal_after")
    if match.group("q") or ordinal:
        quarter = rules.ordinal_of[ordinal] if ordinal else int(re.sub(r"\D", "", match.group("q"))[:1])
        if language == "fa" and ordinal:
            # A Persian "فصل دوم" is a season of the Solar Hijri year: the second is Tir to Shahrivar.
            solar_today = jdatetime.date.fromgregorian(date=today)
            found = _solar_block(year or solar_today.year, 3 * quarter - 2, 3, part, today, year is not None)
        else:
            first = date(year or today.year, 3 * quarter - 2, 1)
            found = _block(first, 3, part, today, year is not None)
    else:
        anchor = re.sub(r"\s+", " ", match.group("anchor"))
        if anchor in rules.period_of:
            if year is not None:
                return text  # "week 2026": not a phrase reps use
            spec = rules.period_of[anchor]
            if part is None and spec[1] == 0:
                return text  # "this week" alone names no day
            found = _period_date(
                spec, part, today, explicit=spec[1] != 0 or "this" in match.group(0), language=language
            )
            if part is None and spec[0] == "week":  # "next week": a weekday may follow
                f.week_offset = spec[1]
        elif anchor in rules.month_of:
            if anchor == "may" and part is None and year is None and not re.search(r"(?<!\w)in\s+may", text):
                return text  # "may" alone is the verb more often than the month
            first = date(year or today.year, rules.month_of[anchor], 1)
            if part is None and year is None and first.month == today.month:
                f.bad = True  # "in January" in January: this month or next year's?
                return _cut(text, match)
            found = _block(first, 1, part, today, year is not None)
        elif anchor in rules.solar_of:
            solar_today = jdatetime.date.fromgregorian(date=today)
            found = _solar_block(year or solar_today.year, rules.solar_of[anchor], 1, part, today, year is not None)
        elif anchor in rules.season_of:
            season = rules.season_of[anchor]
            if language == "fa":
                solar_today = jdatetime.date.fromgregorian(date=today)
                if season == 4:  # Nowruz: the holidays end on the 13th of Farvardin
                    start = _solar(solar_today.year + 1, 1, 1)
                    found = _solar(solar_today.year + 1, 1, 14 if part == "after" else 1)
                    if start is not None and _solar(solar_today.year, 1, 14 if part == "after" else 1) is not None:
                        this_year = _solar(solar_today.year, 1, 14 if part == "after" else 1)
                        if this_year is not None and this_year >= today:
                            found = this_year
                else:
                    found = _solar_block(solar_today.year, season * 3 + 1, 3, part, today, year is not None)
                    if found is None:
                        found = _solar_block(solar_today.year + 1, season * 3 + 1, 3, part, today, year is not None)
            else:
                first = date(year or today.year, season * 3 + 3 if season < 3 else 12, 1)
                found = _block(first, 3, part, today, year is not None)
                if found is None and year is None:
                    found = _block(_add_months(first, -12), 3, part, today, False)
    if found is None:
        f.bad = True
    else:
        f.dates, f.coarse = [found], True
    return _cut(text, match)


def _month_days(text: str, rules: _Rules, f: _Found, today: date) -> str:
    for pattern in rules.month_day:
        match = pattern.search(text)
        if not match:
            continue
        day = int(match.group("d"))
        name = re.sub(r"\s+", " ", match.group("m"))
        year = int(match.group("y")) if match.group("y") else None
        if name in rules.solar_of:
            solar_today = jdatetime.date.fromgregorian(date=today)
            found = _solar(year or solar_today.year, rules.solar_of[name], day)
            if found is not None and year is None and found < today:
                found = _solar(solar_today.year + 1, rules.solar_of[name], day)
        elif year is not None and 1200 <= year < 1600:
            found = None
        else:
            found = _rolled(_safe_date(year or today.year, rules.month_of[name], day), today, year is not None)
        if found is None:
            f.bad = True
        else:
            f.dates = [found]
        return _cut(text, match)
    return text


def _days(text: str, rules: _Rules, f: _Found, today: date) -> str:
    match = rules.day.search(text)
    if not match:
        return text
    offset, part = rules.day_of[re.sub(r"\s+", " ", match.group(0))]
    f.dates = [today + timedelta(days=offset)]
    if part is not None:
        f.part = part
    return _cut(text, match)


def _weekdays(text: str, rules: _Rules, f: _Found, today: date) -> str:
    match = rules.weekday.search(text)
    if not match:
        return text
    wanted = rules.weekday_of[re.sub(r"\s+", " ", match.group("wd"))]
    mod = match.group("mod")
    post = match.groupdict().get("post")
    is_next = (mod is not None and re.sub(r"\s+", " ", mod) in rules.next_words) or post is not None
    ahead = (wanted - today.weekday()) % 7
    if is_next and ahead and wanted > today.weekday():
        # "next Friday" on a Wednesday: this week's or the one after? Ask.
        options = [today + timedelta(days=ahead), today + timedelta(days=ahead + 7)]
    elif is_next:
        options = [today + timedelta(days=ahead or 7)]
    elif ahead == 0 and mod is not None and re.sub(r"\s+", " ", mod) not in rules.next_words:
        options = [today]  # "this Wednesday" on a Wednesday
    elif ahead == 0:
        options = [today, today + timedelta(days=7)]  # dropped to one when today's has passed
    else:
        options = [today + timedelta(days=ahead)]
    f.weekday = wanted
    if f.week_offset is None and not f.dates:
        f.dates = options  # otherwise the week or the date decides, and must agree
    return _cut(text, match)


def _parts(text: str, rules: _Rules, f: _Found) -> str:
    match = rules.part.search(text)
    if not match:
        return text
    part = rules.part_of[re.sub(r"\s+", " ", match.group(0))]
    if f.part is not None and f.part != part:
        if {f.part, part} <= {"evening", "night"}:
            return _cut(text, match)  # "tonight in the evening"
        f.bad = True
    f.part = part
    return _cut(text, match)


def _set_time(f: _Found, hour: int, minute: int, explicit: bool) -> None:
    if f.times or hour > 23 or minute > 59:
        f.bad = True
        return
    f.times = [(hour, minute)]
    f.explicit_hour = explicit


def _hour(raw: str, rules: _Rules) -> int | None:
    raw = re.sub(r"\s+", " ", raw)
    return int(raw) if raw.isdigit() else rules.hour_word.get(raw)


_AMPM = re.compile(r"(?<![\d:.])(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)(?!\w)")
_COLON = re.compile(r"(?<![\d:.])(\d{1,2})\s*:\s*(\d{2})(?![\d:])")


def _times(text: str, rules: _Rules, f: _Found) -> str:
    match = _AMPM.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12:
            f.bad = True
        pm = match.group(3).startswith("p")
        _set_time(f, hour % 12 + (12 if pm else 0), minute, True)
        return _cut(text, match)
    for pattern, minute, shift in rules.idioms:
        match = pattern.search(text)
        if match:
            named = _hour(match.group("h"), rules)
            if named is None or not 1 <= named <= 12:
                f.bad = True
                return _cut(text, match)
            _set_time(f, (named + shift - 1) % 12 + 1, minute, False)
            return _cut(text, match)
    for pattern in (rules.prefixed_time, rules.unit_time):
        match = pattern.search(text)
        if match:
            raw = match.group("h")
            minute = int(match.group("m") or match.groupdict().get("m2") or 0)
            hour = int(raw)
            ap = match.groupdict().get("ap")
            if ap:
                hour = hour % 12 + (12 if ap.startswith("p") else 0)
            _set_time(f, hour, minute, bool(ap) or raw.startswith("0") or hour == 0 or hour > 12)
            return _cut(text, match)
    match = _COLON.search(text)
    if match:
        raw = match.group(1)
        hour = int(raw)
        _set_time(f, hour, int(match.group(2)), raw.startswith("0") or hour == 0 or hour > 12)
        return _cut(text, match)
    match = rules.prefixed_word.search(text)
    if match:
        word_hour = _hour(match.group("h"), rules)
        if word_hour is not None:
            _set_time(f, word_hour, 0, False)
            return _cut(text, match)
    return text


def _only_filler(rest: str, rules: _Rules) -> bool:
    return not rules.filler.sub(" ", rest).replace("-", " ").replace("@", " ").strip(" .!?:/")


_BARE_HOUR = re.compile(r"^\s*(\d{1,2})\s*$")


def _read_pieces(text: str, rules: _Rules, today: date, local_now: datetime, language: str) -> list[_Found]:
    """Every reading of the pieces (two when "14.11" may be a date or a time); [] when the text
    is not a date phrase at all."""
    f = _Found()
    text = _relative(text, rules, f, today, local_now)
    text = _numeric(text, f, today, language)
    had_date = bool(f.dates) or f.moment is not None
    if not had_date:
        text = _month_days(text, rules, f, today)
        if not f.dates and not f.bad:
            text = _periods(text, rules, f, today, language)
    if not f.dates and f.moment is None:
        text = _days(text, rules, f, today)
    text = _weekdays(text, rules, f, today)
    text = _times(text, rules, f)
    text = _parts(text, rules, f)
    if f.bad:
        return []
    if f.far:
        return [f] if _only_filler(text, rules) else []
    readings = [f]
    ambiguous = _AMBIGUOUS.search(text)
    if ambiguous:
        text = _cut(text, ambiguous)
        a, b = int(ambiguous.group(1)), int(ambiguous.group(2))
        as_date = _rolled(_safe_date(today.year, b, a), today, False)
        as_time = (a, b) if a <= 23 and b <= 59 and len(ambiguous.group(2)) == 2 else None
        has_date = bool(f.dates) or f.weekday is not None or f.moment is not None
        readings = []
        if as_time is not None and not f.times and (has_date or f.part is not None or as_date is None):
            readings.append(_with_time(f, as_time, explicit=a > 12 or a == 0 or ambiguous.group(1).startswith("0")))
        elif not has_date and as_date is not None:
            if f.times or f.part is not None:
                readings.append(_with_dates(f, [as_date]))
            else:
                readings.append(_with_dates(f, [as_date]))
                if as_time is not None:
                    readings.append(_with_time(f, as_time, explicit=True))
        if not readings:
            return []
    if not _only_filler(text, rules):
        # "sutra 10", "friday 15", "8 navečer": a bare hour next to a day or a part of the day.
        bare = _BARE_HOUR.match(rules.filler.sub(" ", text))
        if bare is None or len(readings) > 1:
            return []
        f = readings[0]
        has_day = bool(f.dates) or f.weekday is not None or f.part is not None
        hour = int(bare.group(1))
        if not has_day or f.coarse or f.times or f.moment is not None or hour > 23:
            return []  # "15 اسفند" read as a month and an hour would be silently wrong
        readings = [_with_time(f, (hour, 0), explicit=hour > 12 or hour == 0 or bare.group(1).startswith("0"))]
    return readings


def _with_time(f: _Found, hm: tuple[int, int], explicit: bool) -> _Found:
    return _Found(
        dates=list(f.dates),
        moment=f.moment,
        weekday=f.weekday,
        week_offset=f.week_offset,
        times=[hm],
        explicit_hour=explicit,
        part=f.part,
    )


def _with_dates(f: _Found, days: list[date]) -> _Found:
    return _Found(
        dates=days,
        moment=f.moment,
        weekday=f.weekday,
        week_offset=f.week_offset,
        times=list(f.times),
        explicit_hour=f.explicit_hour,
        part=f.part,
    )


def _hours_for(f: _Found) -> list[tuple[int, int]] | None:
    """The clock times meant: a part of the day turns "8" into 20:00; "u 3" alone is 3:00 or 15:00."""
    if not f.times:
        if f.part is None:
            return []
        return [(PART_HOURS[f.part], 0)]
    hour, minute = f.times[0]
    if f.part is None:
        if not f.explicit_hour and 1 <= hour <= 6:
            return [(hour, minute), (hour + 12, minute)]
        return [(hour, minute)]
    part = f.part
    if part in ("first", "morning"):
        return [(hour, minute)] if 5 <= hour <= 11 else None
    if part == "noon":
        if hour in (11, 12, 13, 14):
            return [(hour, minute)]
        return [(hour + 12, minute)] if hour in (1, 2) else None
    if part in ("afternoon", "late", "eod"):
        if 12 <= hour <= 19:
            return [(hour, minute)]
        return [(hour + 12, minute)] if 1 <= hour <= 7 else None
    if part == "evening":
        if 17 <= hour <= 23:
            return [(hour, minute)]
        return [(hour + 12, minute)] if 5 <= hour <= 11 else None
    # night
    if 19 <= hour <= 23:
        return [(hour, minute)]
    return [(hour + 12, minute)] if 7 <= hour <= 11 else None


def _resolve(f: _Found, today: date, local_now: datetime, tz: ZoneInfo) -> list[When] | None:
    """The moments a reading names (several: ask back); None when it names none."""
    if f.moment is not None:
        if f.times or f.part is not None or f.weekday is not None:
            return None
        return [When(at=f.moment, has_time=True, past=f.moment <= local_now)]
    days = list(f.dates)
    if f.weekday is not None:
        if f.week_offset is not None:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=f.week_offset)
            days = [monday + timedelta(days=f.weekday)]
        elif any(day.weekday() != f.weekday for day in days):
            return None  # "Friday 20.1." when the 20th is a Monday
    hours = _hours_for(f)
    if hours is None:
        return None
    has_time = bool(hours)
    if not days:
        if not hours:
            return None
        # A time alone ("at 16", "this evening"): today if still ahead, else tomorrow.
        options = []
        for hour, minute in hours:
            at = datetime.combine(today, time(hour, minute), tz)
            if at <= local_now:
                at = datetime.combine(today + timedelta(days=1), time(hour, minute), tz)
            options.append(at)
    else:
        clock = hours or [(DEFAULT_HOUR, 0)]
        options = [datetime.combine(day, time(h, m), tz) for day in days for h, m in clock]
    part = f.part if f.part is not None and (not f.times or hours) else None
    whens = [When(at=at, has_time=has_time, past=at <= local_now, part=part) for at in dict.fromkeys(options)]
    if len(whens) > 1:
        ahead = [w for w in whens if not w.past]
        whens = ahead or whens[:1]
    return whens


def _in_bounds(day: date, today: date) -> OutOfBounds | None:
    if day < EARLIEST:
        return OutOfBounds(at=day, too_far=False)
    latest = _safe_date(today.year + YEARS_AHEAD, today.month, today.day) or date(today.year + YEARS_AHEAD, 2, 28)
    if day > latest:
        return OutOfBounds(at=day, too_far=True)
    return None


def latest_day(today: date) -> date:
    """The last day a date may name (ten years ahead)."""
    return _safe_date(today.year + YEARS_AHEAD, today.month, today.day) or date(today.year + YEARS_AHEAD, 2, 28)


def within_bounds(moment: datetime, now: datetime) -> bool:
    """Whether a moment (a button's, a stored one) is one the reader could have given."""
    return EARLIEST <= moment.date() and moment.date() <= latest_day(now.date()) + timedelta(days=1)


# Weekday abbreviations that are also other words ("po" after, "ne" no, "pet" five), read as the
# weekday when a day of the month follows (as in the bot's own "so 18. ledna v 15:30").
_SHORT_WEEKDAYS = {
    language: re.compile(rf"(?<!\w)({words})\s+(?=\d{{1,2}}\.?\s)")
    for language, words in {"cs": "po|ut|st|ct|pa|so|ne", "hr": "pon|uto|sri|cet|pet|sub|ned", "mk": "пет|нед"}.items()
}
_BIG_YEAR = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{5,})(?!\d)|(?<!\d)(\d{5,})[./-]\d{1,2}[./-]\d{1,2}")


def _read(cleaned: str, language: str, tz: ZoneInfo, local_now: datetime) -> Reading | None:
    today = local_now.date()
    rules = _rules(language)
    found = _read_pieces(cleaned, rules, today, local_now, language)
    if any(reading.far for reading in found):
        return OutOfBounds(at=date.max, too_far=True)
    whens: list[When] = []
    for reading in found:
        resolved = _resolve(reading, today, local_now, tz)
        if resolved is None:
            return None
        whens += resolved
    whens = list({w.at: w for w in whens}.values())
    if not whens:
        return None
    bounded = [w for w in whens if _in_bounds(w.at.date(), today) is None]
    if not bounded:
        return _in_bounds(whens[0].at.date(), today)
    if len(bounded) > 1:
        ahead = [w for w in bounded if not w.past]
        bounded = ahead or bounded[:1]
    return bounded[0] if len(bounded) == 1 else Ambiguous(options=tuple(bounded))


def read_when(text: str, *, language: str, zone: str, now: datetime) -> Reading | None:
    """What `text` names, in `zone`: a moment, two readings to ask back, a date out of bounds; or
    None when it names none (or is too long to be a date)."""
    if not text or len(text) > MAX_LENGTH:
        return None
    language = language if language in LANGUAGES else "en"
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    cleaned = fold(normalise(text))
    if language in _SHORT_WEEKDAYS:  # "so 18. ledna", "pet 4. prosinca": the weekday, not "so"/"five"
        cleaned = _SHORT_WEEKDAYS[language].sub(r"\1. ", cleaned)
    if not cleaned or cleaned.isdigit():
        return None  # a bare number is not a date ("10" is not October)
    if _BIG_YEAR.search(cleaned):
        return OutOfBounds(at=date.max, too_far=True)
    reading = _read(cleaned, language, tz, local_now)
    if reading is None and language == "mk" and re.search("[a-z]", cleaned):
        reading = _read(fold(_mk_cyrillic(normalise(text))), language, tz, local_now)
    return reading


def parse_when(text: str, *, language: str, zone: str, now: datetime) -> When | None:
    """The one moment `text` names, or None (unreadable, ambiguous or out of bounds)."""
    reading = read_when(text, language=language, zone=zone, now=now)
    return reading if isinstance(reading, When) else None


def warm_up() -> None:
    """Compile each language's rules once, so the first rep does not wait for it."""
    now = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo("UTC"))
    for language in LANGUAGES:
        read_when("tomorrow 10", language=language, zone="UTC", now=now)


UNKNOWN_YEAR = 1904  # a leap year, so 29 February fits; shown without a year


@cache
def _solar_month_numbers() -> dict[str, int]:
    return {w: i + 1 for i, words in enumerate(SOLAR_MONTHS) for w in _words(words)}


def parse_birthday(text: str) -> date | None:
    """ "12.5.1980", "12. 5.", "1980-05-12", "12/05" -> a date (year 1904 when not given); in the
    Solar Hijri calendar as Iranians know their birthdays: "1359/2/22", "22 اردیبهشت 1359"."""
    text = normalise(text or "")[:40]
    match = re.fullmatch(r"(\d{4})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if 1200 <= year < 1500:
            return _solar(year, month, day)
    else:
        named = re.fullmatch(r"(\d{1,2})\s+(\S+)\s+(\d{4})", text)
        months = _solar_month_numbers()
        if named and fold(named.group(2)) in months and 1200 <= int(named.group(3)) < 1500:
            return _solar(int(named.group(3)), months[fold(named.group(2))], int(named.group(1)))
        match = re.fullmatch(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]?\s*(\d{4})?\.?", text)
        if not match:
            return None
        day, month = int(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else UNKNOWN_YEAR
    try:
        return date(year, month, day)
    except ValueError:
        return None


def solar(day: date) -> tuple[int, int, int]:
    """A Gregorian day in the Solar Hijri calendar: (year, month, day)."""
    found = jdatetime.date.fromgregorian(date=day)
    return found.year, found.month, found.day
