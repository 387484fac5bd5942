"""How long each value a member gives may be, in one place.

The card fields match their columns in models/lead.py (a test compares them): a value read from a
card, a photo or a vCard is cut to fit (ending in "…"), the whole text staying in the record's raw
card text; a value typed for one field is refused with a sentence when it is longer.
"""

from __future__ import annotations

FIRST_NAME = 128
LAST_NAME = 128
JOB_TITLE = 200
COMPANY = 200
WEBSITE = 300
ADDRESS = 500
EMAIL = 320  # ContactPoint.value; an address is at most 254 characters anyway
PHONE = 32  # E.164 is at most 16
SOURCE_DETAIL = 200
NOTE = 3000
RAW_CARD_TEXT = 20_000  # the text a card was read from (an unbounded column; this is a sane cap)
NAME_KEY = 260
COMPANY_KEY = 200

# How many of each a contact keeps (a card has one or two; a vCard may list hundreds).
EMAILS = 20
PHONES = 20

# The card's single-valued text fields and their limits.
CARD_FIELDS: dict[str, int] = {
    "first_name": FIRST_NAME,
    "last_name": LAST_NAME,
    "job_title": JOB_TITLE,
    "company": COMPANY,
    "website": WEBSITE,
    "address": ADDRESS,
}

ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start and "…" in exactly `limit`."""
    if len(text) <= limit:
        return text
    # (A zero-width non-joiner is dropped with the spaces: it joins nothing before the "…".)
    return text[: limit - 1].rstrip().rstrip("\u200c") + ELLIPSIS
