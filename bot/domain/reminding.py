"""Reading "/remind Ana next Friday 3pm call about the quote": who, when, and what; and when a
reminder snoozed with a button comes back.

Plain code. The moment is the longest run of words right after the name (or, failing that, at
the end) that `read_when` reads whole; what is left is the reminder's text. Nothing is guessed:
when no run of words reads as a date, there is no reminder; when the run has two readings, both
go back to the rep. The first words are a record's name only when they are whole words of it
("in" is not a name because "Martin" contains it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dates import OutOfBounds, fold, read_when
from bot.domain.dates import Reading as Moment

MAX_DATE_WORDS = 6
MAX_NAME_WORDS = 3
MAX_TEXT = 400

SNOOZES = ("1h", "tomorrow", "week")  # the snooze buttons under a reminder
MORNING = time(9)


def snooze_until(choice: str, now: datetime, zone: str) -> datetime:
    """When a reminder snoozed with a button comes back, in UTC: "1h" an hour from `now`;
    "tomorrow" at 9:00 the next local day; "week" at 9:00 on the next local Monday (from a Sunday
    evening, that is the next morning). Local 9:00 stays 9:00 across a clock change."""
    if choice == "1h":
        return (now + timedelta(hours=1)).astimezone(UTC)
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if choice == "tomorrow":
        day = today + timedelta(days=1)
    elif choice == "week":
        day = today + timedelta(days=7 - today.weekday())
    else:
        raise ValueError(f"unknown snooze {choice!r}")
    return datetime.combine(day, MORNING, tz).astimezone(UTC)


@dataclass(frozen=True)
class Reading:
    name: str  # words naming the record ("" when none)
    when: Moment  # a moment, two to choose from, or one out of bounds
    text: str


def when_and_text(words: list[str], *, language: str, zone: str, now: datetime) -> tuple[Moment, str] | None:
    """The moment named by the first (else the last) words, and the words left over. A date out
    of bounds counts only when nothing shorter reads ("in 20 years" is not "in 20" + "years")."""
    limit = min(len(words), MAX_DATE_WORDS)
    far: tuple[Moment, str] | None = None
    for k in range(limit, 0, -1):
        when = read_when(" ".join(words[:k]), language=language, zone=zone, now=now)
        if isinstance(when, OutOfBounds):
            far = far or (when, " ".join(words[k:]))
        elif when is not None:
            return when, " ".join(words[k:])
    for k in range(limit, 0, -1):
        if k == len(words):
            continue  # already tried as a prefix
        when = read_when(" ".join(words[-k:]), language=language, zone=zone, now=now)
        if isinstance(when, OutOfBounds):
            far = far or (when, " ".join(words[:-k]))
        elif when is not None:
            return when, " ".join(words[:-k])
    return far


def names_record(name: str, search_text: str) -> bool:
    """Whether every word of `name` is a whole word of a record's (folded) search text."""
    words = set(re.findall(r"\w+", fold(search_text.lower())))
    wanted = re.findall(r"\w+", fold(name.lower()))
    return bool(wanted) and all(w in words for w in wanted)


def readings(text: str, *, language: str, zone: str, now: datetime) -> list[Reading]:
    """Every way to read the words as [name] when [text], shortest name first; the caller keeps
    the first whose name matches a record (or the nameless one)."""
    words = text.split()
    found: list[Reading] = []
    for n in range(0, min(MAX_NAME_WORDS, len(words) - 1) + 1):
        hit = when_and_text(words[n:], language=language, zone=zone, now=now)
        if hit is not None:
            found.append(Reading(name=" ".join(words[:n]), when=hit[0], text=hit[1]))
    return found
