"""Time zones: a guess from the language, and finding the zone a rep typed."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import available_timezones

# Where the product's languages are spoken first; a guess the rep confirms, never silently used.
LANGUAGE_ZONES = {
    "hr": "Europe/Zagreb",
    "cs": "Europe/Prague",
    "pl": "Europe/Warsaw",
    "mk": "Europe/Skopje",
    "fa": "Asia/Tehran",
}

_OFFSET_RE = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s_-]+", "_", text)


@cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    by_name: dict[str, str] = {}
    by_city: dict[str, str] = {}
    for zone in available_timezones():
        if zone.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in zone:
            continue
        by_name[_fold(zone)] = zone
        by_city.setdefault(_fold(zone.rsplit("/", 1)[1]), zone)
    return by_name, by_city


def guess_zone(language: str | None, default: str) -> str:
    return LANGUAGE_ZONES.get(language or "", default)


def find_zone(text: str) -> str | None:
    """An IANA zone for "Europe/Zagreb", "zagreb", "New York", "UTC", "UTC+2" or "GMT-5"; else None."""
    if not text or len(text) > 64:
        return None
    folded = _fold(text)
    if folded in ("utc", "gmt", "z"):
        return "UTC"
    match = _OFFSET_RE.match(re.sub(r"\s+", "", text.lower()))
    if match:
        sign, hours = match.group(1), int(match.group(2))
        if hours == 0:
            return "UTC"
        if hours > 14:
            return None
        # The Etc zones count the other way round: UTC+2 is Etc/GMT-2.
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    by_name, by_city = _index()
    return by_name.get(folded) or by_city.get(folded)
