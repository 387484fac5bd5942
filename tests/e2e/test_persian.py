"""Through the emulator: a Persian rep types a Tehran time zone and a Solar Hijri date, and reads
Solar Hijri dates in Persian digits back."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot

LATIN_DIGITS = re.compile("[0-9]")


async def test_a_persian_rep_types_and_reads_solar_hijri_dates(database_url, db, tmp_path):
    del db
    async with running_bot(database_url, tmp_path) as bot:
        maryam = await bot.fg.user(ADMIN_ID, first_name="مریم", language_code="fa")
        _, question = await maryam.ask("/start", n=2)
        assert any("تهران" in label for label in question.button_texts)  # the zone by its city, in Persian
        await maryam.click("1tz:ask", n=1)
        [saved] = await maryam.ask("تهران")
        assert "تهران" in saved.text and not LATIN_DIGITS.search(saved.text)

        [confirm] = await maryam.ask("/remind ۱۵ دی ساعت ۱۰ تماس با دیجی‌کالا")
        assert "۱۵ دی" in confirm.text and "۱۰:۰۰" in confirm.text
        assert not LATIN_DIGITS.search(confirm.text)
        _, [done] = await maryam.click(confirm.button_texts[0], n=1)
        assert "۱۵ دی" in done.text and not LATIN_DIGITS.search(done.text)

        [menu] = await maryam.ask("/settings")
        assert "ریال" in menu.text  # a team started in Persian counts in Iranian money
