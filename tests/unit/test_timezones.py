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


# Cities as reps of each language write them, including the names the bot's own hints suggest.
@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Praha", "Europe/Prague"), ("v Praze", "Europe/Prague"), ("Brno", "Europe/Prague"),
        ("Прага", "Europe/Prague"), ("Česká republika", "Europe/Prague"),
        ("Warszawa", "Europe/Warsaw"), ("Varšava", "Europe/Warsaw"), ("Kraków", "Europe/Warsaw"),
        ("krakow", "Europe/Warsaw"), ("Wrocław", "Europe/Warsaw"), ("Lodz", "Europe/Warsaw"),
        ("w Warszawie", "Europe/Warsaw"),
        ("Zagrzeb", "Europe/Zagreb"), ("Záhřeb", "Europe/Zagreb"), ("u Zagrebu", "Europe/Zagreb"),
        ("Split", "Europe/Zagreb"), ("Загреб", "Europe/Zagreb"),
        ("Скопје", "Europe/Skopje"), ("во Скопје", "Europe/Skopje"), ("Битола", "Europe/Skopje"),
        ("Ohrid", "Europe/Skopje"),
        ("تهران", "Asia/Tehran"), ("در تهران", "Asia/Tehran"), ("اصفهان", "Asia/Tehran"),
        ("Teheran", "Asia/Tehran"), ("Техеран", "Asia/Tehran"),
        ("UTC+3:30", "Asia/Tehran"), ("utc+۳:۳۰", "Asia/Tehran"), ("UTC+5:30", "Asia/Kolkata"),
        ("Beograd", "Europe/Belgrade"), ("Beč", "Europe/Vienna"), ("Londýn", "Europe/London"),
    ],
)  # fmt: skip
def test_native_city_names(text, zone):
    assert find_zone(text) == zone


@pytest.mark.parametrize("text", ["u", "v Atlantidě", "در", "Zagreb Zagreb", "UTC+2:15"])
def test_not_a_place(text):
    assert find_zone(text) is None


def test_guess_from_language():
    assert guess_zone("hr", "UTC") == "Europe/Zagreb"
    assert guess_zone("fa", "UTC") == "Asia/Tehran"
    assert guess_zone("en", "Europe/London") == "Europe/London"
