"""Text hygiene and field limits: what is removed, what is kept, and properties over random text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.cards import Card
from bot.domain.hygiene import has_controls, tidy, tidy_card
from bot.services.leads import fold
from models import Lead, limits

INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200d\u2060\ufeff"


def test_bidi_and_zero_width_characters_are_removed():
    assert tidy("Ana \u202eavroH") == "Ana avroH"
    assert tidy("Ana\u200b Kova\u2060čević\ufeff") == "Ana Kovačević"
    for ch in INVISIBLE:
        assert tidy(f"A{ch}B") == "AB"


def test_nfc_and_white_space():
    assert tidy("Kovac\u030cevic\u0301") == "Kovačević"  # decomposed accents, composed
    assert tidy("Kovac\u030c") == "Kovač" and unicodedata.is_normalized("NFC", tidy("e\u0301"))
    assert tidy("  Ana \t\n Horvat  ") == "Ana Horvat"
    assert tidy("Ana\u00a0Horvat") == "Ana Horvat"


def test_the_persian_non_joiner_stays_inside_words_only():
    assert tidy("می\u200cخواهم") == "می\u200cخواهم"  # inside a Persian word: part of the spelling
    assert tidy("شرکت\u200c\u200cها") == "شرکت\u200cها"  # a run is one
    assert tidy("Ana\u200cHorvat") == "AnaHorvat"  # between Latin letters: nothing to keep apart
    assert tidy("\u200cعلی") == "علی" and tidy("علی\u200c") == "علی" and tidy("علی \u200c رضا") == "علی رضا"


def test_control_characters_are_removed_and_typed_ones_detected():
    assert tidy("Ana\x00Horvat\x07") == "AnaHorvat"
    assert tidy("a\x00b\r\nc\td", multiline=True) == "ab\nc d"
    assert has_controls("Ana\x00") and has_controls("\x1b[31m") and not has_controls("Ana\nHorvat\t")


def test_duplicate_keys_are_made_from_tidied_text():
    assert fold("Ana\u200b Horvat\u202e") == fold("Ana Horvat") == "ana horvat"
    assert fold("Kovac\u030cevic\u0301") == fold("Kovačević")


def test_a_card_is_cut_to_its_columns_and_the_raw_text_keeps_what_was_cut():
    company = "Adria " + "Solar " * 325  # 1,956 characters on one line
    card = tidy_card(Card(first_name="A" * 300, company=company, emails=[f"a{i}@acme.hr" for i in range(50)]))
    assert len(card.company or "") == limits.COMPANY and (card.company or "").endswith("…")
    assert len(card.first_name or "") == limits.FIRST_NAME
    assert len(card.emails) == limits.EMAILS
    raw = tidy_card(Card(company=company, raw_text=company))
    assert raw.raw_text == company.strip()


def test_limits_match_the_columns():
    columns = Lead.__table__.columns  # type: ignore[attr-defined]
    for name, limit in limits.CARD_FIELDS.items():
        assert columns[name].type.length == limit, name
    assert columns["source_detail"].type.length == limits.SOURCE_DETAIL
    assert columns["name_key"].type.length == limits.NAME_KEY
    assert columns["company_key"].type.length == limits.COMPANY_KEY


@pytest.mark.parametrize("limit", [1, 2, 10])
def test_cut(limit):
    assert limits.cut("x" * limit, limit) == "x" * limit
    assert len(limits.cut("x" * (limit + 5), limit)) == limit


# -- properties ----------------------------------------------------------------------------------
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=300)
# Text rich in the characters that matter here: marks, joiners, controls, Arabic, spaces.
TRICKY = st.text(
    st.sampled_from(
        list(INVISIBLE) + ["\u200c", "\x00", "\x1f", "\n", "\r", "\t", " ", "\u00a0", "\u0301", "\u030c", "\u064e"]
        + list("aeAcC") + ["ب", "پ", "ش", "ک"] + ["\ud800", "\u2028", "\x85", "\u00ad", "\U000e0041"]
    ),
    max_size=60,
)  # fmt: skip
TEXTS = st.one_of(ANY_TEXT, TRICKY)


@given(TEXTS, st.booleans())
def test_tidy_is_idempotent_and_leaves_nothing_invisible(text, multiline):
    once = tidy(text, multiline=multiline)
    assert tidy(once, multiline=multiline) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not has_controls(once)
    assert not any(ch in once for ch in INVISIBLE)
    assert "\x00" not in once and once == once.strip()
    if not multiline:
        assert "\n" not in once and "  " not in once
    once.encode("utf-8")  # no lone surrogate: storable anywhere


@given(
    st.builds(
        Card,
        first_name=st.none() | TEXTS,
        last_name=st.none() | TEXTS,
        job_title=st.none() | TEXTS,
        company=st.none() | st.text(max_size=2500),
        emails=st.lists(TEXTS, max_size=30),
        phones=st.lists(TEXTS, max_size=30),
        website=st.none() | TEXTS,
        address=st.none() | st.text(max_size=700),
        raw_text=st.text(max_size=300),
    )
)
def test_tidy_card_is_idempotent_and_within_limits(card):
    once = tidy_card(card)
    assert tidy_card(once) == once
    for name, limit in limits.CARD_FIELDS.items():
        value = getattr(once, name)
        assert value is None or (0 < len(value) <= limit and value == tidy(value))
    assert len(once.emails) <= limits.EMAILS and len(once.phones) <= limits.PHONES
    assert all(0 < len(e) <= limits.EMAIL for e in once.emails)
    assert len(once.raw_text) <= limits.RAW_CARD_TEXT


@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_cut_fits_and_is_idempotent(text, limit):
    once = limits.cut(text, limit)
    assert len(once) <= limit and limits.cut(once, limit) == once
    assert once == text or once.endswith(limits.ELLIPSIS)
