from __future__ import annotations

import pytest

from bot import callbacks


def test_round_trip_and_version():
    data = callbacks.encode("rec", 123, "open")
    assert data == "1rec:123:open"
    parsed = callbacks.parse(data)
    assert parsed is not None and parsed.action == "rec" and parsed.int_arg(0) == 123 and parsed.arg(1) == "open"
    assert callbacks.pattern("rec").match(data) and not callbacks.pattern("re").match(data)


@pytest.mark.parametrize("data", [None, "", "0rec:1", "rec:1", "1REC:1", "1:1"])
def test_unknown_or_old_buttons_parse_as_stale(data):
    assert callbacks.parse(data) is None


def test_over_64_bytes_or_bad_arguments_are_refused_when_built():
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.encode("tz", "set", "A" * 60)
    with pytest.raises(ValueError):
        callbacks.encode("tz", "a:b")
    with pytest.raises(ValueError):
        callbacks.encode("Bad")


def test_every_time_zone_fits_in_a_button():
    from zoneinfo import available_timezones

    for zone in available_timezones():
        assert len(callbacks.encode("tz", "set", zone).encode()) <= 64
