"""The morning brief's rules, without a database: when 9:00 is, what is stalled, team switches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import nudges
from models import Stage

ZAGREB = "Europe/Zagreb"


def test_next_morning_is_nine_local_and_follows_daylight_saving():
    # Summer time starts in Zagreb on Sunday 29 March 2026: 9:00 is 08:00 UTC on Saturday, 07:00 on Sunday.
    saturday = nudges.next_morning(datetime(2026, 3, 28, 6, 0, tzinfo=UTC), ZAGREB)
    sunday = nudges.next_morning(datetime(2026, 3, 28, 9, 0, tzinfo=UTC), ZAGREB)
    assert saturday.astimezone(UTC) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert sunday.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert nudges.brief_key(5, sunday.date()) == "brief:5:2026-03-29"


def test_settings_default_to_everything_on_and_keep_a_managers_choices():
    default = nudges.NudgeSettings.of({})
    assert all(default.on(kind) for kind in nudges.KINDS)
    assert default.stalled_days == {Stage.LEAD: 7, Stage.PROSPECT: 14, Stage.OPPORTUNITY: 21}
    changed = default.toggled("birthday").with_days(Stage.LEAD, -2)
    again = nudges.NudgeSettings.of({"nudges": changed.dump()})
    assert not again.on("birthday") and again.on("digest") and again.stalled_days[Stage.LEAD] == 5
    assert nudges.NudgeSettings.of({"nudges": {"stalled_days": {"lead": -3, "won": 4}}}) == default
    off = default
    for kind in nudges.KINDS:
        off = off.toggled(kind)
    assert not off.any_on


def test_quiet_since_by_stage_for_one_and_two_periods():
    s = nudges.NudgeSettings()
    now = datetime(2026, 5, 1, tzinfo=UTC)
    stalled, escalated = nudges.quiet_since(s, now), nudges.quiet_since(s, now, periods=2)
    assert stalled == {
        Stage.LEAD: now - timedelta(days=7),
        Stage.PROSPECT: now - timedelta(days=14),
        Stage.OPPORTUNITY: now - timedelta(days=21),
    }
    assert escalated[Stage.LEAD] == now - timedelta(days=14)
    assert escalated[Stage.OPPORTUNITY] == now - timedelta(days=42)
    assert Stage.CUSTOMER not in stalled and Stage.SUSPECT not in stalled  # closed and suspects never stall
    assert nudges.quiet_since(s.with_days(Stage.LEAD, 3), now)[Stage.LEAD] == now - timedelta(days=10)


def test_birthdays_the_day_before_including_29_february():
    assert nudges.birthday_days(date(2026, 5, 11)) == [(5, 12)]
    assert nudges.birthday_days(date(2026, 2, 28)) == [(3, 1), (2, 29)]  # 2026 has no 29 February
    assert nudges.birthday_days(date(2028, 2, 28)) == [(2, 29)]
    assert nudges.birthday_days(date(2026, 12, 31)) == [(1, 1)]
