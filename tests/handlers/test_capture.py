"""Capturing a card through the real handlers: every input path, edit, duplicates, bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.state import state_of
from models import Activity, FlowState, LeadSource, Stage
from tests.conftest import ADMIN_ID
from tests.support import ANA, all_leads, owner, sent

CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"


async def test_typed_card_one_message_one_tap(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    assert "Ana Kovačević" in preview.text and "+385912345678" in preview.text
    assert "Not found: Website, Address" in preview.text
    calls = await olga.tap(preview, "Save")
    [saved] = sent(calls, "editMessageText")
    assert "Saved <b>Ana Kovačević</b>" in saved.text and "Where did this lead come from?" in saved.text
    [lead] = await all_leads(db)
    assert (lead.first_name, lead.last_name, lead.company, lead.stage) == (
        "Ana",
        "Kovačević",
        "Adria Solar d.o.o.",
        Stage.LEAD,
    )
    assert lead.emails == ["ana.kovacevic@adriasolar.hr"] and lead.phones == ["+385912345678"]
    assert lead.source is LeadSource.MEETING and lead.raw_card_text.startswith("Ana Kovačević")
    # a double tap on Save does not save twice
    again = await olga.tap(preview, "Save")
    assert "already saved or discarded" in [c for c in again if c.method == "answerCallbackQuery"][0].params["text"]
    assert len(await all_leads(db)) == 1
    # source and the event's name
    calls = await olga.tap(saved, "Referral")
    assert (await all_leads(db))[0].source is LeadSource.REFERRAL
    await olga.tap(saved, "event's name")
    await olga.send("Sales Summit Zagreb")
    assert (await all_leads(db))[0].source_detail == "Sales Summit Zagreb"


async def test_edit_a_field_with_validation_edits_the_preview_in_place(tg, db):
    olga = await owner(tg)
    message_id = 1000 + len(sent(tg.request.calls))  # the recorder numbers the bot's messages from 1000
    [preview] = sent(await olga.send(ANA))
    [fields] = sent(await olga.tap(preview, "Edit"), "editMessageText")
    await olga.tap(fields, "Email")
    calls = await olga.send("not-an-email")
    [refusal] = sent(calls)
    assert "does not work" in refusal.text and "@" in refusal.text
    calls = await olga.send("ana@adria.hr")
    [edited] = sent(calls, "editMessageText")
    assert edited.params["message_id"] == message_id and "ana@adria.hr" in edited.text
    assert not sent(calls)  # nothing re-sent
    await olga.tap(edited, "Save")
    assert (await all_leads(db))[0].emails == ["ana@adria.hr"]


async def test_duplicate_offers_merge_and_merging_keeps_one_record(tg, db):
    olga = await owner(tg)
    [first] = sent(await olga.send(ANA))
    await olga.tap(first, "Save")
    [second] = sent(await olga.send("ANA KOVACEVIC\nAdria Solar d.o.o.\nwww.adriasolar.hr\nIlica 1, 10000 Zagreb"))
    assert "Already in your team" in second.text
    await olga.tap(second, "Merge")
    [lead] = await all_leads(db)
    assert lead.website == "www.adriasolar.hr" and lead.address == "Ilica 1, 10000 Zagreb"
    async with db.begin(Scope.system()) as s:
        assert "card merged" in (await s.exec(select(Activity))).one().text
    [third] = sent(await olga.send("mail: ana.kovacevic@adriasolar.hr\nAna K."))
    assert "Already in your team" in third.text
    await olga.tap(third, "Save as new")
    assert len(await all_leads(db)) == 2


async def test_discard_and_stale_buttons(tg, db):
    olga = await owner(tg)
    old_id = 1000 + len(sent(tg.request.calls))
    [old] = sent(await olga.send(ANA))
    calls = await olga.send("Ivo Horvat\nivo@horvat.hr")  # a second card replaces the first draft
    [new] = sent(calls)
    [dropped] = sent(calls, "editMessageReplyMarkup")  # the old preview loses its buttons
    assert dropped.params["message_id"] == old_id
    answer = [c for c in await olga.tap(old, "Save") if c.method == "answerCallbackQuery"][0]
    assert "already saved or discarded" in answer.params["text"]
    calls = await olga.tap(new, "Discard")
    assert "Nothing was saved" in sent(calls, "editMessageText")[0].text
    assert await all_leads(db) == []


async def test_shared_contact(tg, db):
    olga = await owner(tg)
    calls = await olga.send_message(
        contact={"phone_number": "385912345678", "first_name": "Marko", "last_name": "Jurić"}
    )
    [preview] = sent(calls)
    assert "Marko Jurić" in preview.text and "+385912345678" in preview.text
    await olga.tap(preview, "Save")
    assert (await all_leads(db))[0].phones == ["+385912345678"]


VCF_ONE = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Novak;Petra;;;\r\nFN:Petra Novak\r\nORG:Moravia Stavby s.r.o.\r\n"
    b"TITLE:Jednatelka\r\nTEL;TYPE=CELL:+420 602 123 456\r\nEMAIL:petra@moravia.cz\r\nEND:VCARD\r\n"
)


async def test_vcf_with_one_contact_goes_to_preview(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send_document(VCF_ONE, "petra.vcf", "text/vcard"))
    assert "Petra Novak" in preview.text and "Moravia Stavby s.r.o." in preview.text and "+420602123456" in preview.text
    await olga.tap(preview, "Save")
    assert (await all_leads(db))[0].job_title == "Jednatelka"


async def test_vcf_with_many_contacts_imports_suspects_and_reports(tg, db):
    olga = await owner(tg)
    [first] = sent(await olga.send(ANA))
    await olga.tap(first, "Save")
    many = VCF_ONE + (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Kovacevic\r\nEMAIL:ana.kovacevic@adriasolar.hr\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Wojcik;Tomasz\r\nTEL:+48 601 234 567\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;;;:\r\nEND:VCARD\r\n"
    )
    [summary] = sent(await olga.send_document(many, "list.vcf", "text/x-vcard"))
    assert "Imported 2 contacts as suspects." in summary.text
    assert "Skipped 1 already in your team: Ana Kovacevic." in summary.text
    assert "Could not read 1 contact." in summary.text
    leads = await all_leads(db)
    assert [lead.stage for lead in leads] == [Stage.LEAD, Stage.SUSPECT, Stage.SUSPECT]


async def test_malformed_vcf_and_other_files(tg, db):
    olga = await owner(tg)
    calls = await olga.send_document(b"BEGIN:VCARD\r\ngarbage", "x.vcf", "text/vcard")
    assert "could not read any contact" in sent(calls)[0].text
    calls = await olga.send_document(b"%PDF-1.4", "deck.pdf", "application/pdf")
    assert "I can read business cards" in sent(calls)[0].text
    assert await all_leads(db) == []


async def test_card_photo_is_read_offline_and_previewed(tg, db):
    olga = await owner(tg)
    calls = await olga.send_photo((CARDS / "hr-01.jpg").read_bytes())
    [placeholder] = sent(calls)
    assert placeholder.text == "Reading the card…"
    [preview] = sent(calls, "editMessageText")
    assert "Ivan Horvat" in preview.text and "Konzum Trgovina d.d." in preview.text
    await olga.tap(preview, "Save")
    assert (await all_leads(db))[0].last_name == "Horvat"


async def test_image_sent_as_file_with_a_qr_code(tg):
    olga = await owner(tg)
    calls = await olga.send_document((CARDS / "pl-07.jpg").read_bytes(), "card.jpg", "image/jpeg")
    [preview] = sent(calls, "editMessageText")
    assert "Michał Szymański" in preview.text


@pytest.mark.parametrize("kind", ["blank", "noise", "not an image"])
async def test_unreadable_pictures_get_a_friendly_answer(tg, db, kind):
    from PIL import Image

    olga = await owner(tg)
    if kind == "not an image":
        data = b"this is not a jpeg"
    else:
        image = Image.new("RGB", (800, 600), "white") if kind == "blank" else Image.effect_noise((800, 600), 90)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="JPEG")
        data = buf.getvalue()
    calls = await olga.send_photo(data)
    [answer] = sent(calls, "editMessageText")
    assert "could not read a card" in answer.text or "not an image I can open" in answer.text
    assert await all_leads(db) == []
    async with db.begin(Scope.system()) as s:
        assert (await s.exec(select(FlowState))).all() == []


async def test_a_20_mb_image_is_refused_before_download(tg):
    olga = await owner(tg)
    calls = await olga.send_photo(b"x", size=21 * 1024 * 1024)
    assert "over 20 MB" in sent(calls)[0].text
    assert not [c for c in calls if c.method == "getFile"]


async def test_long_text_and_text_without_a_card(tg, db):
    olga = await owner(tg)
    assert "too long to be a business card" in sent(await olga.send("x " * 1500))[0].text
    assert "could not find a name" in sent(await olga.send("ok thanks"))[0].text
    assert await all_leads(db) == []


async def test_guided_entry_with_new(tg, db):
    olga = await owner(tg)
    [ask] = sent(await olga.send("/new"))
    assert "<b>Name</b>: send it" in ask.text
    await olga.send("Jan Novák")
    await olga.send("Bohemia Soft s.r.o.")
    calls = await olga.tap(ask, "Skip")  # no title
    assert "<b>Email</b>: send it" in sent(calls, "editMessageText")[0].text
    await olga.send("jan@bohemiasoft.cz")
    calls = await olga.send("+420 602 111 222")
    [preview] = sent(calls, "editMessageText")
    assert "Jan Novák" in preview.text and "Not found: Title, Website, Address" in preview.text
    await olga.tap(preview, "Save")
    [lead] = await all_leads(db)
    assert lead.company == "Bohemia Soft s.r.o." and lead.phones == ["+420602111222"]


async def test_a_draft_survives_a_restart(tg, db, settings):
    from bot.app import build_application
    from tests.telegram_fake import FakeTelegram, RecordingRequest

    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    await tg.app.shutdown()  # the bot goes away with the preview unanswered
    request = RecordingRequest()
    app = build_application(settings, request=request, rate_limiter=False, migrate=False)
    async with app:
        olga_again = FakeTelegram(app, request).person(ADMIN_ID, "Olga")
        calls = await olga_again.send("/start")  # the rep picks it up again
        *_, notice, again = sent(calls)
        assert "not saved yet" in notice.text and "Ana Kovačević" in again.text
        calls = await olga_again.tap(again, "Save")
        assert "Saved <b>Ana Kovačević</b>" in sent(calls, "editMessageText")[0].text
        stale = await olga_again.tap(preview, "Save")  # the first preview was replaced
        assert "already saved or discarded" in [c for c in stale if c.method == "answerCallbackQuery"][0].params["text"]
    await state_of(app).db.dispose()
    await tg.app.initialize()
    assert len(await all_leads(db)) == 1


async def test_a_server_without_tesseract_says_so(tg, monkeypatch):
    from bot.domain import ocr

    def missing() -> str:
        raise ocr.OcrUnavailable("no tessdata")

    monkeypatch.setattr(ocr, "_tessdata", missing)
    state_of(tg.app).card_reader = ocr.CardReader()
    olga = await owner(tg)
    calls = await olga.send_photo((CARDS / "en-00.jpg").read_bytes())
    assert "not set up on this server" in sent(calls, "editMessageText")[0].text
