"""Capturing a card through the real handlers: every input path, edit, duplicates, bad input, and the
draft that outlives any other flow. Every update here writes at most once and never calls Telegram
while a write is open (checked for each update by the `_unit_of_work` fixture)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import insert
from sqlmodel import select

from bot.db import Database, Scope, alembic_config
from bot.domain.cards import Card, email_error
from bot.state import state_of
from models import Activity, CardDraft, FlowState, Lead, LeadSource, Member, Role, Stage, Team
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.support import ANA, add_lead, alert, all_leads, catalogue, msg, owner, says, sent
from tests.telegram_fake import Call, FakeTelegram, Person

CARDS = Path(__file__).resolve().parents[1] / "data" / "cards"
GONE = "This card was already saved or discarded."
SAVED = "Saved <b>{name}</b> ({company}) as a lead."
DUPLICATE = "⚠️ Already in your team: <b>{name}</b> ({company}). Merge the new details into it, or save a new record?"
NEEDS_MORE = "A lead needs at least a name, a company, an e-mail or a phone."
UNSAVED = "You have a card that is not saved yet:"
CONSUMES_AN_ID = ("sendMessage", "sendPhoto", "sendDocument")


@pytest.fixture(autouse=True)
def _unit_of_work(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Per update: at most one write transaction, and no Bot API call while one is open."""
    if "tg" not in request.fixturenames:
        yield
        return
    tg: FakeTelegram = request.getfixturevalue("tg")
    app_db = state_of(tg.app).db
    inside: list[str] = []
    do_request, process = tg.request.do_request, tg.process

    async def checked_request(*args: Any, **kwargs: Any) -> Any:
        if app_db.writes_open:
            inside.append(str(args[1] if len(args) > 1 else kwargs.get("method")))
        return await do_request(*args, **kwargs)

    async def checked_process(data: dict[str, Any]) -> list[Call]:
        before = app_db.writes_started
        calls = await process(data)
        # A .vcf import is the deliberate exception: it writes in chunks (bot/services/capture.py).
        document = (data.get("message") or {}).get("document") or {}
        if not str(document.get("file_name", "")).endswith(".vcf"):
            assert app_db.writes_started - before <= 1, "more than one write transaction in one update"
        assert inside == [], f"Bot API calls inside a write transaction: {inside}"
        return calls

    monkeypatch.setattr(tg.request, "do_request", checked_request)
    monkeypatch.setattr(tg, "process", checked_process)
    yield


def message_id(tg: FakeTelegram, call: Call) -> int:
    """The id of the message `call` sent or edited (the recorder numbers new ones from 1000)."""
    if call.params.get("message_id"):
        return int(call.params["message_id"])
    new = [
        c
        for c in tg.request.calls
        if c.method in CONSUMES_AN_ID or (c.method.startswith("edit") and not c.params.get("message_id"))
    ]
    return 1000 + next(i for i, c in enumerate(new) if c is call)


async def tap(tg: FakeTelegram, person: Person, call: Call, text_part: str) -> list[Call]:
    """Tap a button on the very message `call` shows (the press carries that message's id)."""
    return await person.press(call.button(text_part)["callback_data"], message_id=message_id(tg, call))


async def drafts_in(db: Database) -> list[CardDraft]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(CardDraft))).all())


async def set_phone_region(db: Database, region: str) -> None:
    async with db.begin(Scope.system()) as s:
        team = (await s.exec(select(Team))).one()
        team.phone_region = region
        s.add(team)


async def test_typed_card_one_message_one_tap(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    assert says(preview, "{field}: {value}", field=msg("Name"), value="Ana Kovačević")
    assert says(preview, "{field}: {value}", field=msg("Phone"), value="+385912345678")
    assert says(preview, "Not found: {fields}", fields="Website, Address")
    [draft] = await drafts_in(db)  # committed before the preview was sent
    assert Card.from_dict(draft.card).full_name == "Ana Kovačević" and draft.message_id is None
    calls = await tap(tg, olga, preview, "Save")
    [saved] = sent(calls, "editMessageText")
    assert says(saved, SAVED, name="Ana Kovačević", company="Adria Solar d.o.o.")
    assert says(saved, "Where did this lead come from? Then qualify it now (a few questions, under a minute) or later.")
    [lead] = await all_leads(db)
    assert (lead.first_name, lead.last_name, lead.company, lead.stage) == (
        "Ana",
        "Kovačević",
        "Adria Solar d.o.o.",
        Stage.LEAD,
    )
    assert lead.emails == ["ana.kovacevic@adriasolar.hr"] and lead.phones == ["+385912345678"]
    assert lead.source is LeadSource.MEETING and lead.raw_card_text.startswith("Ana Kovačević")
    assert await drafts_in(db) == []
    # a double tap on Save does not save twice
    assert alert(await tap(tg, olga, preview, "Save")) == msg(GONE)
    assert len(await all_leads(db)) == 1
    # source and the event's name
    calls = await olga.tap(saved, msg("Referral"))
    assert alert(calls) == msg("Source saved.")
    assert (await all_leads(db))[0].source is LeadSource.REFERRAL
    [edited] = sent(calls, "editMessageText")
    assert edited.button(msg("✓ {source}", source=msg("Referral")))
    [ask] = sent(await olga.tap(saved, msg("Add the event's name")))
    assert says(ask, "Type the event's name or where you met (e.g. Sales Summit Zagreb).")
    [noted] = sent(await olga.send("Sales Summit Zagreb"))
    assert says(noted, "Noted: {detail}.", detail="Sales Summit Zagreb")
    assert (await all_leads(db))[0].source_detail == "Sales Summit Zagreb"


async def test_edit_a_field_with_validation_edits_the_preview_in_place(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    [fields] = sent(await tap(tg, olga, preview, "Edit"), "editMessageText")
    assert (await drafts_in(db))[0].message_id == message_id(tg, preview)  # learnt from the tap
    [prompt] = sent(await tap(tg, olga, fields, msg("Email")), "editMessageText")
    assert says(prompt, "<b>{field}</b>: send the new value, or - to clear it. /cancel stops.", field=msg("Email"))
    calls = await olga.send("not-an-email")
    [refusal] = sent(calls)
    assert says(refusal, "That e-mail address does not work: {reason}", reason=email_error("not-an-email"))
    calls = await olga.send("ana@adria.hr")
    [edited] = sent(calls, "editMessageText")
    assert edited.params["message_id"] == message_id(tg, preview) and "ana@adria.hr" in edited.text
    assert not sent(calls)  # nothing re-sent
    await tap(tg, olga, edited, "Save")
    assert (await all_leads(db))[0].emails == ["ana@adria.hr"]


async def test_phone_edit_reads_the_number_with_the_teams_region(tg, db):
    olga = await owner(tg)
    await set_phone_region(db, "HR")
    [preview] = sent(await olga.send(ANA))
    [fields] = sent(await tap(tg, olga, preview, "Edit"), "editMessageText")
    await tap(tg, olga, fields, msg("Phone"))
    [refusal] = sent(await olga.send("12345"))
    assert says(
        refusal,
        "I cannot read {value} as a phone number. Include the country code, e.g. +385 91 234 5678.",
        value="12345",
    )
    calls = await olga.send("091 765 4321")  # no country code: the team is in Croatia
    [edited] = sent(calls, "editMessageText")
    assert says(edited, "{field}: {value}", field=msg("Phone"), value="+385917654321")
    await tap(tg, olga, edited, "Save")
    assert (await all_leads(db))[0].phones == ["+385917654321"]


async def test_duplicate_offers_merge_and_merging_keeps_one_record(tg, db):
    olga = await owner(tg)
    [first] = sent(await olga.send(ANA))
    await tap(tg, olga, first, "Save")
    [second] = sent(await olga.send("ANA KOVACEVIC\nAdria Solar d.o.o.\nwww.adriasolar.hr\nIlica 1, 10000 Zagreb"))
    assert says(second, DUPLICATE, name="Ana Kovačević", company="Adria Solar d.o.o.")
    [merged] = sent(await tap(tg, olga, second, msg("Merge into the existing record")), "editMessageText")
    assert says(merged, "Merged into <b>{name}</b> ({company}).", name="Ana Kovačević", company="Adria Solar d.o.o.")
    [lead] = await all_leads(db)
    assert lead.website == "www.adriasolar.hr" and lead.address == "Ilica 1, 10000 Zagreb"
    async with db.begin(Scope.system()) as s:
        assert "card merged" in (await s.exec(select(Activity))).one().text
    [third] = sent(await olga.send("mail: ana.kovacevic@adriasolar.hr\nAna K."))
    assert says(third, DUPLICATE)
    await tap(tg, olga, third, msg("Save as new"))
    assert len(await all_leads(db)) == 2


async def test_duplicate_found_by_phone_only(tg, db):
    olga = await owner(tg)
    [first] = sent(await olga.send(ANA))
    await tap(tg, olga, first, "Save")
    # the same number written another way, and nothing else in common
    [second] = sent(await olga.send("www.adriasolar.hr\nMob: 00385 (0)91 234-5678"))
    assert says(second, DUPLICATE, name="Ana Kovačević", company="Adria Solar d.o.o.")
    await tap(tg, olga, second, msg("Merge into the existing record"))
    [lead] = await all_leads(db)
    assert lead.phones == ["+385912345678"] and lead.website == "www.adriasolar.hr"
    assert lead.full_name == "Ana Kovačević"


async def test_discard_and_stale_buttons(tg, db):
    olga = await owner(tg)
    [old] = sent(await olga.send(ANA))
    calls = await olga.send("Ivo Horvat\nivo@horvat.hr")  # a second card replaces the first draft
    [new] = sent(calls)
    assert not sent(calls, "editMessageReplyMarkup")  # the old preview's id was never learnt
    assert alert(await tap(tg, olga, old, "Save")) == msg(GONE)  # its buttons are stale
    calls = await tap(tg, olga, new, "Discard")
    assert says(sent(calls, "editMessageText")[0], "Discarded. Nothing was saved.")
    assert await all_leads(db) == [] and await drafts_in(db) == []
    assert alert(await tap(tg, olga, new, "Discard")) == msg(GONE)


async def test_a_replaced_preview_whose_id_is_known_loses_its_buttons(tg, db):
    olga = await owner(tg)
    [old] = sent(await olga.send(ANA))
    [fields] = sent(await tap(tg, olga, old, "Edit"), "editMessageText")
    [back] = sent(await tap(tg, olga, fields, msg("« Back")), "editMessageText")
    assert back.params["message_id"] == message_id(tg, old) and back.button("Save")
    calls = await olga.send("Ivo Horvat\nivo@horvat.hr")
    [dropped] = sent(calls, "editMessageReplyMarkup")
    assert dropped.params["message_id"] == message_id(tg, old)
    [draft] = await drafts_in(db)
    assert Card.from_dict(draft.card).emails == ["ivo@horvat.hr"]


async def test_the_draft_survives_a_time_zone_chosen_by_button(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    [menu] = sent(await olga.send("/settings"))
    [zones] = sent(await olga.tap(menu, msg("Time zone")), "editMessageText")
    await olga.tap(zones, "Zagreb")
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(Member))).one().timezone == "Europe/Zagreb"
    calls = await tap(tg, olga, preview, "Save")
    assert says(sent(calls, "editMessageText")[0], SAVED, name="Ana Kovačević", company="Adria Solar d.o.o.")
    assert [lead.full_name for lead in await all_leads(db)] == ["Ana Kovačević"]


async def test_the_draft_survives_a_time_zone_typed_by_city(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    [menu] = sent(await olga.send("/settings"))
    [zones] = sent(await olga.tap(menu, msg("Time zone")), "editMessageText")
    await olga.tap(zones, msg("Another time zone…"))
    calls = await olga.send("Zagreb")  # answers the time zone question, not a card
    assert says(sent(calls)[0], "Time zone set to {zone}. Your local time is {time}. You can change it in /settings.")
    *_, notice, again = sent(await olga.send("/start"))  # still there, unsaved
    assert says(notice, UNSAVED) and "Ana Kovačević" in again.text
    calls = await tap(tg, olga, preview, "Save")
    assert says(sent(calls, "editMessageText")[0], SAVED, name="Ana Kovačević", company="Adria Solar d.o.o.")
    assert len(await all_leads(db)) == 1


async def test_the_draft_survives_opening_a_record(tg, db):
    olga = await owner(tg)
    async with db.read(Scope.system()) as s:
        me = (await s.exec(select(Member))).one()
    ivo = await add_lead(db, me, "Ivo")
    [preview] = sent(await olga.send(ANA))
    [card] = sent(await olga.press(f"1rec:{ivo.id}"), "editMessageText")
    assert "Ivo" in card.text
    calls = await tap(tg, olga, preview, "Save")
    assert says(sent(calls, "editMessageText")[0], SAVED, name="Ana Kovačević", company="Adria Solar d.o.o.")
    assert sorted(lead.full_name for lead in await all_leads(db)) == ["Ana Kovačević", "Ivo"]


async def test_cancel_during_an_edit_keeps_the_draft(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    [fields] = sent(await tap(tg, olga, preview, "Edit"), "editMessageText")
    await tap(tg, olga, fields, msg("Company"))
    await olga.send("/cancel")
    async with db.read(Scope.system()) as s:
        assert (await s.exec(select(FlowState))).all() == []
    *_, notice, again = sent(await olga.send("/start"))
    assert says(notice, UNSAVED)
    await tap(tg, olga, again, "Save")
    assert (await all_leads(db))[0].company == "Adria Solar d.o.o."


async def test_shared_contact(tg, db):
    olga = await owner(tg)
    calls = await olga.send_message(
        contact={"phone_number": "385912345678", "first_name": "Marko", "last_name": "Jurić"}
    )
    [preview] = sent(calls)
    assert "Marko Jurić" in preview.text and "+385912345678" in preview.text
    await tap(tg, olga, preview, "Save")
    assert (await all_leads(db))[0].phones == ["+385912345678"]


VCF_ONE = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Novak;Petra;;;\r\nFN:Petra Novak\r\nORG:Moravia Stavby s.r.o.\r\n"
    b"TITLE:Jednatelka\r\nTEL;TYPE=CELL:+420 602 123 456\r\nEMAIL:petra@moravia.cz\r\nEND:VCARD\r\n"
)


async def test_vcf_with_one_contact_goes_to_preview(tg, db):
    olga = await owner(tg)
    [preview] = sent(await olga.send_document(VCF_ONE, "petra.vcf", "text/vcard"))
    assert "Petra Novak" in preview.text and "Moravia Stavby s.r.o." in preview.text and "+420602123456" in preview.text
    await tap(tg, olga, preview, "Save")
    assert (await all_leads(db))[0].job_title == "Jednatelka"


async def test_vcf_with_many_contacts_imports_suspects_and_reports(tg, db):
    olga = await owner(tg)
    [first] = sent(await olga.send(ANA))
    await tap(tg, olga, first, "Save")
    many = VCF_ONE + (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Kovacevic\r\nEMAIL:ana.kovacevic@adriasolar.hr\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Wojcik;Tomasz\r\nTEL:+48 601 234 567\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;;;:\r\nEND:VCARD\r\n"
    )
    calls = await olga.send_document(many, "list.vcf", "text/x-vcard")
    [progress] = sent(calls)
    assert says(progress, "Importing the contacts file: {done} of {n} done…")
    [summary] = [c for c in calls if c.method == "editMessageText"]
    assert summary.params["message_id"] == message_id(tg, progress)  # the same message, edited
    t = catalogue()
    assert t.plural("Imported {n} contact as a suspect.", "Imported {n} contacts as suspects.", 2) in summary.text
    assert (
        t.plural(
            "Skipped {n} already in your team: {names}.",
            "Skipped {n} already in your team: {names}.",
            1,
            names="Ana Kovacevic",
        )
        in summary.text
    )
    assert msg("Not imported:") in summary.text
    assert msg("without a name, company, e-mail or phone: {n}", n=1) in summary.text
    leads = await all_leads(db)
    assert [lead.stage for lead in leads] == [Stage.LEAD, Stage.SUSPECT, Stage.SUSPECT]


async def test_malformed_vcf_and_other_files(tg, db):
    olga = await owner(tg)
    calls = await olga.send_document(b"no contacts here", "x.vcf", "text/vcard")
    assert says(sent(calls)[0], "I could not read any contact in that file. Is it a vCard (.vcf) file?")
    calls = await olga.send_document(b"BEGIN:VCARD\r\ngarbage", "x.vcf", "text/vcard")
    assert msg("cut off (BEGIN:VCARD without END:VCARD): {n}", n=1) in sent(calls)[0].text
    calls = await olga.send_document(b"%PDF-1.4", "deck.pdf", "application/pdf")
    assert says(sent(calls)[0], "I can read business cards from photos, image files, .vcf files and text.")
    assert await all_leads(db) == [] and await drafts_in(db) == []


async def test_card_photo_is_read_offline_and_previewed(tg, db):
    olga = await owner(tg)
    calls = await olga.send_photo((CARDS / "hr-01.jpg").read_bytes())
    [placeholder] = sent(calls)
    assert placeholder.text == msg("Reading the card…")
    [preview] = sent(calls, "editMessageText")
    assert preview.params["message_id"] == message_id(tg, placeholder)
    assert "Ivan Horvat" in preview.text and "Konzum Trgovina d.d." in preview.text
    [draft] = await drafts_in(db)  # the placeholder was sent first: its id is kept with the draft
    assert draft.message_id == message_id(tg, placeholder)
    await tap(tg, olga, preview, "Save")
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
    assert says(
        answer,
        "I could not read a card in that picture. Try again in good light with the card filling the frame, "
        "or type the details.",
    ) or says(answer, "That file is not an image I can open. Send a photo of the card.")
    assert await all_leads(db) == [] and await drafts_in(db) == []
    async with db.begin(Scope.system()) as s:
        assert (await s.exec(select(FlowState))).all() == []


async def test_a_20_mb_image_is_refused_before_download(tg):
    olga = await owner(tg)
    calls = await olga.send_photo(b"x", size=21 * 1024 * 1024)
    assert says(
        sent(calls)[0], "That image is over 20 MB, more than Telegram lets me download. Send it as a photo instead."
    )
    assert not [c for c in calls if c.method == "getFile"]


async def test_long_text_and_text_without_a_card(tg, db):
    olga = await owner(tg)
    assert says(
        sent(await olga.send("x " * 1500))[0], "That is too long to be a business card. Send just the card's text."
    )
    assert says(
        sent(await olga.send("ok thanks"))[0],
        "I could not find a name, company, e-mail or phone in that. Send the card's text, a photo of the card, "
        "a shared contact or a .vcf file, or use /new to type it field by field.",
    )
    assert await all_leads(db) == []


async def test_guided_entry_with_new(tg, db):
    olga = await owner(tg)
    [ask] = sent(await olga.send("/new"))
    assert ask.text == msg("<b>{field}</b>: send it, or tap Skip. /cancel stops.", field=msg("Name"))
    await olga.send("Jan Novák")
    [company] = sent(await olga.send("Bohemia Soft s.r.o."), "editMessageText")
    assert company.params["message_id"] == message_id(tg, ask)  # the same question message, edited
    calls = await tap(tg, olga, company, "Skip")  # no title
    [email] = sent(calls, "editMessageText")
    assert email.text == msg("<b>{field}</b>: send it, or tap Skip. /cancel stops.", field=msg("Email"))
    await olga.send("jan@bohemiasoft.cz")
    calls = await olga.send("+420 602 111 222")
    [preview] = sent(calls, "editMessageText")
    assert preview.params["message_id"] == message_id(tg, ask)
    assert "Jan Novák" in preview.text and says(preview, "Not found: {fields}", fields="Title, Website, Address")
    await tap(tg, olga, preview, "Save")
    [lead] = await all_leads(db)
    assert lead.company == "Bohemia Soft s.r.o." and lead.phones == ["+420602111222"]
    assert await drafts_in(db) == []


async def test_new_with_everything_skipped_asks_again(tg, db):
    olga = await owner(tg)
    [ask] = sent(await olga.send("/new"))
    shown = ask
    for _ in range(4):
        [shown] = sent(await tap(tg, olga, shown, "Skip"), "editMessageText")
    calls = await tap(tg, olga, shown, "Skip")  # the last question skipped too
    assert says(sent(calls)[0], NEEDS_MORE)
    await olga.send("Jan Novák")  # the first question again
    [draft] = await drafts_in(db)
    assert Card.from_dict(draft.card).full_name == "Jan Novák"
    assert await all_leads(db) == []


async def test_a_draft_survives_a_restart(tg, db, settings):
    from bot.app import build_application
    from tests.telegram_fake import RecordingRequest

    olga = await owner(tg)
    [preview] = sent(await olga.send(ANA))
    await tg.app.shutdown()  # the bot goes away with the preview unanswered
    request = RecordingRequest()
    app = build_application(settings, request=request, rate_limiter=False, migrate=False)
    async with app:
        olga_again = FakeTelegram(app, request).person(ADMIN_ID, "Olga")
        calls = await olga_again.send("/start")  # the rep picks it up again
        *_, notice, again = sent(calls)
        assert says(notice, UNSAVED) and "Ana Kovačević" in again.text
        calls = await olga_again.tap(again, "Save")
        assert says(sent(calls, "editMessageText")[0], SAVED, name="Ana Kovačević", company="Adria Solar d.o.o.")
        stale = await olga_again.tap(preview, "Save")  # the same draft: saved already
        assert alert(stale) == msg(GONE)
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
    assert says(
        sent(calls, "editMessageText")[0],
        "Reading photos is not set up on this server yet. Please type or paste the card's text.",
    )


async def _team_before_0006(db: Database, name: str, base_id: int) -> dict[str, Member]:
    """`make_team` on a schema older than 0006: the member rows with the columns of then only."""
    now = utcnow()
    async with db.begin(Scope.system()) as s:
        team = Team(name=name)
        s.add(team)
        await s.flush()
        people = {}
        for offset, who in enumerate(("owner", "manager", "rep1", "rep2")):
            values: dict[str, Any] = {
                "team_id": team.id,
                "telegram_user_id": base_id + offset,
                "first_name": who,
                "role": Role.REP if who.startswith("rep") else Role(who),
                "language": "en",
                "timezone": "Europe/Zagreb",
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
            result = await s.exec(insert(Member.__table__).values(**values))
            people[who] = Member(id=result.inserted_primary_key[0], **values)
    return people


async def _lead_before_0011(db: Database, owner: Member, name: str) -> Lead:
    """`add_lead` on a schema older than 0011: the lead row with the columns of then only."""
    now = utcnow()
    values: dict[str, Any] = {
        "team_id": owner.team_id,
        "owner_id": owner.id,
        "code": "old0lead",
        "first_name": name,
        "emails": [],
        "phones": [],
        "qualification": {},
        "name_key": name.lower(),
        "company_key": "",
        "search_text": name.lower(),
        "stage": Stage.LEAD.value,
        "parked": False,
        "created_at": now,
        "updated_at": now,
    }
    columns = {c.key: c for c in Lead.__table__.columns}  # type: ignore[attr-defined]
    async with db.begin(Scope.system()) as s:
        table = sa.table("lead", *(sa.column(k, columns[k].type) for k in values))
        result = await s.exec(insert(table).values(**values).returning(sa.column("id")))
        return Lead(id=result.scalar_one(), **values)


async def test_migration_moves_waiting_previews_out_of_flows(tmp_path):
    """0004: a preview waiting in `flow_state` becomes a draft; other flows stay where they are."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    old = Database(url)

    def upgrade(target: str) -> Any:
        def run(connection: Any) -> None:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, target)

        return run

    try:
        async with old.engine.begin() as conn:
            await conn.run_sync(upgrade("0003"))
        people = await _team_before_0006(old, "Adria", 7200)
        lead = await _lead_before_0011(old, people["owner"], "Ana")
        card = Card(first_name="Ivo", emails=["ivo@acme.hr"]).to_dict()
        async with old.begin(Scope.system()) as s:
            for who, flow, step, data in (
                ("owner", "card", "preview", {"nonce": "a1b2c3d4", "card": card, "dup": lead.id}),
                ("manager", "card", "preview", {"nonce": "e5f6a7b8", "card": card, "dup": 999999}),
                ("rep1", "tz", "", {}),
            ):
                member = people[who]
                s.add(
                    FlowState(
                        member_id=member.id,
                        team_id=member.team_id,
                        flow=flow,
                        step=step,
                        data=data,
                        chat_id=7,
                        message_id=8,
                    )
                )
        async with old.engine.begin() as conn:
            await conn.run_sync(upgrade("head"))
        async with old.read(Scope.system()) as s:
            drafts = {d.member_id: d for d in (await s.exec(select(CardDraft))).all()}
            flows = (await s.exec(select(FlowState))).all()
        assert set(drafts) == {people["owner"].id, people["manager"].id}
        mine = drafts[people["owner"].id]
        assert (mine.nonce, mine.card, mine.duplicate_id, mine.chat_id, mine.message_id) == (
            "a1b2c3d4",
            card,
            lead.id,
            7,
            8,
        )
        assert drafts[people["manager"].id].duplicate_id is None  # that record is gone
        assert [(f.member_id, f.flow) for f in flows] == [(people["rep1"].id, "tz")]
    finally:
        await old.dispose()


async def test_a_guess_is_marked_and_fixed_with_one_tap(tg, db):
    olga = await owner(tg)
    # No e-mail spells the name and nothing else tells it is one: the name is a guess.
    [preview] = sent(await olga.send("Ana Horvat\nAcme d.o.o.\n+385 91 234 5678"))
    assert says(preview, "❓ {field}: {value}", field=msg("Name"), value="Ana Horvat")
    assert says(preview, "❓ My guess, not sure: tap it below to correct it, or save it as it is.")
    assert not says(preview, "❓ {field}: {value}", field=msg("Company"), value="Acme d.o.o.")
    calls = await tap(tg, olga, preview, msg("❓ {field}", field=msg("Name")))  # one tap: the name's prompt
    [prompt] = sent(calls, "editMessageText")
    assert says(prompt, "<b>{field}</b>: send the new value, or - to clear it. /cancel stops.", field=msg("Name"))
    calls = await olga.send("Ana Horvat-Kovač")
    [fixed] = sent(calls, "editMessageText")
    assert says(fixed, "{field}: {value}", field=msg("Name"), value="Ana Horvat-Kovač")
    assert "❓" not in fixed.text
    await tap(tg, olga, fixed, "Save")
    assert (await all_leads(db))[0].last_name == "Horvat-Kovač"


async def test_an_image_too_large_is_refused_in_a_sentence(tg, db):
    from tests.unit.test_image_limits import png_header

    olga = await owner(tg)
    calls = await olga.send_document(png_header(8900, 8900, b"\x00" * 500), "card.png", "image/png")
    [answer] = sent(calls, "editMessageText")
    assert says(
        answer,
        "That image is too large to read ({megapixels} megapixels). Send a photo of the card of at most "
        "{limit} megapixels.",
        megapixels=79,
        limit=40,
    )
    assert await drafts_in(db) == []
