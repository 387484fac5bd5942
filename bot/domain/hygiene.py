"""Text hygiene: what every value taken from a member goes through before it is kept or compared.

`tidy` is the one function: typed `/new` answers and edits, pasted card text, text read from a
photo, vCards, shared contacts and notes all pass through it (through `tidy_card` for a whole
card), and the duplicate keys are made from its output (bot/services/leads.py `fold`).

- NFC: "é" typed as e + combining accent and "é" typed at once are the same text.
- Invisible characters are removed: bidi controls (U+202A–202E, U+2066–2069, U+200E/200F, U+061C)
  would show "Ana \\u202eavroH" reversed in every list; zero-width characters (U+200B, U+200D,
  U+2060, U+FEFF) would make two equal names differ. Every other format character (Unicode
  category Cf: soft hyphens, tags, invisible operators) goes too.
- The zero-width non-joiner (U+200C) is part of Persian spelling ("می‌خواهم", "شرکت‌ها"): it is
  kept between two letters of Arabic script and dropped anywhere else.
- Control characters (NUL among them: PostgreSQL cannot store it, in text or JSON) and lone
  surrogates are removed. Typed text with them is refused instead (`has_controls`), so that the
  member knows what happened; text read from a file or a photo is cleaned quietly.
- One line (names, companies, keys): every run of white space becomes one space. Several lines
  (notes, a card's raw text): line breaks are kept as "\\n", spaces at the ends of lines dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from models import limits
from models.errors import N_, DomainError

if TYPE_CHECKING:
    from bot.domain.cards import Card

ZWNJ = "\u200c"
_ARABIC = "\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufefe"
# A ZWNJ not between two characters of Arabic script (runs of them were made one first).
_STRAY_ZWNJ = re.compile(f"(?<![{_ARABIC}]){ZWNJ}|{ZWNJ}(?![{_ARABIC}])")
_ZWNJ_RUN = re.compile(f"{ZWNJ}{{2,}}")
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_END_SPACE = re.compile(r"[^\S\n]+(?=\n|$)")
_KEEP_IN_LINES = frozenset("\n\t")


def _dropped(ch: str, multiline: bool) -> bool:
    if ch == ZWNJ:
        return False
    category = unicodedata.category(ch)
    if category == "Cc":
        # In one line a tab or line break becomes a space (below); in lines they are kept.
        return not (ch in _KEEP_IN_LINES if multiline else ch.isspace())
    return category in ("Cf", "Cs")


_ASCII_DROPPED = {
    multiline: {c: None for c in (*range(32), 127) if _dropped(chr(c), multiline)} for multiline in (False, True)
}


def tidy(text: str, *, multiline: bool = False) -> str:
    """`text` made safe to store, show and compare (see the module's note). Idempotent; never raises."""
    if multiline:
        text = _BREAKS.sub("\n", text)
    if text.isascii():  # the usual case: no format characters, already NFC
        text = text.translate(_ASCII_DROPPED[multiline])
    else:
        text = "".join(ch for ch in text if not _dropped(ch, multiline))
        if ZWNJ in text:  # before NFC: a dropped ZWNJ may bring a letter and its accent together
            text = _STRAY_ZWNJ.sub("", _ZWNJ_RUN.sub(ZWNJ, text))
        text = unicodedata.normalize("NFC", text)
    if not multiline:
        return " ".join(text.split())
    return _LINE_END_SPACE.sub("", text.replace("\t", " ")).strip()


def has_controls(text: str) -> bool:
    """Whether typed text holds a control character (other than line breaks and tabs) or a lone
    surrogate: such text is refused with a sentence rather than changed behind the member's back."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t" for ch in text)


def check_typed(text: str) -> None:
    """Refuse typed text holding control characters, with a sentence (`DomainError`)."""
    if has_controls(text):
        raise DomainError(
            N_(
                "That text holds control characters (such as a NUL) that cannot be stored. "
                "Please send it again without them."
            )
        )


def _field(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return limits.cut(tidy(value), limit) or None


def _points(values: list[str], limit: int, most: int) -> list[str]:
    kept: list[str] = []
    for value in values:
        value = tidy(value)
        if value and len(value) <= limit and value not in kept:
            kept.append(value)
    return kept[:most]


def tidy_card(card: Card) -> Card:
    """A copy of `card` with every field tidied and within its limit: text fields cut with "…",
    at most `limits.EMAILS` e-mails and `limits.PHONES` phones; the raw text (cut at its own, much
    larger limit) keeps what was cut. Idempotent; never raises."""
    fields: dict[str, Any] = {name: _field(getattr(card, name), limit) for name, limit in limits.CARD_FIELDS.items()}
    return replace(
        card,
        **fields,
        emails=_points(card.emails, limits.EMAIL, limits.EMAILS),
        phones=_points(card.phones, limits.PHONE, limits.PHONES),
        raw_text=limits.cut(tidy(card.raw_text or "", multiline=True), limits.RAW_CARD_TEXT),
    )
