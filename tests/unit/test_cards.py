"""Card reading: hand-written cards in every language, the labelled corpus, vCard/MECARD, bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.domain.cards import LANGUAGE_REGION, email_error, parse_card, repair_ocr
from bot.domain.vcards import MAX_VCF_BYTES, parse_mecard, parse_vcards

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "cards"
sys.path.insert(0, str(ROOT / "bench"))
from cards import compare  # noqa: E402

# Written by hand, in layouts the corpus generator does not make.
HAND = [
    (
        "hr",
        "DALMA d.o.o. | Put Supavla 1, 21000 Split\nmr. Krešimir Đurđević, voditelj prodaje\n"
        "mob. 098 123 4567, fax 021 555 666\nkresimir.durdevic@dalma.hr",
        {
            "company": "DALMA d.o.o.",
            "emails": ["kresimir.durdevic@dalma.hr"],
            "phones": ["+385981234567"],
            "first_name": "mr. Krešimir",
            "last_name": "Đurđević",
            "job_title": "voditelj prodaje",
        },
    ),
    (
        "cs",
        "Ing. Zdeněk Čermák\nředitel obchodu\nTECHNOPLAST a.s.\nPrůmyslová 1472/11, 102 00 Praha 10\n"
        "+420 777 123 456\nzdenek.cermak@technoplast.cz",
        {
            "first_name": "Ing. Zdeněk",
            "last_name": "Čermák",
            "job_title": "ředitel obchodu",
            "company": "TECHNOPLAST a.s.",
            "phones": ["+420777123456"],
        },
    ),
    (
        "pl",
        "Grzegorz Brzęczyszczykiewicz – Kierownik Zakupów\nPOLMEX Sp. z o.o.\nul. Długa 5, 80-831 Gdańsk\n"
        "tel. kom. 512 345 678\ng.brzeczyszczykiewicz@polmex.pl",
        {"company": "POLMEX Sp. z o.o.", "phones": ["+48512345678"], "emails": ["g.brzeczyszczykiewicz@polmex.pl"]},
    ),
    (
        "mk",
        "Благој Ѓорѓиев\nМенаџер за продажба\nБИТОЛА ПРОМ ДООЕЛ\nбул. Гоце Делчев 18, 1000 Скопје\n"
        "тел: 02 3111 222\nmob: 075 111 222\nblagoj@bitolaprom.mk",
        {
            "first_name": "Благој",
            "last_name": "Ѓорѓиев",
            "company": "БИТОЛА ПРОМ ДООЕЛ",
            "phones": ["+38923111222", "+38975111222"],
        },
    ),
    (
        "fa",
        "مهندس کامران صالحی\nمدیر فروش منطقه‌ای\nشرکت نوآوران پویا\nتلفن: ۰۲۱-۸۸۷۶۵۴۳۲\nkamran@novavaran.ir",
        {"company": "شرکت نوآوران پویا", "phones": ["+982188765432"], "emails": ["kamran@novavaran.ir"]},
    ),
    (
        "en",
        "Jane O'Neil, PhD\nVP Sales EMEA\nAcme Robotics GmbH\nFriedrichstraße 68, 10117 Berlin\n"
        "+49 30 1234567 (office)\njane.oneil@acme-robotics.de | acme-robotics.de",
        {
            "company": "Acme Robotics GmbH",
            "job_title": "VP Sales EMEA",
            "phones": ["+49301234567"],
            "website": "acme-robotics.de",
        },
    ),
]


@pytest.mark.parametrize(("language", "text", "expected"), HAND, ids=[h[0] for h in HAND])
def test_hand_written_cards(language, text, expected):
    card = parse_card(text, default_region=LANGUAGE_REGION[language])
    for field, value in expected.items():
        assert getattr(card, field) == value, (field, card)
    assert card.raw_text.startswith(text.split("\n")[0][:10])


def test_fax_numbers_are_not_phones():
    card = parse_card("Ana Horvat\nTel: +385 1 4567 890\nFax: +385 1 4567 891\nana@x.hr")
    assert card.phones == ["+38514567890"]


def test_nothing_is_invented():
    card = parse_card("Ana Horvat\nana@gmail.com")
    assert card.website is None and card.company is None and card.phones == []
    assert card.missing == ["job_title", "company", "phones", "website", "address"]


@pytest.mark.parametrize("text", ["", "hello", "1234", "x" * 10_000, "@@@ ... +++", "\u202e\u200f"])
def test_odd_text_never_raises(text):
    card = parse_card(text)
    assert card.emails == [] and card.phones == []


def test_persian_digits_and_reversed_phone_lines_are_fixed():
    card = parse_card("علی رضایی\n5432 8876 21 98+\nali@x.ir")
    assert card.phones == ["+982188765432"]


def test_ocr_slips_are_repaired():
    text = repair_ocr("ana(©acme.hr\nivo Qmarket.pl\nbob&firm.cz\nWisła sp. z 0.0.\nAcme pic")
    assert "ana@acme.hr" in text and "bob@firm.cz" in text and "sp. z o.o." in text and "Acme plc" in text


def test_email_errors_say_why():
    assert email_error("ana@acme.hr") is None
    assert "@" in email_error("ana.acme.hr")


def test_the_typed_corpus_meets_its_targets():
    names = json.loads((CORPUS / "index.json").read_text())
    rows = []
    for name in names:
        label = json.loads((CORPUS / f"{name}.json").read_text())
        card = parse_card((CORPUS / f"{name}.txt").read_text(), default_region=LANGUAGE_REGION[label["language"]])
        rows.append(compare(card, label))
    assert len(rows) >= 60

    def rate(*fields):
        hits = [r[f] for r in rows for f in fields]
        return sum(hits) / len(hits)

    assert rate("emails", "phones") >= 0.99
    assert min(rate("first_name", "last_name"), rate("company"), rate("job_title")) >= 0.92


def test_photos_of_every_language_are_read():
    from bot.domain.ocr import CardReader

    reader = CardReader()
    for name in ("en-00", "hr-05", "cs-10", "pl-03", "mk-01", "fa-06"):
        label = json.loads((CORPUS / f"{name}.json").read_text())
        if label["qr"]:
            label["website"] = label["qr_website"]
        result = reader.read(
            (CORPUS / f"{name}.jpg").read_bytes(),
            rep_language=label["language"],
            default_region=LANGUAGE_REGION[label["language"]],
        )
        right = compare(result.card, label)
        assert right["emails"] and right["company"], (name, result.card)
        assert sum(right.values()) >= (5 if label["language"] == "fa" else 7), (name, right)


def test_a_qr_code_wins_over_ocr():
    from bot.domain.ocr import CardReader

    result = CardReader().read((CORPUS / "mk-07.jpg").read_bytes(), rep_language="en")
    assert result.from_qr and result.card.first_name == "Ана" and result.card.last_name == "Ристова"


def test_vcards_many_and_broken():
    data = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Horvat;Ana;;;\nORG:Acme d.o.o.;Sales\nTEL;TYPE=FAX:+38514567891\n"
        "TEL:+385 91 234 5678\nEMAIL:ANA@ACME.HR\nADR:;;Ilica 1;Zagreb;;10000;Croatia\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ivo Ivić\nEND:VCARD\n"
        "BEGIN:VCARD\nthis is not a vcard\nEND:VCARD\n"
    )
    result = parse_vcards(data.encode())
    first, second = result.cards
    assert (first.first_name, first.last_name, first.company) == ("Ana", "Horvat", "Acme d.o.o. Sales")
    assert first.phones == ["+385912345678"] and first.emails == ["ANA@acme.hr"]
    assert first.address == "Ilica 1, 10000 Zagreb, Croatia"
    assert (second.first_name, second.last_name) == ("Ivo", "Ivić")
    assert len(result.rejected) == 1
    assert parse_vcards(b"hello").rejected == ["no_contact"]
    assert parse_vcards(b"x" * (MAX_VCF_BYTES + 1)).rejected == ["file_too_large"]


def test_mecard():
    card = parse_mecard("MECARD:N:Kovač,Ana;ORG:Acme;TEL:+385912345678;EMAIL:ana@acme.hr;;")
    assert (card.first_name, card.last_name, card.company, card.phones) == ("Ana", "Kovač", "Acme", ["+385912345678"])
    assert parse_mecard("MECARD:;;") is None


@pytest.mark.parametrize(
    "slogan",
    ["Vaš partner u gradnji", "Your partner in logistics", "Váš partner pro stavby", "Ваш партнер за градба"],
)
def test_a_slogan_with_a_title_word_on_a_company_card_is_not_a_title(slogan):
    """A company's card (no person on it): a slogan that speaks to the reader is no job title."""
    card = parse_card(f"Gradnja Plus d.o.o.\n{slogan}\nT: +385 1 4567 890\ninfo@gradnjaplus.hr\nwww.gradnjaplus.hr")
    assert card.job_title is None and card.full_name == ""
    assert card.company == "Gradnja Plus d.o.o."


def test_a_bare_title_on_a_card_without_a_readable_name_is_kept():
    card = parse_card("Sales Manager\nNorthwind Ltd\nsales@northwind.co.uk")
    assert card.job_title == "Sales Manager"


def test_an_email_whose_last_dot_was_lost_is_read_as_an_email_not_a_title():
    """OCR drops the dot before the top-level domain: "sales@khalijtrade ir"."""
    assert repair_ocr("E: sales@khalijtrade ir") == "E: sales@khalijtrade.ir"
    assert repair_ocr("Web: www.firma cz") == "Web: www.firma.cz"
    assert repair_ocr("Gradimo za vas ir") == "Gradimo za vas ir"
    read = "Khalij Trade Co.\nT: +98 21 1953 3760\nsales@khalijtrade ir\nwww.khalijtrade.ir"
    assert parse_card(read).job_title is None  # "sales" is a title word, but not on an e-mail's line
    assert parse_card(repair_ocr(read)).emails == ["sales@khalijtrade.ir"]
