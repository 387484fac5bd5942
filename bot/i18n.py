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
        elif not isinstance(value, str):
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
        return self.localise(numbers.format_percent(value, locale=self.locale, numbering_system="default"))

    def datetime(self, value: dt.datetime, zone: str, fmt: str = "medium") -> str:
        """A moment with its date and time (exports, invitations): `when` without the weekday."""
        value, zone = _renderable(value, zone)
        local = value.astimezone(ZoneInfo(zone))
        if self.persian:
            return self._joined(self._solar_day(local.date(), weekday=False, year=True), self._clock(local))
        return dates.format_datetime(local, format=fmt if fmt != "medium" else "short", locale=self.locale)

    def when(self, value: dt.datetime, zone: str, home: str | None = None) -> str:
        """A moment as reps read it: "Fri, December 4, 3:00 PM" / "pet, 4. prosinca u 15:00", the
        year only when it is not this year, no seconds; the zone ("UTC+1") only when it is not
        `home`, the rep's own. A Persian reader gets the Solar Hijri date in Persian digits."""
        value, shown_zone = _renderable(value, zone)
        local = value.astimezone(ZoneInfo(shown_zone))
        this_year = self.clock().astimezone(ZoneInfo(shown_zone)).date()
        if self.persian:
            day = self._solar_day(local.date(), year=solar_date(local.date())[0] != solar_date(this_year)[0])
        else:
            skeleton = "MMMMEd" if local.year == this_year.year else "yMMMMEd"
            day = dates.format_skeleton(skeleton, local, locale=self.locale)
        text = self._joined(day, self._clock(local))
        if home is not None and home != zone or shown_zone != zone:
            text += f" ({self.localise(utc_offset(local))})"
        return text

    def _clock(self, local: dt.datetime) -> str:
        return self.localise(dates.format_time(local, "short", locale=self.locale))

    def _joined(self, day: str, clock: str) -> str:
        # Translators: a day and a time of day: "Fri, December 4, 3:00 PM". Word it so that the
        # day stands as it is (nominative) and the time reads naturally ("u 15:00", "v 15:00").
        return self(N_("{day}, {time}"), day=Safe(day), time=Safe(clock)).replace(FSI, "").replace(PDI, "")

    def day(self, value: dt.date) -> str:
        """A date without a time ("Fri, November 14, 2025"). A Persian reader gets the Solar Hijri
        date with the Gregorian one beside it (for a partner abroad)."""
        if self.persian:
            gregorian = self.localise(dates.format_skeleton("yMMMMd", value, locale=self.locale))
            return f"{self._solar_day(value, year=True)} ({gregorian})"
        return dates.format_skeleton("yMMMMEd", value, locale=self.locale)

    def _solar_day(self, value: dt.date, *, weekday: bool = True, year: bool = False) -> str:
        """ "چهارشنبه ۱۲ آذر ۱۴۰۵": weekday, day, Solar Hijri month, year."""
        solar_year, month, day = solar_date(value)
        parts = [dates.format_date(value, "EEEE", locale=self.locale)] if weekday else []
        parts += [str(day), SOLAR_MONTH_NAMES[month - 1]] + ([str(solar_year)] if year else [])
        return self.localise(" ".join(parts))

    def join(self, items: Iterable[str]) -> str:
        """Items one after another ("A, B"; "الف، ب" in Persian)."""
        return ("، " if self.persian else ", ").join(items)

    def date(self, value: dt.date, fmt: str = "medium") -> str:
        """A date alone: "short" (notes, history), "medium" (headings), "long" (birthdays)."""
        if self.persian:
            if fmt == "short":
                return self.localise("{}/{}/{}".format(*solar_date(value)))
            return self._solar_day(value, weekday=False, year=True)
        return dates.format_date(value, format=fmt, locale=self.locale)

    def month(self, value: dt.date) -> str:
        """A calendar month with its year ("December 2026", "prosinac 2026.", "دسامبر ۲۰۲۶")."""
        return self.localise(dates.format_skeleton("yMMMM", value, locale=self.locale))

    def day_month(self, value: dt.date) -> str:
        """ "12 May", "May 12", "12. svibnja": a date without its year, as the locale writes it."""
        if self.persian:
            _, month, day = solar_date(value)
            return self.localise(f"{day} {SOLAR_MONTH_NAMES[month - 1]}")
        return dates.format_skeleton("MMMMd", value, locale=self.locale)

    def time(self, value: dt.datetime, zone: str) -> str:
        value, zone = _renderable(value, zone)
        return self._clock(value.astimezone(ZoneInfo(zone)))

    def money(self, amount: Decimal, currency: str) -> str:
        """An amount in its currency as the reader writes it. Iranian rials are shown to a Persian
        reader in tomans (ten rials), the unit prices are spoken in: "۵۰۰٬۰۰۰٬۰۰۰ تومان"."""
        if self.persian and currency == "IRR":
            tomans = (amount / 10).quantize(Decimal(1)) if amount % 10 == 0 else amount / 10
            return self.localise(
                f"{numbers.format_decimal(tomans, locale=self.locale, numbering_system='default')} تومان"
            )
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
