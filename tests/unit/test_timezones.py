from __future__ import annotations

import pytest

from bot.domain.timezones import find_zone, guess_zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Zagreb", "Europe/Zagreb"),
        ("europe/prague", "Europe/Prague"),
        ("Warsaw", "Europe/Warsaw"),
        ("new york", "America/New_York"),
        ("  Skopje ", "Europe/Skopje"),
        ("tehran", "Asia/Tehran"),
        ("UTC", "UTC"),
        ("utc+2", "Etc/GMT-2"),
        ("GMT-5", "Etc/GMT+5"),
        ("UTC+0", "UTC"),
        ("São Paulo", "America/Sao_Paulo"),
    ],
)
def test_find_zone(text, zone):
    assert find_zone(text) == zone


@pytest.mark.parametrize("text", ["", "Atlantis", "UTC+20", "x" * 100, "Etc/GMT-2"])
def test_unknown_zones(text):
    assert find_zone(text) is None


def test_guess_from_language():
    assert guess_zone("hr", "UTC") == "Europe/Zagreb"
    assert guess_zone("fa", "UTC") == "Asia/Tehran"
    assert guess_zone("en", "Europe/London") == "Europe/London"
