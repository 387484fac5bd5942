"""Large .vcf imports and dirty text, through the real handlers: the reproductions of issue 13
(an import that locked everyone out, contacts dropped past 500, a company line PostgreSQL could not
store, invisible characters and NUL typed with /new)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.db import Scope
from bot.domain import vcards
from bot.services import capture
from models import CardDraft, ContactPoint, Lead, Stage, limits
from tests.support import all_leads, catalogue, make_team, msg, owner, says, sent
from tests.telegram_fake import Call

CONTACT = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Novak{i};Petra;;;\r\nORG:Moravia s.r.o.\r\n{emails}END:VCARD\r\n"


def vcf(n: int, emails: int = 1, first: int = 0) -> bytes:
    return "".join(
        CONTACT.format(i=i, emails="".join(f"EMAIL:petra{i}.{k}@moravia.cz\r\n" for k in range(emails)))
        for i in range(first, first + n)
    ).encode()


PROGRESS = "Importing the contacts file: {done} of {n} done…"
NUL_REFUSED = (
    "That text holds control characters (such as a NUL) that cannot be stored. Please send it again without them."
)
DUPLICATE = "⚠️ Already in your team: <b>{name}</b> ({company}). Merge the new details into it, or save a new record?"


@pytest.fixture(autouse=True)
def _reader_worker() -> Iterator[None]:
    yield
    vcards.close_pool()  # the worker process large files are read in


def report(calls: list[Call]) -> str:
    return [c for c in calls if c.method == "editMessageText"][-1].text


def imported(n: int) -> str:
    return catalogue().plural("Imported {n} contact as a suspect.", "Imported {n} contacts as suspects.", n)


def skipped(n: int, names: str) -> str:
    return catalogue().plural(
        "Skipped {n} already in your team: {names}.", "Skipped {n} already in your team: {names}.", n, names=names
    )


async def test_an_import_with_many_emails_leaves_another_team_served(tg, db):
    olga = await owner(tg)
    other = await make_team(db, "Other", 7000)
    ivo = tg.person(other["rep1"].telegram_user_id, "Ivo")
    calls, running = tg.request.calls, asyncio.Event()
    tg.request.on_call = lambda call: running.set() if says(call, PROGRESS) else None
    importing = asyncio.create_task(olga.send_document(vcf(500, emails=10), "list.vcf", "text/vcard"))
    await running.wait()  # the import's progress message is out: its chunks are being written
    # Another member's update that writes (a draft), sent while the import runs.
    [preview] = sent(await ivo.send("Ana Horvat\nAcme d.o.o.\nana@acme.hr"))
    assert says(preview, "<b>New lead</b>: check it, then save.")
    finished = await importing
    assert calls.index(preview) < calls.index(finished[-1])  # answered before the import ended
    assert report(finished) == imported(500)
    leads = await all_leads(db)
    assert len([lead for lead in leads if lead.stage is Stage.SUSPECT]) == 500
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(ContactPoint))).all()) == 5000
        assert len((await s.exec(select(CardDraft))).all()) == 1  # Ivo's


async def test_ten_thousand_contacts_are_all_accounted_for(tg, db):
    olga = await owner(tg)
    data = (
        vcf(vcards.MAX_CONTACTS - 2)
        + vcf(1, first=0)  # the file's first contact again: a duplicate
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nothing else\r\nEND:VCARD\r\n"  # empty
        + vcf(2, first=20_000)  # past the limit
    )
    calls = await olga.send_document(data, "all.vcf", "text/vcard")
    text = report(calls)
    assert imported(vcards.MAX_CONTACTS - 2) in text and skipped(1, "Petra Novak0") in text
    assert msg("without a name, company, e-mail or phone: {n}", n=1) in text
    assert msg("over the limit of {limit} contacts per file: {n}", n=2, limit=vcards.MAX_CONTACTS) in text
    assert len(text) <= 4096
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(Lead.id))).all()) == vcards.MAX_CONTACTS - 2


async def test_sending_the_file_again_skips_what_was_imported(tg, db):
    olga = await owner(tg)
    # An import cut short after its first 40 contacts (as if the process had died) ...
    async with db.begin(capture.team_wide(await _member(db))) as s:
        cards = vcards.parse_vcards(vcf(40)).cards
        await capture.import_cards(s, await _member(db), cards, now=_now(), rejected=[])
    # ... then the whole file again: only the rest is imported, the others are named as duplicates.
    text = report(await olga.send_document(vcf(100), "list.vcf", "text/vcard"))
    names = ", ".join(f"Petra Novak{i}" for i in range(10))
    assert text.startswith(imported(60)) and msg("{names} and {n} more", names=names, n=30) in text
    assert len(await all_leads(db)) == 100


async def test_a_company_line_of_1950_characters_is_saved(tg, db):
    olga = await owner(tg)
    company = "Adria Solar " + "i Partneri " * 176 + "d.o.o."
    assert len(company) >= 1950
    [preview] = sent(await olga.send(f"Ana Horvat\n{company}\nana@adriasolar.hr"))
    await olga.press(preview.button("Save")["callback_data"])
    data = f"BEGIN:VCARD\r\nFN:Ivo Ivić\r\nORG:{company}\r\nEMAIL:ivo@adriasolar.hr\r\nEND:VCARD\r\n".encode()
    text = report(await olga.send_document(data + vcf(2), "list.vcf", "text/vcard"))
    assert text == imported(3)
    leads = await all_leads(db)
    assert len(leads) == 4
    for lead in leads[:2]:
        assert len(lead.company or "") <= limits.COMPANY and (lead.company or "").endswith("…")
    assert company in (leads[0].raw_card_text or "")  # the whole line is kept with the card's text


async def test_new_drops_invisible_characters_and_refuses_nul(tg, db):
    olga = await owner(tg)
    await olga.send("/new")
    calls = await olga.send("Ana\x00 Horvat")
    assert says(
        sent(calls)[0],
        "That text holds control characters (such as a NUL) that cannot be stored. Please send it again without them.",
    )
    await olga.send("Ana \u202eavroH\u200b")
    await olga.send("\u200bAcme\u2060 d.o.o.\u202c")
    async with db.read(Scope.system()) as s:
        card = (await s.exec(select(CardDraft))).one().card
    assert (card["first_name"], card["last_name"], card["company"]) == ("Ana", "avroH", "Acme d.o.o.")


async def test_zero_width_characters_do_not_defeat_duplicate_detection(tg):
    olga = await owner(tg)
    [first] = sent(await olga.send("Ana Horvat\nAcme d.o.o.\nana@acme.hr"))
    await olga.press(first.button("Save")["callback_data"])
    [again] = sent(await olga.send("Ana\u200b Hor\u200dvat\nAcme\u2060 d.o.o.\n+385 91 234 5678"))
    assert says(
        again, "⚠️ Already in your team: <b>{name}</b> ({company}). Merge the new details into it, or save a new record?"
    )


async def _member(db):
    from models import Member

    async with db.read(Scope.system()) as s:
        return (await s.exec(select(Member))).one()


def _now():
    from models.base import utcnow

    return utcnow()
