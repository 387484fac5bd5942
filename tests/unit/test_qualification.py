from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.qualification import (
    DEFAULT_PASS_MARK,
    GIVEN,
    NO,
    SKIP,
    UNSURE,
    VALUE,
    WHO,
    YES,
    Criterion,
    Settings,
    button_answers,
    next_question,
    parse_amount,
    parse_probability,
    question_after,
    score,
    timeline_answer,
    with_answer,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

DEFAULTS = Settings.of(None)


def test_defaults_and_team_overrides():
    assert DEFAULTS.pass_mark == DEFAULT_PASS_MARK and sum(DEFAULTS.weights.values()) == 100
    custom = Settings.of({"qualification": {"weights": {"budget": 0, "need": 50, "bogus": 9}, "pass_mark": 70}})
    assert custom.weights[Criterion.BUDGET] == 0 and custom.weights[Criterion.NEED] == 50
    assert Criterion.BUDGET not in custom.asked and custom.pass_mark == 70
    assert Settings.of({"qualification": {"pass_mark": 500}}).pass_mark == DEFAULT_PASS_MARK
    assert Settings.of(custom.to_json() and {"qualification": custom.to_json()}) == custom


def test_all_yes_passes_and_reasons_explain_a_lower_score():
    full = score({c.value: YES for c in Criterion}, DEFAULTS)
    assert full.value == 100 and full.passed and full.shortfalls == [] and full.recommendation == "advance"
    partial = score({"need": YES, "budget": NO, "authority": UNSURE, "timeline": YES, "fit": YES}, DEFAULTS)
    assert partial.value == 65 and partial.passed
    assert (Criterion.BUDGET, NO, 25) in partial.shortfalls and (Criterion.AUTHORITY, UNSURE, 10) in partial.shortfalls


def test_recommendations():
    assert score({"need": NO, "budget": YES}, DEFAULTS).recommendation == "disqualify"
    assert score({"need": YES}, DEFAULTS).recommendation == "park"  # 25 < 60, need is there
    assert score({}, DEFAULTS).value == 0  # every question skipped


def test_weights_renormalise_when_a_criterion_is_off():
    settings = Settings.of({"qualification": {"weights": {"budget": 0}}})
    result = score({"need": YES, "authority": YES, "timeline": YES, "fit": YES}, settings)
    assert result.value == 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12500", (Decimal("12500.00"), "EUR")),
        ("12.500 EUR", (Decimal("12500.00"), "EUR")),
        ("12,500.50 USD", (Decimal("12500.50"), "USD")),
        ("12.500,50 €", (Decimal("12500.50"), "EUR")),
        ("€ 900", (Decimal("900.00"), "EUR")),
        ("20k", (Decimal("20000.00"), "EUR")),
        ("1,5 m PLN", (Decimal("1500000.00"), "PLN")),
        ("15 000 Kč", (Decimal("15000.00"), "CZK")),
        ("۵۰۰۰ IRR", (Decimal("5000.00"), "IRR")),
    ],
)
def test_amounts(text, expected):
    assert parse_amount(text, "EUR") == expected


# Amounts in the local currency and the way reps of each country write them.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250 000 Kč", (Decimal("250000.00"), "CZK")), ("20 tis. Kč", (Decimal("20000.00"), "CZK")),
        ("2 miliony korun", (Decimal("2000000.00"), "CZK")),
        ("50 000 zł", (Decimal("50000.00"), "PLN")), ("20 tys. zł", (Decimal("20000.00"), "PLN")),
        ("1,2 mln zł", (Decimal("1200000.00"), "PLN")), ("5000 złotych", (Decimal("5000.00"), "PLN")),
        ("600.000 ден", (Decimal("600000.00"), "MKD")), ("300 илјади денари", (Decimal("300000.00"), "MKD")),
        ("12.500 eura", (Decimal("12500.00"), "EUR")), ("3 milijuna eura", (Decimal("3000000.00"), "EUR")),
        ("۵۰۰ میلیون تومان", (Decimal("5000000000.00"), "IRR")),
        ("۲۵۰ میلیون ریال", (Decimal("250000000.00"), "IRR")),
        ("۱٫۵ میلیارد تومان", (Decimal("15000000000.00"), "IRR")),
        ("۱۲٬۵۰۰ یورو", (Decimal("12500.00"), "EUR")),
        ("۸۰ هزار تومن", (Decimal("800000.00"), "IRR")),
        ("2,5 milionu Kč", (Decimal("2500000.00"), "CZK")), ("1 мил. ден", (Decimal("1000000.00"), "MKD")),
        ("3 million dollars", (Decimal("3000000.00"), "USD")), ("5000 zlotych", (Decimal("5000.00"), "PLN")),
        ("25.000,- Kč", (Decimal("25000.00"), "CZK")), ("1,5 млн ден", (Decimal("1500000.00"), "MKD")),
        ("٥٠٠ مليون تومان", (Decimal("5000000000.00"), "IRR")),  # Arabic digits and letters
    ],
)  # fmt: skip
def test_local_amounts(text, expected):
    assert parse_amount(text, "EUR") == expected


def test_a_bare_amount_for_an_iranian_team_is_in_tomans():
    assert parse_amount("۵۰۰ میلیون", "IRR") == (Decimal("5000000000.00"), "IRR")
    assert parse_amount("500 میلیون", "EUR") == (Decimal("500000000.00"), "EUR")


@pytest.mark.parametrize(
    "text", ["ten grand", "", "-500", "0", "12 apples", "1e50", "x" * 50, "€100 USD", "۱۰ میلیون بیت‌کوین"]
)
def test_amounts_refused(text):
    assert parse_amount(text, "EUR") is None


def test_probability():
    assert parse_probability("40%") == 40 and parse_probability(" 100 ") == 100
    assert parse_probability("۴۰٪") == 40 and parse_probability("۷۵") == 75
    assert parse_probability("40 posto") == 40 and parse_probability("۴۰ درصد") == 40
    assert parse_probability("60 procent") == 60 and parse_probability("40 отсто") == 40
    assert parse_probability("-10") is None and parse_probability("140") is None and parse_probability("a lot") is None


@pytest.mark.parametrize(
    ("later", "answer"),
    [
        (timedelta(days=1), YES),
        (timedelta(days=90), YES),  # "in three months"
        (timedelta(days=183), YES),  # six months, to the day
        (timedelta(days=183, hours=1), UNSURE),
        (timedelta(days=365), UNSURE),  # next year: not sure
    ],
)
def test_a_timeline_within_six_months_counts_as_yes(later, answer):
    assert timeline_answer(NOW + later, NOW) == answer


def test_answers_are_kept_as_they_are_given_and_the_next_question_follows():
    answers = with_answer({}, "need", YES)
    assert answers == {"need": YES} and next_question(answers, DEFAULTS) == "budget"
    answers = with_answer(answers, "budget", SKIP)
    assert next_question(answers, DEFAULTS) == "authority"  # a skipped question is answered
    answers = with_answer(answers, "authority", NO)
    assert question_after(answers, DEFAULTS, "authority", NO) == WHO  # then: who decides?
    answers = with_answer(answers, WHO, GIVEN, decision_maker="Ivo, the CFO")
    assert answers["authority"] == NO and answers["decision_maker"] == "Ivo, the CFO" and WHO not in answers
    assert question_after(answers, DEFAULTS, WHO, GIVEN) == "timeline"
    answers = with_answer(answers, "timeline", YES, timeline_at="2026-06-01T00:00:00+00:00")
    answers = with_answer(answers, "fit", UNSURE)
    assert next_question(answers, DEFAULTS) == VALUE  # the value comes last
    assert next_question(with_answer(answers, VALUE, GIVEN), DEFAULTS) is None


def test_who_decides_keeps_the_decision_maker_answer_and_a_question_off_is_not_asked():
    assert with_answer({}, WHO, SKIP) == {"authority": NO}
    no_budget = Settings.of({"qualification": {"weights": {"budget": 0}}})
    assert next_question({"need": YES}, no_budget) == "authority"


def test_button_answers_per_question():
    assert button_answers("need") == (YES, NO, UNSURE, SKIP)
    assert button_answers("timeline") == (UNSURE, SKIP)  # a date is typed
    assert button_answers(VALUE) == button_answers(WHO) == (SKIP,)
