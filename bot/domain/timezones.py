"""Local habits by language: a guess of the time zone and currency, and finding the zone a rep typed."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from bot.domain.dates import fold, normalise

# Where the product's languages are spoken first; a guess the rep confirms, never silently used.
LANGUAGE_ZONES = {
    "hr": "Europe/Zagreb",
    "cs": "Europe/Prague",
    "pl": "Europe/Warsaw",
    "mk": "Europe/Skopje",
    "fa": "Asia/Tehran",
}

# Cities and countries as people of the product's languages write them (native names, exonyms in
# the six languages, the usual Latin transliterations, a few locatives: "u Zagrebu", "v Praze"),
# for the zones of the countries the bot is made for and of their neighbours.
CITY_ZONES = {
    "Europe/Zagreb": "Zagreb Zagrebu Zagrzeb Záhřeb Záhřebu Загреб زاگرب Split Splitu Rijeka Rijeci Osijek Zadar "
    "Pula Dubrovnik Varaždin Šibenik Karlovac Slavonski_Brod Velika_Gorica Sisak Čakovec "
    "Hrvatska Hrvatskoj Croatia Chorwacja Chorvatsko Хрватска کرواسی",
    "Europe/Prague": "Praha Praze Prag Prague Praga Прага پراگ Brno Brně Ostrava Plzeň Olomouc Liberec Zlín "
    "Pardubice Jihlava Hradec_Králové České_Budějovice Karlovy_Vary Ústí_nad_Labem Česko Čechy Czechia "
    "Czechy Česká_republika Češka Чешка چک",
    "Europe/Warsaw": "Warszawa Warszawie Warsaw Varšava Varšavě Varšavi Варшава ورشو Kraków Krakowie Krakov "
    "Wrocław Wrocławiu Gdańsk Gdańsku Gdynia Poznań Poznaniu Łódź Katowice Szczecin Lublin Bydgoszcz Białystok "
    "Rzeszów Toruń Kielce Olsztyn Opole Gliwice Częstochowa Radom Cracow Polska Polsce Poland Poljska "
    "Polsko Полска لهستان",
    "Europe/Skopje": "Skopje Скопје Скопие Skopí Skopju اسکوپیه Битола Bitola Охрид Ohrid Куманово Kumanovo Тетово "
    "Tetovo Прилеп Prilep Штип Štip Велес Veles Струмица Strumica Гостивар Gostivar Струга Struga Кичево Kičevo "
    "Кавадарци Kavadarci Кочани Kočani Македонија Makedonija Macedonia Macedonie "
    "Makedonie مقدونیه",
    "Asia/Tehran": "Tehran Teheran Teherán Техеран تهران Mashhad مشهد Isfahan Esfahan اصفهان Shiraz شیراز Tabriz "
    "تبریز Karaj کرج Ahvaz اهواز Qom قم Rasht رشت Yazd یزد Kermanshah کرمانشاه Kerman کرمان Hamadan همدان "
    "Arak اراک Ardabil اردبیل Urmia ارومیه Zahedan زاهدان Qazvin قزوین Zanjan زنجان Sari ساری Gorgan گرگان "
    "Bushehr بوشهر Sanandaj سنندج Kish کیش بندرعباس بندر_عباس Bandar_Abbas خرم‌آباد خرم_آباد Iran Írán ایران Иран",
    "Europe/Belgrade": "Beograd Belgrade Belgrad Bělehrad Београд Белград بلگراد",
    "Europe/Ljubljana": "Ljubljana Lublana Любляна Љубљана لیوبلیانا",
    "Europe/Vienna": "Vienna Wien Beč Vídeň Wiedeń Виена وین",
    "Europe/Budapest": "Budapest Budimpešta Budimpeszt Будимпешта بوداپست",
    "Europe/Sofia": "Sofia Sofija Sofie Софија София صوفیه",
    "Europe/Athens": "Athens Atena Atény Ateny Атина آتن",
    "Europe/Rome": "Rome Roma Rim Řím Rzym Рим رم",
    "Europe/Berlin": "Berlin Берлин برلین",
    "Europe/Paris": "Paris Pariz Paříž Paryż Париз پاریس",
    "Europe/London": "London Londyn Londýn Лондон لندن",
    "Europe/Istanbul": "Istanbul İstanbul Istambuł Истанбул استانبول",
    "Europe/Moscow": "Moskva Moskwa Москва مسکو",
    "Asia/Dubai": "Dubai Dubaj Дубаи دبی",
}

_PLACE_PREPOSITION = re.compile(r"^(?:u|v|ve|w|we|in|во|в|در)_")
_OFFSET_RE = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?$")
# Offsets that are not whole hours have no Etc zone: the zone that keeps that offset all year.
_HALF_HOURS = {
    "+3:30": "Asia/Tehran", "+4:30": "Asia/Kabul", "+5:30": "Asia/Kolkata", "+5:45": "Asia/Kathmandu",
    "+6:30": "Asia/Yangon", "+9:30": "Australia/Darwin", "-3:30": "America/St_Johns", "-9:30": "Pacific/Marquesas",
}  # fmt: skip


def _fold(text: str) -> str:
    """As the date reader folds what reps type (case, diacritics, Persian letters and digits,
    invisible marks), with spaces, hyphens and underscores as one "_"."""
    return re.sub(r"[\s_-]+", "_", fold(normalise(text)).strip())


@cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    by_name: dict[str, str] = {}
    by_city: dict[str, str] = {}
    for zone in available_timezones():
        if zone.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in zone:
            continue
        by_name[_fold(zone)] = zone
        by_city.setdefault(_fold(zone.rsplit("/", 1)[1]), zone)
    for zone, names in CITY_ZONES.items():
        for name in names.split():
            by_city[_fold(name.replace("_", " "))] = zone
    return by_name, by_city


# The money a team of each language counts in first (an owner or manager changes it in /settings).
LANGUAGE_CURRENCIES = {"hr": "EUR", "cs": "CZK", "pl": "PLN", "mk": "MKD", "fa": "IRR"}
# What the currency menu offers: the product's countries' first, then the usual foreign ones.
CURRENCIES = ("EUR", "CZK", "PLN", "MKD", "IRR", "USD", "GBP", "CHF", "RSD", "BAM", "HUF")


def guess_currency(language: str | None, default: str = "EUR") -> str:
    return LANGUAGE_CURRENCIES.get(language or "", default)


def guess_zone(language: str | None, default: str) -> str:
    return LANGUAGE_ZONES.get(language or "", default)


def find_zone(text: str) -> str | None:
    """An IANA zone for "Europe/Zagreb", "zagreb", "Praha", "Скопје", "تهران", "New York", "UTC",
    "UTC+2" or "GMT-5"; else None."""
    if not text or len(text) > 64:
        return None
    folded = _fold(text)
    if folded in ("utc", "gmt", "z"):
        return "UTC"
    match = _OFFSET_RE.match(re.sub(r"\s+", "", normalise(text)))
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if minutes:
            return _HALF_HOURS.get(f"{sign}{hours}:{minutes:02d}")
        if hours == 0:
            return "UTC"
        if hours > 14:
            return None
        # The Etc zones count the other way round: UTC+2 is Etc/GMT-2.
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    by_name, by_city = _index()
    found = by_name.get(folded) or by_city.get(folded)
    if found is None and (bare := _PLACE_PREPOSITION.sub("", folded)) != folded:
        found = by_city.get(bare)
    return found
