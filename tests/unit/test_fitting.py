"""Every text the bot sends fits Telegram's limits, whatever a rep typed or a card held."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.presentation.fitting import ALERT_LIMIT, CAPTION_LIMIT, CUT_MARK, MESSAGE_LIMIT, fit, units

TAG = re.compile(r"<(/?)([a-z-]+)[^<>]*>")


def balanced(text: str) -> bool:
    stack: list[str] = []
    for closing, name in TAG.findall(text):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_a_text_that_fits_is_left_alone():
    assert fit("<b>Ana</b>\nAcme") == "<b>Ana</b>\nAcme"


def test_a_long_text_is_cut_at_a_line_closing_its_tags():
    text = "<b>Records</b>\n" + "\n".join(f"<i>line {i}</i> &amp; more" for i in range(1000))
    cut = fit(text)
    assert units(cut) <= MESSAGE_LIMIT and cut.endswith(CUT_MARK) and balanced(cut)
    assert "\n<i>line" in cut and not cut[: -len(CUT_MARK)].rstrip("\n").endswith("&amp")


def test_a_cut_inside_a_tag_or_an_entity_backs_off():
    cut = fit("x" * 4060 + "<b>bold &amp; long" + "y" * 100 + "</b>")
    assert units(cut) <= MESSAGE_LIMIT and balanced(cut) and "&am" not in cut.replace("&amp;", "")


def test_emoji_count_twice_as_telegram_counts_them():
    text = "😀" * 3000  # 6,000 UTF-16 units
    cut = fit(text, html=False)
    assert units(cut) <= MESSAGE_LIMIT and len(cut) < 2100


pieces = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["<b>", "</b>", "<i>", "</i>", "\n", "&amp;", "&lt;", "😀", "\u202e", '<a href="x">', "</a>"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(pieces, max_size=400), st.sampled_from([MESSAGE_LIMIT, CAPTION_LIMIT, ALERT_LIMIT, 50]))
def test_whatever_the_text_the_result_fits(parts, limit):
    text = "".join(parts)
    cut = fit(text, limit)
    assert units(cut) <= limit
    assert cut == text or cut.endswith(CUT_MARK)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["b", "i", "code"]), st.text(alphabet="abc &\n", max_size=300)), max_size=60))
def test_well_formed_html_stays_well_formed(blocks):
    text = "\n".join(f"<{tag}>{body.replace('&', '&amp;')}</{tag}>" for tag, body in blocks)
    assert balanced(fit(text, 500))
