"""Translations: gettext catalogues managed with Babel, one translator per update.

The `.po` files in `bot/locales/<lang>/LC_MESSAGES/messages.po` are the source of truth; they
are compiled in memory when the bot starts, so there is no build step to forget.
Message ids are English; every call site uses `t("...")` or `t.plural("...", "...", n)` so that
`pybabel extract` finds them (see the Makefile's `messages` target).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime
from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"

# The languages the product is made for, with their names as their speakers write them.
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "hr": "Hrvatski",
    "cs": "Čeština",
    "pl": "Polski",
    "mk": "Македонски",
    "fa": "فارسی",
}


FSI, PDI = "\u2068", "\u2069"  # Unicode first-strong isolate and pop directional isolate
LRI = "\u2066"  # left-to-right isolate
COMMAND = re.compile(r"(?<![\w/:.<\"'=@-])/[a-z][a-z_]*\b")


class Safe(str):
    """A parameter that is already HTML and must not be escaped again."""


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class Translator:
    """Translates and formats for one language. Parameters are HTML-escaped unless `Safe`."""

    def __init__(self, language: str, translations: NullTranslations) -> None:
        self.language = language
        self._tr = translations
        self.locale = Locale.parse(language)
        self.rtl = self.locale.character_order == "right-to-left"
        self.persian = language == "fa"
        # Babel formats with Latin digits; Persian readers expect their own (۰-۹).
        native = self.locale.default_numbering_system
        # What "now" is, for "this year" in dates (a fixed moment in golden-file tests).
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self._digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹" if native == "arabext" else "0123456789")

    def __call__(self, message: str, **params: Any) -> str:
        return self._format(self._tr.gettext(message), params)

    def plural(self, singular: str, plural: str, n: int, **params: Any) -> str:
        return self._format(self._tr.ngettext(singular, plural, n), {"n": n, **params})

    def _format(self, text: str, params: Mapping[str, Any]) -> str:
        if self.rtl:
            # A /command inside right-to-left text keeps its slash in front ("/lead", not "lead/").
            text = COMMAND.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)
        if not params:
            return text
        return text.format(**{k: self._escape(v) for k, v in params.items()})

    def _escape(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float | Decimal):
            value = self.number(value)
        elif isinstance(value, str) and not isinstance(value, Safe):
            value = html.escape(value, quote=False)
        if not isinstance(value, str) or not value:
            return value
        # In right-to-left text, isolate each inserted value so that a Latin name, an e-mail
        # or a phone number keeps its own direction and does not scramble the sentence.
        return f"{FSI}{value}{PDI}" if self.rtl else value

    def localise(self, text: str) -> str:
        """Digits (and the percent sign) as the reader writes them: Persian ones for Persian."""
        if not self.persian:
            return text
        return text.translate(self._digits).replace("%", "٪").replace("\u200e", "")

    def number(self, value: float | Decimal | int, fmt: str | None = None) -> str:
        """A number with the locale's separators and digits ("3,5", "۳٫۵")."""
        return self.localise(numbers.format_decimal(value, format=fmt, locale=self.locale, numbering_system="default"))

    def percent(self, value: float | None) -> str:
        """A share as a whole percentage ("67 %", "۶۷٪"); "–" when there is none."""
        if value is None:
            return "–"
        shown = numbers.format_percent(
            value, format=PERCENT_PATTERNS.get(self.language), locale=self.locale, numbering_system="default"
        )
        return self.localise(shown)

    def datetime(self, value: dt.datetime, zone: str) -> str:
        """A moment with its date and time, the year always (exports, invitations, last seen):
        "December 4, 2026, 3:00 PM", "4. prosinca 2026. u 15:00"."""
        value, zone = _renderable(value, zone)
        local = value.astimezone(ZoneInfo(zone))
        if self.persian:
            return self._joined(self._solar_day(local.date(), weekday=False, year=True), self._clock(local))
        return self._joined(self._skeleton("yMMMMd", local), self._clock(local))

    def _skeleton(self, skeleton: str, value: dt.date | dt.datetime) -> str:
        text = dates.format_skeleton(skeleton, value, locale=self.locale)
        if self.language == "mk":  # CLDR's "2026 г" (without its dot): Macedonian text writes the year alone
            text = re.sub(r"[\s\u202f]г\.?$", "", text)
        return text

    def when(self, value: dt.datetime, zone: str, home: str | None = None) -> str:
        """A moment as reps read it: "Fri, December 4, 3:00 PM" / "petak, 4. prosinca u 15:00", the
        year only when it is not this year, no seconds; the zone ("UTC+1") only when it is not
        `home`, the rep's own. A Persian reader gets the Solar Hijri date in Persian digits."""
        value, shown_zone = _renderable(value, zone)
        local = value.astimezone(ZoneInfo(shown_zone))
        this_year = self.clock().astimezone(ZoneInfo(shown_zone)).date()
        if self.persian:
            day = self._solar_day(local.date(), year=solar_date(local.date())[0] != solar_date(this_year)[0])
        else:
            day = self._weekday_date(local, year=local.year != this_year.year)
        text = self._joined(day, self._clock(local))
        if home is not None and home != zone or shown_zone != zone:
            text += f" ({self.localise(utc_offset(local))})"
        return text

    def _clock(self, local: dt.datetime) -> str:
        pattern = TIME_PATTERNS.get(self.language, "short")
        return self.localise(dates.format_time(local, pattern, locale=self.locale))

    def _joined(self, day: str, clock: str) -> str:
        # Translators: a day and a time of day: "Fri, December 4, 3:00 PM". Word it so that the
        # day stands as it is (nominative) and the time reads naturally ("u 15:00", "v 15:00").
        return self(N_("{day}, {time}"), day=Safe(day), time=Safe(clock)).replace(FSI, "").replace(PDI, "")

    def day(self, value: dt.date) -> str:
        """A date without a time ("Fri, November 14, 2025"). A Persian reader gets the Solar Hijri
        date with the Gregorian one beside it (for a partner abroad)."""
        if self.persian:
            gregorian = self.localise(self._skeleton("yMMMMd", value))
            return f"{self._solar_day(value, year=True)} ({gregorian})"
        return self._weekday_date(value, year=True)

    def _weekday_date(self, value: dt.date, *, year: bool) -> str:
        """ "Fri, December 4", "petak, 4. prosinca 2026.": the weekday, the day and the month."""
        if self.language in WEEKDAY_DATES:
            return dates.format_date(value, WEEKDAY_DATES[self.language][year], locale=self.locale)
        return self._skeleton("yMMMMEd" if year else "MMMMEd", value)

    def _solar_day(self, value: dt.date, *, weekday: bool = True, year: bool = False) -> str:
        """ "چهارشنبه ۱۲ آذر ۱۴۰۵": weekday, day, Solar Hijri month, year."""
        solar_year, month, day = solar_date(value)
        parts = [dates.format_date(value, "EEEE", locale=self.locale)] if weekday else []
        parts += [str(day), SOLAR_MONTH_NAMES[month - 1]] + ([str(solar_year)] if year else [])
        return self.localise(" ".join(parts))

    def join(self, items: Iterable[str]) -> str:
        """Items one after another ("A, B"; "الف، ب" in Persian)."""
        return ("، " if self.persian else ", ").join(items)

    def clauses(self, items: Iterable[str]) -> str:
        """Parts of a line set apart by semicolons ("A; B"; "الف؛ ب" in Persian)."""
        return ("؛ " if self.persian else "; ").join(items)

    def date(self, value: dt.date, fmt: str = "medium") -> str:
        """A date alone: "short" (notes, history: "4. 12. 2026."), otherwise the month in words
        ("4. prosinca 2026.")."""
        if self.persian:
            if fmt == "short":
                return self.localise("{}/{}/{}".format(*solar_date(value)))
            return self._solar_day(value, weekday=False, year=True)
        if fmt == "short":
            return dates.format_date(value, format=SHORT_DATES.get(self.language, "short"), locale=self.locale)
        return self._skeleton("yMMMMd", value)

    def period(self, first: dt.date, last: dt.date) -> tuple[str, str]:
        """The two ends of a period, the year written once when it is the same:
        ("16. studenoga", "22. studenoga 2026.")."""
        if first == last:
            return self.date(first), self.date(last)
        if self.persian:
            same_year = solar_date(first)[0] == solar_date(last)[0]
            return self._solar_day(first, weekday=False, year=not same_year), self.date(last)
        if first.year == last.year:
            return self._skeleton("MMMMd", first), self.date(last)
        return self.date(first), self.date(last)

    def month(self, value: dt.date) -> str:
        """A calendar month with its year ("December 2026", "prosinac 2026."); for a Persian reader
        the Solar Hijri days it spans."""
        if self.persian:  # the Solar Hijri days it spans: "۱۰ آذر تا ۱۰ دی ۱۴۰۵"
            first = value.replace(day=1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            return " تا ".join(self.period(first, last))
        return self.localise(self._skeleton("yMMMM", value))

    def day_month(self, value: dt.date) -> str:
        """ "12 May", "May 12", "12. svibnja": a date without its year, as the locale writes it."""
        if self.persian:
            _, month, day = solar_date(value)
            return self.localise(f"{day} {SOLAR_MONTH_NAMES[month - 1]}")
        return dates.format_skeleton("MMMMd", value, locale=self.locale)

    def time(self, value: dt.datetime, zone: str) -> str:
        value, zone = _renderable(value, zone)
        return self._clock(value.astimezone(ZoneInfo(zone)))

    def currency_name(self, currency: str) -> str:
        """ "euro", "česká koruna", "ریال ایران": a currency as the locale names it."""
        name = numbers.get_currency_name(currency, locale=self.locale)
        return name[:1].upper() + name[1:]

    def money(self, amount: Decimal, currency: str) -> str:
        """An amount in its currency as the reader writes it. Iranian rials are shown to a Persian
        reader in tomans (ten rials), the unit prices are spoken in: "۵۰۰ میلیون تومان"."""
        if self.persian and currency == "IRR":
            return self.localise(_tomans(amount / 10))
        whole = amount == amount.to_integral_value()
        pattern = str(self.locale.currency_formats["standard"].pattern).split(";")[0]
        text = numbers.format_currency(
            amount.to_integral_value() if whole else amount,
            currency,
            format=pattern.replace(".00", "") if whole or currency in WHOLE_UNITS else pattern,
            locale=self.locale,
            currency_digits=False,
            numbering_system="default",
        )
        return self.localise(text)


def _tomans(tomans: Decimal) -> str:
    """ "۵۰۰ میلیون تومان", "۱٫۵ میلیارد تومان", "۸۵۰٬۰۰۰ تومان": round millions and billions in
    words, as Iranians say prices."""
    for size, word in ((Decimal(10**9), "میلیارد"), (Decimal(10**6), "میلیون")):
        if tomans >= size and (tomans * 10 / size) == (tomans * 10 / size).to_integral_value():
            count = numbers.format_decimal(tomans / size, locale="fa", numbering_system="default")
            return f"{count} {word} تومان"
    whole = tomans.to_integral_value() if tomans == tomans.to_integral_value() else tomans
    return f"{numbers.format_decimal(whole, locale='fa', numbering_system='default')} تومان"


# Where reps write a time or a percentage otherwise than the locale data says: the hour without a
# leading zero ("u 8:00", not "u 08:00"), "40%" (not "40 %") in Macedonian.
TIME_PATTERNS = {"hr": "H:mm", "pl": "H:mm", "mk": "H:mm", "fa": "H:mm"}
PERCENT_PATTERNS = {"mk": "#,##0%"}
# The weekday in full where its short form is another word: Croatian "pet" is also "five".
WEEKDAY_DATES = {"hr": ("EEEE, d. MMMM", "EEEE, d. MMMM y.")}
# Numeric dates as written by hand: "4. 12. 2026." (not "04. 12. 2026."), "4. 12. 2026" (not
# "04.12.26"), "4.12.2026" (without "г.").
SHORT_DATES = {"hr": "d. M. y.", "cs": "d. M. y", "mk": "d.M.y"}

# Currencies whose amounts are never written with cents.
WHOLE_UNITS = frozenset({"IRR", "MKD"})


SOLAR_MONTH_NAMES = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip


def solar_date(value: dt.date) -> tuple[int, int, int]:
    """A Gregorian day in the Solar Hijri calendar: (year, month, day)."""
    found = jdatetime.date.fromgregorian(date=value)
    return int(found.year), int(found.month), int(found.day)


def utc_offset(value: dt.datetime) -> str:
    """ "UTC+1", "UTC+3:30", "UTC": a zone as short as it gets."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def _renderable(value: dt.datetime, zone: str) -> tuple[dt.datetime, str]:
    """A stored moment near the ends of the calendar cannot be moved to every zone (year 9999 east
    of UTC overflows): such a moment is shown in UTC rather than not at all."""
    try:
        value.astimezone(ZoneInfo(zone))
    except (OverflowError, ValueError):
        return value, "UTC"
    return value, zone


def _load_po(path: Path) -> Translations:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=path.parent.parent.name)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


class Catalogs:
    """Every compiled catalogue, loaded once at start-up."""

    def __init__(self, default_language: str = "en", locales_dir: Path = LOCALES_DIR) -> None:
        self._translators: dict[str, Translator] = {}
        for po in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            language = po.parent.parent.name
            self._translators[language] = Translator(language, _load_po(po))
        if "en" not in self._translators:
            self._translators["en"] = Translator("en", NullTranslations())
        self.default_language = default_language if default_language in self._translators else "en"

    @property
    def languages(self) -> list[str]:
        """Languages with a catalogue, in the product's order."""
        known = [code for code in LANGUAGE_NAMES if code in self._translators]
        return known + sorted(set(self._translators) - set(known))

    def negotiate(self, language_code: str | None) -> str:
        """The catalogue language for a Telegram `language_code` such as "hr" or "pt-br"."""
        if language_code:
            base = language_code.replace("_", "-").split("-")[0].lower()
            if base in self._translators:
                return base
        return self.default_language

    def get(self, language: str | None) -> Translator:
        return self._translators.get(language or "", self._translators[self.default_language])
