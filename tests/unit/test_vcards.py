"""The vCard reader: crafted files that used to hold the interpreter, bounds, reasons, and
properties over random input (random text and bytes, huge, nested, unterminated)."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import vcards
from bot.domain.vcards import MAX_CONTACTS, parse_mecard, parse_vcards, read_vcards

CONTACT = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Novak{i};Petra;;;\r\nORG:Moravia s.r.o.\r\nEMAIL:p{i}@moravia.cz\r\nEND:VCARD\r\n"
)


def contacts(n: int) -> bytes:
    return "".join(CONTACT.format(i=i) for i in range(n)).encode()


def test_begin_repeated_without_end_is_refused_contact_by_contact():
    # The crafted file (the old splitting regex was quadratic on it: 28.8 s for 240 KB).
    data = b"BEGIN:VCARD\n" * 20_000
    result = parse_vcards(data)
    assert result.cards == [] and result.contacts == 20_000
    assert set(result.rejected) == {vcards.UNTERMINATED} and len(result.rejected) == 20_000


def test_an_unterminated_contact_loses_only_itself():
    data = b"BEGIN:VCARD\nFN:Ana Horvat\nEMAIL:ana@acme.hr\n" + contacts(2) + b"BEGIN:VCARD\nFN:Ivo\n"
    result = parse_vcards(data)
    assert [c.last_name for c in result.cards] == ["Novak0", "Novak1"]
    assert [(r.position, r.reason, r.label) for r in result.refusals] == [
        (1, vcards.UNTERMINATED, "Ana Horvat"),
        (4, vcards.UNTERMINATED, "Ivo"),
    ]


def test_a_parameter_list_that_made_vobject_backtrack_is_read_at_once():
    line = "TEL;TYPE=" + "," * 5000 + ":+385 91 234 5678"
    result = parse_vcards(f"BEGIN:VCARD\r\nFN:Ana Horvat\r\n{line}\r\nEND:VCARD\r\n")
    assert result.cards[0].phones == ["+385912345678"]


def test_nested_agent_contacts_are_skipped_with_their_lines():
    data = (
        "BEGIN:VCARD\nVERSION:2.1\nN:Horvat;Ana\nAGENT:\nBEGIN:VCARD\nN:Boss;Big\nEMAIL:boss@acme.hr\n"
        "END:VCARD\nEMAIL:ana@acme.hr\nEND:VCARD\n"
    )
    [card] = parse_vcards(data).cards
    assert (card.first_name, card.emails) == ("Ana", ["ana@acme.hr"])


def test_vcard_21_quoted_printable_folding_and_escapes():
    data = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Kova=C4=8Devi=C4=\r\n=87;Ana\r\n"
        "ORG:Acme\\, d.o.o.;Prodaja\r\nTITLE:Direktorica\r\n  prodaje\r\nTEL;CELL;FAX:+385 1 234 5678\r\n"
        "EMAIL;INTERNET:ana@acme.hr\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRg\r\n AAAQABAAD\r\nEND:VCARD\r\n"
    )
    [card] = parse_vcards(data.encode()).cards
    assert (card.first_name, card.last_name) == ("Ana", "Kovačević")
    assert card.company == "Acme, d.o.o. Prodaja" and card.job_title == "Direktorica prodaje"
    assert card.phones == [] and card.emails == ["ana@acme.hr"]
    assert "PHOTO" not in card.raw_text


def test_utf16_and_bom():
    text = "BEGIN:VCARD\r\nFN:Ана Ристова\r\nEND:VCARD\r\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        assert parse_vcards(data).cards[0].last_name == "Ристова"


def test_contacts_over_the_limit_are_counted_not_dropped():
    result = parse_vcards(contacts(MAX_CONTACTS + 3))
    assert len(result.cards) == MAX_CONTACTS
    assert result.rejected == [vcards.OVER_LIMIT] * 3


def test_a_contact_over_its_bounds_is_refused_alone():
    huge = "BEGIN:VCARD\nFN:Big One\n" + "".join(f"EMAIL:a{i}@acme.hr\n" for i in range(600)) + "END:VCARD\n"
    result = parse_vcards(huge + contacts(1).decode())
    assert len(result.cards) == 1 and result.refusals[0].reason == vcards.TOO_LARGE
    assert result.refusals[0].label == "Big One"


def test_a_file_past_its_time_budget_refuses_the_rest(monkeypatch):
    monkeypatch.setattr(vcards, "FILE_SECONDS", -1.0)
    result = parse_vcards(contacts(3))
    assert result.cards == [] and result.rejected == [vcards.TOO_SLOW] * 3


async def test_a_large_file_is_read_in_the_worker_process():
    try:
        result = await read_vcards(contacts(300), in_thread_bytes=1_000)
    finally:
        vcards.close_pool()
    assert len(result.cards) == 300 and result.cards[-1].emails == ["p299@moravia.cz"]


def test_the_worst_files_of_each_kind_are_read_in_bounded_time():
    # Not a timing assertion of the product (see bench/imports.py): a guard against a quadratic
    # reader coming back, with a bound a hundred times the measured time.
    size = vcards.MAX_VCF_BYTES
    worst = [
        b"BEGIN:VCARD\n" * (size // 12),
        ("BEGIN:VCARD\nTEL;X=" + "," * (size - 40) + ":1\nEND:VCARD\n").encode(),
        b"BEGIN:VCARD\nNOTE;ENCODING=QUOTED-PRINTABLE:" + b"=\n" * (size // 3),
    ]
    for data in worst:
        started = time.perf_counter()
        parse_vcards(data)
        assert time.perf_counter() - started < 60


# -- properties ----------------------------------------------------------------------------------
LINE_CHOICES = [
        "BEGIN:VCARD", "END:VCARD", "VERSION:3.0", "N:Horvat;Ana;;;", "FN:Ana Horvat", "ORG:Acme;Sales",
        "EMAIL:ana@acme.hr", "TEL:+385 91 234 5678", "TEL;TYPE=FAX:+38514567891", "AGENT:", " folded",
        "ADR:;;Ilica 1;Zagreb;;10000;HR", "N;ENCODING=QUOTED-PRINTABLE:Kova=C4=8D=", "=", "PHOTO;ENCODING=b:AAAA",
        'TEL;TYPE="a:b":123', "TEL;X=,,,,,,,,,,,,,,,,,,,,,,,,,,,:1", "\x00", "\u202e", "",
]  # fmt: skip
LINES = st.sampled_from(LINE_CHOICES)
VCARD_TEXT = st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=80).map("\r\n".join)


def _consistent(result: vcards.VcardResult) -> None:
    assert len(result.rejected) == len(result.refusals) or result.rejected in (
        [vcards.NO_CONTACT],
        [vcards.FILE_TOO_LARGE],
    )
    for card in result.cards:
        assert not card.is_empty


@given(VCARD_TEXT)
def test_any_text_is_read_or_refused_never_raised(text):
    result = parse_vcards(text)
    _consistent(result)
    if result.contacts:
        assert len(result.cards) + len(result.refusals) == result.contacts


@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data):
    _consistent(parse_vcards(data))
    _consistent(parse_vcards(b"BEGIN:VCARD\r\n" + data + b"\r\nEND:VCARD\r\n"))


@settings(max_examples=15)
@given(st.integers(min_value=1, max_value=4), st.integers(min_value=1, max_value=3000), LINES)
def test_huge_repetitive_input(depth, repeat, line):
    data = ("BEGIN:VCARD\n" * depth + (line + "\n") * repeat + "END:VCARD\n").encode()
    result = parse_vcards(data)
    assert len(result.cards) + len(result.refusals) == result.contacts


@given(st.text(max_size=500))
def test_mecard_never_raises(text):
    card = parse_mecard("MECARD:" + text)
    assert card is None or not card.is_empty
