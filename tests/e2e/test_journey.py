"""Through the emulator: a card captured, qualified, advanced to opportunity and won."""

from __future__ import annotations

from sqlmodel import select

from bot.db import Scope
from models import Lead, Stage
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot

CARD = "Ivo Horvat\nVoditelj nabave\nKonzum Trgovina d.d.\nMob: +385 91 555 1234\nivo.horvat@konzum.hr"


async def test_capture_qualify_advance_win(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
        olga = await bot.fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        await olga.ask(CARD)
        await olga.click("✅ Save", n=1)
        _, [q1] = await olga.click("✅ Qualify now", n=1)
        assert q1.text == "Does the company need what we sell?"
        for label in ("Yes", "Yes", "Yes"):
            _, (answered, nxt) = await olga.click(label, n=2)  # the answered one loses its buttons
            assert answered.edited and not answered.button_texts
        assert nxt.text.startswith("When will they buy?")
        await olga.ask("in two months")
        await olga.click("Yes", n=2)
        [summary] = await olga.ask("25.000 EUR")
        assert "score 100/100" in summary.text
        _, [moved] = await olga.click("➡️ Advance to prospect", n=1)
        assert "is now: prospect" in moved.text
        _, [card] = await olga.click("Open the record", n=1)
        _, [ask_amount] = await olga.click("➡️ opportunity", n=1)
        assert ask_amount.text.startswith("Deal amount?")
        await olga.ask("40.000 EUR")
        await olga.click("50%", n=1)
        [opportunity] = await olga.ask("end of month")
        assert "is now: opportunity" in opportunity.text and "50% likely" in opportunity.text
        _, [card] = await olga.click("Open the record", n=1)
        _, [final] = await olga.click("🏆 Won", n=1)
        _, [won] = await olga.click("Same: €40,000", n=1)
        assert "is now: customer" in won.text
    async with db.begin(Scope.system()) as s:
        lead = (await s.exec(select(Lead))).one()
    assert lead.stage is Stage.CUSTOMER and lead.score == 100 and str(lead.deal_amount) == "40000.00"
