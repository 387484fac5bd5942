"""Qualification: the team's questions and weights, the score (0-100) with its reasons, and the
recommendation. Plain code; the team's settings live in `team.settings["qualification"]`.

Default criteria (need, budget, authority, timeline, fit with the ideal customer profile) weigh
25/25/20/15/15 and the pass mark is 60. A "yes" earns the criterion's full weight, "not sure" half,
"no" or a skipped question nothing. The estimated value is asked too but does not score: it is
recorded and shown, because a small sure deal and a large unsure one are both worth following.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal, get_args

from babel.numbers import is_currency

QuestionKey = Literal["need", "budget", "authority", "timeline", "fit", "value", "who"]
QUESTION_KEYS: tuple[QuestionKey, ...] = get_args(QuestionKey)

YES, NO, UNSURE = "yes", "no", "unsure"
SKIP = "skip"  # a skipped question: answered, earns nothing
GIVEN = "given"  # the value or who decides, typed
BUTTON_ANSWERS = (YES, NO, UNSURE, SKIP)
# The estimated value (asked last), and who decides (asked after "authority: no").
VALUE: QuestionKey = "value"
WHO: QuestionKey = "who"
# A timeline within about six months counts as yes; later, or vaguer, as not sure.
SOON = timedelta(days=183)


class Criterion(StrEnum):
    NEED = "need"
    BUDGET = "budget"
    AUTHORITY = "authority"
    TIMELINE = "timeline"
    FIT = "fit"


DEFAULT_WEIGHTS = {
    Criterion.NEED: 25,
    Criterion.BUDGET: 25,
    Criterion.AUTHORITY: 20,
    Criterion.TIMELINE: 15,
    Criterion.FIT: 15,
}
DEFAULT_PASS_MARK = 60
# The questions in the order they are asked; "value" (amount and currency) comes last.
ORDER = (Criterion.NEED, Criterion.BUDGET, Criterion.AUTHORITY, Criterion.TIMELINE, Criterion.FIT)


@dataclass(frozen=True)
class Settings:
    weights: dict[Criterion, int]
    pass_mark: int

    @classmethod
    def of(cls, team_settings: dict[str, Any] | None) -> Settings:
        raw = (team_settings or {}).get("qualification") or {}
        weights = dict(DEFAULT_WEIGHTS)
        for key, value in (raw.get("weights") or {}).items():
            if key in Criterion.__members__.values() and isinstance(value, int) and 0 <= value <= 100:
                weights[Criterion(key)] = value
        pass_mark = raw.get("pass_mark", DEFAULT_PASS_MARK)
        if not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
            pass_mark = DEFAULT_PASS_MARK
        return cls(weights=weights, pass_mark=pass_mark)

    def to_json(self) -> dict[str, Any]:
        return {"weights": {k.value: v for k, v in self.weights.items()}, "pass_mark": self.pass_mark}

    @property
    def asked(self) -> tuple[Criterion, ...]:
        """Criteria with a weight of 0 are not asked."""
        return tuple(c for c in ORDER if self.weights.get(c, 0) > 0)


@dataclass(frozen=True)
class Score:
    value: int  # 0-100
    passed: bool
    # (criterion, answer, points lost) for every criterion that did not earn its full weight
    shortfalls: list[tuple[Criterion, str | None, int]]

    @property
    def recommendation(self) -> str:
        """advance, park or disqualify; the rep decides."""
        if self.passed:
            return "advance"
        need = next((s for s in self.shortfalls if s[0] is Criterion.NEED), None)
        if need is not None and need[1] == NO:
            return "disqualify"  # no need for what we sell: no amount of follow-up changes that
        return "park"


def score(answers: dict[str, Any], settings: Settings) -> Score:
    total = sum(settings.weights.get(c, 0) for c in ORDER) or 1
    earned = 0.0
    shortfalls = []
    for criterion in ORDER:
        weight = settings.weights.get(criterion, 0)
        if not weight:
            continue
        answer = answers.get(criterion.value)
        share = {YES: 1.0, UNSURE: 0.5}.get(answer if isinstance(answer, str) else "", 0.0)
        earned += weight * share
        if share < 1:
            shortfalls.append((criterion, answer, round(100 * weight * (1 - share) / total)))
    value = round(100 * earned / total)
    return Score(value=value, passed=value >= settings.pass_mark, shortfalls=shortfalls)


def timeline_answer(at: datetime, now: datetime) -> str:
    """When they will buy, typed as a date: within six months (183 days) is a yes, later not sure."""
    return YES if at - now <= SOON else UNSURE


def with_answer(answers: Mapping[str, Any], key: str, answer: str, **extra: Any) -> dict[str, Any]:
    """The answers with one more: `key` answered `answer`, plus `extra` details (the timeline's
    date, who decides). Who decides completes "authority", which keeps its answer (no)."""
    updated = dict(answers)
    if key == WHO:
        updated[Criterion.AUTHORITY.value] = updated.get(Criterion.AUTHORITY.value, NO)
    else:
        updated[key] = answer
    updated.update(extra)
    return updated


def next_question(answers: Mapping[str, Any], settings: Settings) -> QuestionKey | None:
    """The first question not answered yet ("value" last); None when all are answered."""
    for criterion in settings.asked:
        if criterion.value not in answers:
            return criterion.value
    return None if VALUE in answers else VALUE


def question_after(answers: Mapping[str, Any], settings: Settings, key: str, answer: str) -> QuestionKey | None:
    """What to ask once `key` was answered `answer` (and recorded in `answers`): who decides
    after a "no" to the decision maker, otherwise the next unanswered question."""
    if key == Criterion.AUTHORITY.value and answer == NO:
        return WHO
    return next_question(answers, settings)


def button_answers(key: str) -> tuple[str, ...]:
    """The answers a question offers as buttons: the value and who decides are typed (or
    skipped), the timeline is typed as a date (or not sure, or skipped)."""
    if key in (VALUE, WHO):
        return (SKIP,)
    if key == Criterion.TIMELINE.value:
        return (UNSURE, SKIP)
    return BUTTON_ANSWERS


# Currency words and symbols as reps type them after (or before) an amount, in the six languages.
CURRENCY_WORDS = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "eura": "EUR", "eur.": "EUR", "evra": "EUR", "евра": "EUR",
    "евро": "EUR", "kn": "EUR", "$": "USD", "usd": "USD", "£": "GBP", "gbp": "GBP",
    "zł": "PLN", "zl": "PLN", "złotych": "PLN", "zlotych": "PLN", "złote": "PLN", "złoty": "PLN", "pln": "PLN",
    "kč": "CZK", "kc": "CZK", "korun": "CZK", "koruna": "CZK", "koruny": "CZK", "czk": "CZK",
    "ден": "MKD", "ден.": "MKD", "денари": "MKD", "денар": "MKD", "mkd": "MKD", "мкд": "MKD",
    "dollars": "USD", "dolara": "USD", "dolarů": "USD", "dolarów": "USD", "долари": "USD",
    "یورو": "EUR", "دلار": "USD", "ریال": "IRR", "تومان": "IRT", "تومن": "IRT", "irr": "IRR", "irt": "IRT",
}  # fmt: skip
# Words for thousands, millions and billions that follow the number.
MULTIPLIERS = {
    "k": 1000, "tis": 1000, "tis.": 1000, "tisuća": 1000, "tisuću": 1000, "tisíc": 1000, "tys": 1000, "tys.": 1000,
    "tysięcy": 1000, "tysiące": 1000, "хил": 1000, "хил.": 1000, "илј": 1000, "илј.": 1000, "илјади": 1000,
    "هزار": 1000,
    "m": 1_000_000, "mil": 1_000_000, "mil.": 1_000_000, "mln": 1_000_000, "mln.": 1_000_000,
    "mio": 1_000_000, "milijun": 1_000_000, "milijuna": 1_000_000, "milion": 1_000_000, "miliony": 1_000_000,
    "milionů": 1_000_000, "milionu": 1_000_000, "milionów": 1_000_000, "million": 1_000_000,
    "millions": 1_000_000, "мил": 1_000_000, "мил.": 1_000_000, "млн": 1_000_000, "млн.": 1_000_000,
    "млрд": 1_000_000_000, "ملیون": 1_000_000, "thousand": 1000, "bn": 1_000_000_000,
    "billion": 1_000_000_000, "милион": 1_000_000, "милиони": 1_000_000,
    "میلیون": 1_000_000, "mld": 1_000_000_000, "mld.": 1_000_000_000, "milijarda": 1_000_000_000,
    "miliard": 1_000_000_000, "miliardy": 1_000_000_000, "милијарда": 1_000_000_000, "میلیارد": 1_000_000_000,
}  # fmt: skip
TOMAN = 10  # rials in a toman: Iranian amounts are stored in rials (IRR) and typed and shown in tomans


def _alternatives(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


_UNIT = rf"(?:{_alternatives(CURRENCY_WORDS)}|[A-Za-z]{{3}})"
_AMOUNT_RE = re.compile(
    rf"^\s*(?P<pre>{_UNIT})?\s*(?P<num>[0-9][0-9 .,'\u00a0]*)\s*(?P<mult>{_alternatives(MULTIPLIERS)})?\s*"
    rf"(?P<post>{_UNIT})?\s*$",
    re.IGNORECASE,
)
# Persian and Arabic-Indic digits, the Arabic thousands and decimal separators and percent sign.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٬٫٪يك", "01234567890123456789,.%یک")  # and Arabic ي ك


def _number(text: str) -> Decimal | None:
    text = text.replace("\u00a0", " ").replace("'", "").strip()
    # The last separator followed by one or two digits is the decimal point; the rest group digits.
    match = re.match(r"^(.*?)([.,])(\d{1,2})$", text)
    if match and not re.fullmatch(r"\d{1,3}([., ]\d{3})+", text):
        whole, fraction = re.sub(r"[ .,]", "", match.group(1)), match.group(3)
        text = f"{whole}.{fraction}"
    else:
        text = re.sub(r"[ .,]", "", text)
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_amount(text: str, default_currency: str) -> tuple[Decimal, str] | None:
    """ "12.500 EUR", "€12,500.50", "20k", "1,5 m PLN", "250 000 Kč", "20 tis.", "600.000 ден",
    "۵۰۰ میلیون تومان", "5000" -> (Decimal, ISO code); None otherwise. Tomans are stored as rials
    (IRR); a bare amount for a team that counts in IRR is read in tomans, as Iranians say prices.
    Words ("ten grand") and negative amounts are refused."""
    if not text or len(text) > 40:
        return None
    # "25.000,- Kč": the dash that stands for "no cents" goes.
    text = re.sub(r"(?<=\d)[.,]-{1,2}(?=\s|$)", "", text.translate(_DIGITS).replace("\u200c", " "))
    match = _AMOUNT_RE.match(text)
    if not match:
        return None
    units = {CURRENCY_WORDS.get(u.strip().lower(), u.strip().upper()) for u in (match["pre"], match["post"]) if u}
    if len(units) > 1:  # "€100 USD"
        return None
    amount = _number(match.group("num"))
    if amount is None or amount <= 0:
        return None
    amount *= MULTIPLIERS.get((match.group("mult") or "").lower(), 1)
    code = (match.group("pre") or match.group("post") or "").strip()
    currency = CURRENCY_WORDS.get(code.lower(), code.upper()) if code else default_currency
    if currency == "IRT" or (not code and currency == "IRR"):
        # Tomans (and a bare amount where the team counts in Iranian money) are ten rials each.
        currency, amount = "IRR", amount * TOMAN
    if not re.fullmatch(r"[A-Z]{3}", currency) or not is_currency(currency) or amount >= Decimal("1e14"):
        return None
    return amount.quantize(Decimal("0.01")), currency


_PERCENT_WORDS = "percent|per cent|posto|procenta|procentów|procent|проценти|процент|отсто|درصد"


def parse_probability(text: str) -> int | None:
    """ "40", "40%", "40 %", "40 posto", "۴۰ درصد" -> 40; anything outside 0-100 -> None."""
    match = re.fullmatch(rf"\s*(-?\d{{1,3}})\s*(?:%|{_PERCENT_WORDS})?\s*", text.translate(_DIGITS), re.IGNORECASE)
    if not match:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 100 else None
