"""Correcting a card field by field (Edit, /new): the rule is `apply_field`, a pure function."""

from __future__ import annotations

import pytest

from bot.domain.cards import TYPED_LIMITS, Card, apply_field, email_error
from models import limits
from models.errors import DomainError


def card() -> Card:
    return Card(
        first_name="Ana",
        last_name="Kovačević",
        company="Adria Solar d.o.o.",
        emails=["ana@adriasolar.hr"],
        phones=["+385912345678"],
        website="www.adriasolar.hr",
    )


def refusal(field: str, value: str, region: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        apply_field(card(), field, value, region)
    return caught.value


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("Marko Jurić", "Marko", "Jurić"),
        ("Ana Marija Horvat", "Ana Marija", "Horvat"),
        ("  Petra   Novak ", "Petra", "Novak"),
        ("Cher", "Cher", None),
    ],
)
def test_a_name_is_split_into_first_and_last_name(typed, first, last):
    edited = apply_field(card(), "name", typed, None)
    assert (edited.first_name, edited.last_name) == (first, last)


def test_the_card_itself_is_left_alone():
    original = card()
    edited = apply_field(original, "phones", "+420 602 111 222", None)
    assert original == card() and edited.phones == ["+420602111222"]
    edited.emails.append("x@y.cz")
    assert original.emails == ["ana@adriasolar.hr"]  # the lists are copies


def test_e_mails_are_checked_and_normalised():
    edited = apply_field(card(), "emails", "Ana@Adria.HR; ivo@adria.hr", None)
    assert edited.emails == ["Ana@adria.hr", "ivo@adria.hr"]


@pytest.mark.parametrize("typed", ["not-an-email", "ana@", "ana@adria", "ok@adria.hr, broken"])
def test_a_bad_e_mail_is_refused_with_the_reason(typed):
    error = refusal("emails", typed)
    bad = next(part for part in typed.split(",") if email_error(part))
    assert error.message == "That e-mail address does not work: {reason}"
    assert error.params == {"reason": email_error(bad)} and error.params["reason"]


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("091 234 5678", "HR", ["+385912345678"]),  # no country code: the team's region
        ("+385 91 234 5678", None, ["+385912345678"]),  # a country code needs no region
        ("+420 602 111 222", "HR", ["+420602111222"]),  # another country than the region's
        ("01 4567 890; 091 234 5678", "HR", ["+38514567890", "+385912345678"]),
        ("602 111 222", "CZ", ["+420602111222"]),
    ],
)
def test_phones_are_read_with_the_region_and_stored_as_e164(typed, region, stored):
    assert apply_field(card(), "phones", typed, region).phones == stored


@pytest.mark.parametrize(
    ("typed", "region", "shown"),
    [("091 234 5678", None, "091 234 5678"), ("12345", "HR", "12345"), ("+385 91 234 5678, call me", "HR", "call me")],
)
def test_a_phone_that_cannot_be_read_is_refused_and_named(typed, region, shown):
    error = refusal("phones", typed, region)
    assert error.message.startswith("I cannot read {value} as a phone number.")
    assert error.params == {"value": shown}


@pytest.mark.parametrize(
    ("field", "check"),
    [
        ("name", lambda c: c.first_name is None and c.last_name is None),
        ("emails", lambda c: c.emails == []),
        ("phones", lambda c: c.phones == []),
        ("website", lambda c: c.website is None),
        ("company", lambda c: c.company is None),
    ],
)
def test_a_dash_clears_the_field(field, check):
    edited = apply_field(card(), field, " - ", "HR")
    assert check(edited)
    assert edited.company == (None if field == "company" else "Adria Solar d.o.o.")


def test_plain_fields_take_the_text_as_typed():
    edited = apply_field(card(), "job_title", "  Direktorica prodaje ", None)
    assert edited.job_title == "Direktorica prodaje"
    assert apply_field(card(), "address", "Ilica 1, 10000 Zagreb", None).address == "Ilica 1, 10000 Zagreb"


@pytest.mark.parametrize("field", ["name", "company", "job_title", "website", "emails", "phones", "address"])
def test_too_long_is_refused_at_the_fields_own_limit(field):
    limit = TYPED_LIMITS[field]
    error = refusal(field, "x" * (limit + 1), "HR")
    assert (error.message, error.params) == ("That is too long for this field: at most {n} characters.", {"n": limit})


def test_the_limits_fit_the_columns():
    # A typed value that fits is kept whole, and what is kept fits its column on PostgreSQL.
    assert apply_field(card(), "company", "x" * TYPED_LIMITS["company"], None).company == "x" * limits.COMPANY
    assert apply_field(card(), "name", "A" * TYPED_LIMITS["name"], None).first_name == "A" * limits.FIRST_NAME


def test_more_emails_than_a_contact_keeps_are_refused():
    many = ", ".join(f"a{i}@acme.hr" for i in range(limits.EMAILS + 1))
    error = refusal("emails", many, None)
    assert (error.message, error.params) == ("That is too many: a contact keeps at most {n}.", {"n": limits.EMAILS})


@pytest.mark.parametrize("field", ["name", "company", "emails", "address"])
def test_control_characters_are_refused_and_invisible_ones_dropped(field):
    error = refusal(field, "Ana\x00 Horvat", None)
    assert error.message.startswith("That text holds control characters")
    edited = apply_field(card(), "name", "Ana \u202eavroH\u200b", None)
    assert (edited.first_name, edited.last_name) == ("Ana", "avroH")
    edited = apply_field(card(), "company", "\u200bشرکت\u200cها\u202c", None)
    assert edited.company == "شرکت\u200cها"  # the Persian non-joiner stays inside the word


def test_an_unknown_field_is_a_programming_error():
    with pytest.raises(ValueError):
        apply_field(card(), "raw_text", "x", None)
