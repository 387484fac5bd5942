"""Property tests: every parser of user bytes takes anything (random unicode, huge input) without
raising, and answers within its own rules. Budgets are small so that CI stays fast; each parser's
own module has the worked examples."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import callbacks
from bot.domain import qualification as q
from bot.domain.cards import normalise_email, normalise_phone, parse_card
from bot.services.inbox import chat_key_of

FAST = settings(max_examples=150, deadline=None)
any_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="0123456789.,kKmM €$%-+ EURPLN\u066b\u066c۰۱۲۳۴۵۶۷۸۹", max_size=60),
    st.integers(min_value=1, max_value=50_000).map(lambda n: "9" * n),  # huge numbers
)


@FAST
@given(any_text, st.sampled_from(["EUR", "PLN", "CZK", "MKD", "IRR"]))
def test_amounts_are_positive_decimals_or_refused(text, currency):
    got = q.parse_amount(text, currency)
    if got is not None:
        amount, code = got
        assert isinstance(amount, Decimal) and amount >= 0 and amount.is_finite()
        assert len(code) == 3 and code.isupper()


@FAST
@given(any_text)
def test_probabilities_are_percentages_or_refused(text):
    got = q.parse_probability(text)
    assert got is None or 0 <= got <= 100


@FAST
@given(st.text(max_size=120), st.sampled_from([None, "HR", "CZ", "PL", "MK", "IR", "GB"]))
def test_phones_are_e164_or_refused(text, region):
    got = normalise_phone(text, region)
    assert got is None or (got.startswith("+") and got[1:].isdigit() and len(got) <= 16)


@FAST
@given(st.text(max_size=200))
def test_emails_are_one_address_or_refused(text):
    got = normalise_email(text)
    assert got is None or (got.count("@") == 1 and not any(c.isspace() for c in got))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=120), max_size=40))
def test_any_card_text_gives_a_card_without_raising(lines):
    card = parse_card("\n".join(lines), language="en", default_region="HR")
    for phone in card.phones:
        assert phone.startswith("+")
    for email in card.emails:
        assert "@" in email


@FAST
@given(st.one_of(st.none(), st.text(max_size=70), st.binary(max_size=64).map(lambda b: b.decode("latin-1"))))
def test_callback_data_parses_or_is_unknown(data):
    parsed = callbacks.parse(data)
    if parsed is not None:
        assert parsed.action and all(isinstance(a, str) for a in parsed.args)
        for i in range(len(parsed.args) + 1):
            value = parsed.int_arg(i)
            assert value is None or 0 <= value < 2**63


@FAST
@given(st.recursive(st.one_of(st.none(), st.integers(), st.text(max_size=10)), lambda kids: st.dictionaries(
    st.sampled_from(["message", "chat", "id", "from", "callback_query", "edited_message", "update_id"]), kids,
    max_size=5), max_leaves=30))  # fmt: skip
def test_any_update_payload_has_a_chat_key(payload):
    if isinstance(payload, dict):
        assert isinstance(chat_key_of(payload), int)
