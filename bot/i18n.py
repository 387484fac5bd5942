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
from collections.abc import Mapping
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
        # Babel formats with Latin digits; Persian readers expect their own (۰-۹).
        native = self.locale.default_numbering_system
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
        if isinstance(value, int):
            value = numbers.format_decimal(value, locale=self.locale).translate(self._digits)
        elif isinstance(value, str) and not isinstance(value, Safe):
            value = html.escape(value, quote=False)
        elif not isinstance(value, str):
            return value
        # In right-to-left text, isolate each inserted value so that a Latin name, an e-mail
        # or a phone number keeps its own direction and does not scramble the sentence.
        return f"{FSI}{value}{PDI}" if self.rtl else value

    def datetime(self, value: dt.datetime, zone: str, fmt: str = "medium") -> str:
        value, zone = _renderable(value, zone)
        return dates.format_datetime(value, format=fmt, tzinfo=ZoneInfo(zone), locale=self.locale)

    def when(self, value: dt.datetime, zone: str, home: str | None = None) -> str:
        """A moment as reps read it: "Fri, Mar 13, 3:00 PM" / "pet, 13. ožu, 15:00", the year only
        when it is not this year, no seconds; the zone ("UTC+1") only when it is not `home`, the
        rep's own; for a Persian reader the Solar Hijri date too."""
        value, shown_zone = _renderable(value, zone)
        local = value.astimezone(ZoneInfo(shown_zone))
        this_year = dt.datetime.now(ZoneInfo(shown_zone)).year
        day = dates.format_skeleton("MMMEd" if local.year == this_year else "yMMMEd", local, locale=self.locale)
        clock = dates.format_time(local, "short", locale=self.locale)
        text = str(self.locale.datetime_formats["short"]).format(clock, day)
        if home is not None and home != zone or shown_zone != zone:
            text += f" ({utc_offset(local)})"
        return self._solar(text, local.date())

    def day(self, value: dt.date) -> str:
        """A date without a time ("Fri, Nov 14, 2025"), with the Solar Hijri one for a Persian reader."""
        return self._solar(dates.format_skeleton("yMMMEd", value, locale=self.locale), value)

    def _solar(self, text: str, value: dt.date) -> str:
        if self.language != "fa":
            return text.translate(self._digits)
        year, month, day = solar_date(value)
        return f"{text} ({day} {SOLAR_MONTH_NAMES[month - 1]} {year})".translate(self._digits)

    def date(self, value: dt.date, fmt: str = "medium") -> str:
        return dates.format_date(value, format=fmt, locale=self.locale)

    def day_month(self, value: dt.date) -> str:
        """ "12 May", "May 12", "12. svibnja": a date without its year, as the locale writes it."""
        return dates.format_skeleton("MMMMd", value, locale=self.locale)

    def time(self, value: dt.datetime, zone: str) -> str:
        value, zone = _renderable(value, zone)
        return dates.format_time(value, format="short", tzinfo=ZoneInfo(zone), locale=self.locale)

    def money(self, amount: Decimal, currency: str) -> str:
        return numbers.format_currency(amount, currency, locale=self.locale)


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
