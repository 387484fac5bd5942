"""Retention as plain rules: a team may have its records erased when they have been lost, or
untouched, for N months (off by default). Managers are told a week before a record goes.

`team.settings["retention"]` holds {"months": N, "since": ISO time it was switched on,
"checked": ISO time of the last daily check}. Records are erased only when they are due *and*
retention has been on for a week, so a record is always announced at least a week ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

KEY = "retention"
NOTICE = timedelta(days=7)  # managers hear of an erasure this long before it happens
CHECK_EVERY = timedelta(days=1)
CHOICES = (6, 12, 24, 36, 60)  # months offered on the buttons
MAX_MONTHS = 120


@dataclass(frozen=True)
class Retention:
    months: int | None = None  # None: off
    since: datetime | None = None
    checked: datetime | None = None

    @classmethod
    def of(cls, team_settings: dict[str, Any] | None) -> Retention:
        raw = (team_settings or {}).get(KEY) or {}
        months = raw.get("months")
        if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
            return cls()
        return cls(months=months, since=_time(raw.get("since")), checked=_time(raw.get("checked")))

    def dump(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "since": self.since.isoformat() if self.since else None,
            "checked": self.checked.isoformat() if self.checked else None,
        }

    @property
    def on(self) -> bool:
        return self.months is not None

    def switched(self, months: int | None, now: datetime) -> Retention:
        """On for `months` (restarting the week's notice), or off (None)."""
        if months is not None and not 1 <= months <= MAX_MONTHS:
            raise ValueError(f"retention of {months} months")
        return Retention(months=months, since=now if months else None, checked=None)

    def cutoff(self, now: datetime) -> datetime:
        """Records lost or untouched since before this moment are due for erasure."""
        if self.months is None:
            raise ValueError("retention is off")
        return now - relativedelta(months=self.months)

    def erases_from(self) -> datetime:
        """The earliest moment anything is erased: a week after retention was switched on."""
        if self.since is None:
            raise ValueError("retention is off")
        return self.since + NOTICE

    def check_due(self, now: datetime) -> bool:
        return self.on and (self.checked is None or now - self.checked >= CHECK_EVERY)

    def checked_at(self, now: datetime) -> Retention:
        return Retention(months=self.months, since=self.since, checked=now)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
