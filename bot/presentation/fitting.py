"""Every text the bot sends fits Telegram's limits: 4,096 characters in a message, 1,024 in a
caption. Renderers keep to them for what they know is long (lists are paged, many e-mails are
counted, not listed); this is the last step before sending, for what a rep typed or a card held.

Telegram counts the text after its HTML is parsed, in UTF-16 code units; the source is measured
instead (never shorter), so a text that fits here fits there. A cut text ends at a line break where
one is near, never inside a tag or an entity, closes the tags left open, and ends with "…"."""

from __future__ import annotations

import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200  # the text of an alert under a tapped button
CUT_MARK = "…"
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_NEAR = 400  # a line break this close to the cut is where the text ends


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, budget: int) -> str:
    """The longest prefix of `text` within `budget` UTF-16 units."""
    if units(text) <= budget:
        return text
    lo, hi = 0, min(len(text), budget)
    while lo < hi:  # binary search: astral characters count twice
        mid = (lo + hi + 1) // 2
        if units(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def fit(text: str, limit: int = MESSAGE_LIMIT, *, html: bool = True) -> str:
    """`text` itself when it fits `limit`, else cut as the module says."""
    if units(text) <= limit:
        return text
    tail = ("\n" if "\n" in text else "") + CUT_MARK
    budget = limit - units(tail)
    while True:
        head = _prefix(text, budget)
        newline = head.rfind("\n")
        if newline >= max(0, len(head) - _NEAR):
            head = head[:newline]
        if html:
            head = _close(head)
        out = head.rstrip("\n") + tail if head.strip() else CUT_MARK
        if units(out) <= limit:
            return out
        budget -= units(out) - limit  # the closing tags did not fit: cut that much earlier


def _close(head: str) -> str:
    # Never end inside a tag or an entity.
    lt, gt = head.rfind("<"), head.rfind(">")
    if lt > gt:
        head = head[:lt]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    open_tags: list[str] = []
    for match in _TAG.finditer(head):
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            if name in open_tags:
                while open_tags and open_tags.pop() != name:
                    pass
        else:
            open_tags.append(name)
    return head + "".join(f"</{name}>" for name in reversed(open_tags))
