"""Through the emulator: Croatian from the first message on, then Persian after /settings."""

from __future__ import annotations

from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot


async def test_croatian_from_start_then_persian_after_settings(database_url, db, tmp_path):
    del db
    async with running_bot(database_url, tmp_path) as bot:
        fg = bot.fg
        stranger = await fg.user(6001, first_name="Marko", language_code="hr")
        [r] = await stranger.ask("/start")
        assert r.text.startswith("Pozdrav! Ja sam privatni prodajni asistent")

        ivana = await fg.user(ADMIN_ID, first_name="Ivana", language_code="hr")
        welcome, tz = await ivana.ask("/start", n=2)
        assert "Dobro došli, Ivana!" in welcome.text and "vlasnik" in welcome.text
        assert tz.text.startswith("U kojoj ste vremenskoj zoni?")
        assert "Druga vremenska zona…" in tz.button_texts
        [help_hr] = await ivana.ask("/help")
        assert help_hr.text.startswith("<b>Vaš prodajni asistent</b>")

        [menu] = await ivana.ask("/settings")
        assert "Jezik: Hrvatski" in menu.text
        await ivana.click("Jezik", n=1)
        _, [switched] = await ivana.click("فارسی", n=1)
        assert switched.text.startswith("<b>تنظیمات</b>") and "زبان: \u2068فارسی\u2069" in switched.text
        assert "زبان" in switched.button_texts

        [help_fa] = await ivana.ask("/help")
        assert help_fa.text.startswith("<b>دستیار فروش شما</b>")
        [unknown] = await ivana.ask("/nope")
        assert unknown.text.startswith("این فرمان را نمی‌شناسم")
        [inv] = await ivana.ask("/invite")
        assert "پیوند دعوت" in inv.text and "۷۲" in inv.text
