"""Through the emulator: a rep pastes a card, fixes a field, saves it with one tap; then a photo."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from bot.db import Scope
from models import Lead
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot

CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


async def test_typed_card_edit_save_and_a_photo(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
        fg = bot.fg
        olga = await fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        [preview] = await olga.ask(
            "Petra Novak\nJednatelka\nMoravia Stavby s.r.o.\nMobil: +420 602 123 456\npetra.novak@moravia.cz"
        )
        assert "Petra Novak" in preview.text and "+420602123456" in preview.text
        assert preview.button_texts == ["✅ Save", "✏️ Edit", "🗑 Discard"]

        _, [fields] = await olga.click("✏️ Edit", n=1)
        _, [prompt] = await olga.click("Title", n=1)
        assert "<b>Title</b>: send the new value" in prompt.text
        await olga.send_text("Managing Director")
        [edited] = await olga.wait_replies(1)
        assert edited.edited and edited.message_id == preview.message_id
        assert "Title: Managing Director" in edited.text

        _, [saved] = await olga.click("✅ Save", n=1)
        assert "Saved <b>Petra Novak</b>" in saved.text and "Referral" in saved.button_texts

        await olga.send_photo((CARDS / "cs-02.jpg").read_bytes())
        reading, card = await olga.wait_replies(2, timeout=30)
        assert reading.text == "Reading the card…"
        assert card.edited and "Tomáš Dvořák" in card.text
        _, [saved_photo] = await olga.click("✅ Save", n=1)
        assert "Saved <b>Tomáš Dvořák</b>" in saved_photo.text

    async with db.begin(Scope.system()) as s:
        saved_leads = (await s.exec(select(Lead).order_by(Lead.id))).all()
    assert [(lead.full_name, lead.job_title) for lead in saved_leads] == [
        ("Petra Novak", "Managing Director"),
        ("Tomáš Dvořák", "Obchodní zástupkyně"),
    ]
