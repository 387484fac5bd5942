"""An .ics calendar event for a follow-up, made with vobject."""

from __future__ import annotations

from datetime import datetime, timedelta

import vobject
from dateutil import tz


def follow_up_event(*, uid: str, title: str, description: str, start: datetime, minutes: int = 30) -> bytes:
    """A VEVENT in UTC, with a reminder 10 minutes before; calendars show it in their own zone."""
    start = start.astimezone(tz.tzutc())  # written as UTC ("Z"); vobject knows dateutil's UTC
    cal = vobject.iCalendar()
    cal.add("prodid").value = "-//salesbot//follow-up//EN"
    event = cal.add("vevent")
    event.add("uid").value = uid
    event.add("summary").value = title
    event.add("description").value = description
    event.add("dtstart").value = start
    event.add("dtend").value = start + timedelta(minutes=minutes)
    event.add("dtstamp").value = start
    alarm = event.add("valarm")
    alarm.add("action").value = "DISPLAY"
    alarm.add("description").value = title
    alarm.add("trigger").value = timedelta(minutes=-10)
    text: str = cal.serialize()
    return text.encode()
