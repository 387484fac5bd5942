"""The catalogue is complete and current: every string the code shows is in it, in every language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, Catalogs, Safe

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "bot/locales/babel.cfg",
            "-k",
            "t",
            "-k",
            "plural:1,2",
            "-k",
            "N_",
            "-o",
            str(pot),
            "bot",
            "handlers",
            "models",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def catalogues() -> list[Path]:
    return sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_with_the_same_placeholders(po: Path, extracted: set[str]):
    with po.open("rb") as fh:
        catalog = read_po(fh)
    have = {}
    for m in catalog:
        if m.id:
            key = m.id if isinstance(m.id, str) else m.id[0]
            have[key] = m
    missing = extracted - set(have)
    assert not missing, f"{po.parent.parent.name} lacks: {sorted(missing)[:5]} (run `make messages`)"
    for key in extracted:
        m = have[key]
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings), f"{po.parent.parent.name}: no translation for {key!r}"
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        expected = set(PLACEHOLDER.findall(ids[-1])) - {"n"}
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) - {"n"} == expected, f"placeholders differ in {key!r}"


def test_english_is_there_and_languages_negotiate():
    catalogs = Catalogs("en")
    assert "en" in catalogs.languages
    assert catalogs.negotiate("en-GB") == "en"
    assert catalogs.negotiate("xx") == "en"
    assert catalogs.negotiate(None) == "en"


def test_parameters_are_html_escaped_unless_safe():
    t = Catalogs("en").get("en")
    assert t(
        "Hello, {name}! You are a {role} in <b>{team}</b>.\n\n", name="<script>", role="rep", team="A&B"
    ).startswith("Hello, &lt;script&gt;! You are a rep in <b>A&amp;B</b>.")
    assert t("Stage: {stage}", stage=Safe("<i>lead</i>")) == "Stage: <i>lead</i>"


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("hr", {1: "1 sat", 2: "2 sata", 5: "5 sati", 21: "21 sat", 12: "12 sati"}),
        ("cs", {1: "1 hodinu", 3: "3 hodiny", 5: "5 hodin"}),
        ("pl", {1: "1 godzinę", 2: "2 godziny", 5: "5 godzin", 22: "22 godziny", 12: "12 godzin"}),
        ("mk", {1: "1 час", 21: "21 час", 2: "2 часа", 11: "11 часа"}),
        ("en", {1: "1 hour", 2: "2 hours"}),
    ],
)
def test_plural_forms_follow_each_language(language, forms):
    t = Catalogs("en").get(language)
    for n, expected in forms.items():
        text = t.plural(
            "It works once, for {n} hour (until {expires}).",
            "It works once, for {n} hours (until {expires}).",
            n,
            expires="x",
        )
        assert expected in text, (language, n, text)


def test_persian_isolates_latin_values_and_uses_persian_digits():
    t = Catalogs("en").get("fa")
    assert t.rtl
    text = t("Email: {email}", email="ana@acme.hr")
    assert "\u2068ana@acme.hr\u2069" in text and text.startswith("ایمیل")
    assert "۷۲" in t.plural(
        "It works once, for {n} hour (until {expires}).",
        "It works once, for {n} hours (until {expires}).",
        72,
        expires="x",
    )


def test_dates_and_money_are_formatted_per_locale():
    from datetime import UTC, datetime
    from decimal import Decimal

    catalogs = Catalogs("en")
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert catalogs.get("en").datetime(moment, "Europe/Zagreb") == "March 5, 2026, 3:30\u202fPM"
    assert catalogs.get("hr").datetime(moment, "Europe/Zagreb") == "5. ožujka 2026. u 15:30"
    assert catalogs.get("mk").datetime(moment, "Europe/Zagreb") == "5 март 2026 во 15:30"
    assert catalogs.get("cs").money(Decimal("12500.5"), "EUR") == "12\xa0500,50\xa0€"
    assert catalogs.get("pl").money(Decimal("12500.5"), "PLN") == "12\xa0500,50\xa0zł"


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("en", "12500", "EUR", "€12,500"),
        ("hr", "12500", "EUR", "12.500\xa0€"),
        ("cs", "250000", "CZK", "250\xa0000\xa0Kč"),
        ("pl", "50000", "PLN", "50\xa0000\xa0zł"),
        ("pl", "49.99", "PLN", "49,99\xa0zł"),
        ("mk", "600000", "MKD", "600.000\xa0ден."),
        ("fa", "5000000000", "IRR", "۵۰۰ میلیون تومان"),  # rials shown in tomans, round millions in words
        ("fa", "15000000000", "IRR", "۱٫۵ میلیارد تومان"),
        ("fa", "8500000", "IRR", "۸۵۰٬۰۰۰ تومان"),
        ("fa", "12500", "EUR", "€\xa0۱۲٬۵۰۰"),
    ],
)
def test_money_in_the_local_currency_and_format(language, amount, currency, shown):
    from decimal import Decimal

    assert Catalogs("en").get(language).money(Decimal(amount), currency) == shown


@pytest.mark.parametrize(
    ("language", "shown"),
    [("hr", "4. 12. 2026."), ("cs", "4. 12. 2026"), ("pl", "4.12.2026"), ("mk", "4.12.2026"), ("fa", "۱۴۰۵/۹/۱۳")],
)
def test_numeric_dates_as_written_by_hand(language, shown):
    from datetime import date

    assert Catalogs("en").get(language).date(date(2026, 12, 4), "short") == shown


def test_a_command_keeps_its_slash_in_front_in_right_to_left_text():
    t = Catalogs("en").get("fa")
    text = t("/funnel – the funnel with a chart: /funnel week, month or quarter")
    assert "\u2066/funnel\u2069" in text and "/funnel" not in text.replace("\u2066/funnel\u2069", "")
    assert "\u2066" not in Catalogs("en").get("hr")("/funnel – the funnel with a chart: /funnel week, month or quarter")
    assert "https://t.me/x" in t("{a}", a="https://t.me/x") and "</b>" in t("<b>Pipeline</b>")


def test_persian_dates_are_solar_hijri_in_persian_digits():
    from datetime import UTC, date, datetime

    t = Catalogs("en").get("fa")
    t.clock = lambda: datetime(2026, 11, 29, 8, tzinfo=UTC)
    at = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # 15:00 in Tehran, 11 Azar 1405
    assert t.when(at, "Asia/Tehran").startswith("چهارشنبه ۱۱ آذر")
    assert "۱۵:۰۰" in t.when(at, "Asia/Tehran")
    assert not re.search("[0-9]", t.when(at, "Asia/Tehran"))
    assert t.when(datetime(2027, 3, 25, 9, tzinfo=UTC), "Asia/Tehran").startswith("پنجشنبه ۵ فروردین ۱۴۰۶")
    # A deal's close date carries the Gregorian date too, for a partner abroad.
    assert t.day(date(2027, 1, 29)) == "جمعه ۹ بهمن ۱۴۰۵ (۲۹ ژانویه ۲۰۲۷)"
    assert t.date(date(2026, 12, 2), "short") == "۱۴۰۵/۹/۱۱"
    assert t.percent(0.4) == "۴۰٪" and t.number(3.5, "0.0") == "۳٫۵"
    assert t.time(at, "Asia/Tehran") == "۱۵:۰۰"
