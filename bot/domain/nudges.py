"""The morning brief's rules: when it is due, what counts as stalled, what each team switched off.

Plain code. The team's choices live in `team.settings["nudges"]`; anything missing takes the
default (everything on; a record is stalled after 7 days as a lead, 14 as a prospect, 21 as an
opportunity; the brief at 9:00 in the rep's timezone).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models import Stage

KINDS = ("digest", "stalled", "escalate", "close_date", "birthday")
STALLED_DEFAULTS = {Stage.LEAD: 7, Stage.PROSPECT: 14, Stage.OPPORTUNITY: 21}
MORNING = time(9)
LIST_LIMIT = 10  # records named per section; the rest are counted


@dataclass(frozen=True)
class NudgeSettings:
    enabled: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(KINDS, True))
    stalled_days: dict[Stage, int] = field(default_factory=lambda: dict(STALLED_DEFAULTS))

    @classmethod
    def of(cls, team_settings: dict[str, Any] | None) -> NudgeSettings:
        raw = (team_settings or {}).get("nudges") or {}
        enabled = {kind: bool(raw.get(kind, True)) for kind in KINDS}
        days = dict(STALLED_DEFAULTS)
        for stage, value in (raw.get("stalled_days") or {}).items():
            if stage in {s.value for s in STALLED_DEFAULTS} and isinstance(value, int) and 1 <= value <= 365:
                days[Stage(stage)] = value
        return cls(enabled=enabled, stalled_days=days)

    def on(self, kind: str) -> bool:
        return self.enabled.get(kind, True)

    def toggled(self, kind: str) -> NudgeSettings:
        if kind not in KINDS:
            raise ValueError(kind)
        return replace(self, enabled={**self.enabled, kind: not self.on(kind)})

    def with_days(self, stage: Stage, delta: int) -> NudgeSettings:
        days = min(365, max(1, self.stalled_days[stage] + delta))
        return replace(self, stalled_days={**self.stalled_days, stage: days})

    def dump(self) -> dict[str, Any]:
        return {**self.enabled, "stalled_days": {s.value: d for s, d in self.stalled_days.items()}}

    @property
    def any_on(self) -> bool:
        return any(self.enabled.values())


def next_morning(now: datetime, zone: str) -> datetime:
    """The next 9:00 in `zone` at or after `now` (aware); DST is the zone's business."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    day = local.date() if local.time() < MORNING else local.date() + timedelta(days=1)
    return datetime.combine(day, MORNING, tz)


def brief_key(member_id: int, day: date) -> str:
    return f"brief:{member_id}:{day.isoformat()}"


def local_day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of a calendar day in `zone`, as aware datetimes."""
    tz = ZoneInfo(zone)
    return datetime.combine(day, time(0), tz), datetime.combine(day + timedelta(days=1), time(0), tz)


def quiet_since(settings: NudgeSettings, now: datetime, periods: int = 1) -> dict[Stage, datetime]:
    """Per stage that can stall, the moment before which a record's last activity makes it quiet for
    `periods` of that stage's days (1: stalled; 2: stalled a second period, the manager hears of it).
    Parked records never stall; the queries leave them out."""
    return {stage: now - timedelta(days=periods * days) for stage, days in settings.stalled_days.items()}


def birthday_days(today: date) -> list[tuple[int, int]]:
    """The (month, day) birthdays to mention today: tomorrow's, and 29 February on the 28th of a
    common year (so those contacts are not forgotten three years in four)."""
    tomorrow = today + timedelta(days=1)
    days = [(tomorrow.month, tomorrow.day)]
    if (tomorrow.month, tomorrow.day) == (3, 1) and not calendar.isleap(tomorrow.year):
        days.append((2, 29))
    return days
