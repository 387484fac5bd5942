"""Through the emulator: a forwarded message from an unknown sender becomes a lead with their
Telegram account; three forwards from that (now known) sender become one note; a shared contact
carrying the same Telegram user id is flagged as a duplicate; /subscribe in a forum topic sends the
summary to that topic. The emulator passes any message field on, so `forward_origin`,
`message_thread_id` and `is_topic_message` are sent as Telegram would."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from bot.db import Scope
from models import Activity, GroupSubscription, Lead
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot

MARKO = {"id": 4242, "is_bot": False, "first_name": "Marko", "last_name": "Jurić", "username": "markoj"}
FORUM = -1004444
TOPIC = 31


def thread_of(message) -> int | None:
    """The topic a bot message went to (the emulator keeps the request's fields as sent)."""
    value = message.raw.get("message_thread_id")
    return int(value) if value is not None else None


def from_marko() -> dict:
    return {"forward_origin": {"type": "user", "date": int(time.time()) - 3600, "sender_user": MARKO}}


async def test_forwards_become_a_lead_then_one_note_and_a_shared_contact_is_a_duplicate(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
        olga = await bot.fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)

        await olga.send_text("Hi! Could you send me the price list?", **from_marko())
        [preview] = await olga.wait_replies(1)
        assert "Marko Jurić" in preview.text and "@markoj (id 4242)" in preview.text
        _, [saved] = await olga.click("✅ Save", n=1)
        assert "Saved <b>Marko Jurić</b>" in saved.text

        # Three messages forwarded at once: one offer, edited as the batch grows, then one note.
        for text in ("We liked the demo.", "But the price is too high.", "Can you do 10% less?"):
            await olga.send_text(text, **from_marko())
        replies = [*await olga.wait_replies(1), *await olga.settle(quiet=1.0)]
        assert len([r for r in replies if not r.edited]) == 1  # answered once
        assert "These 3 messages are from <b>Marko Jurić</b>" in replies[-1].text
        _, [noted] = await olga.click("📝 Add as a note", n=1)
        assert "Note saved on Marko Jurić" in noted.text and "Objection" in noted.button_texts

        # The same person shared from the phone's contacts, with their Telegram user id.
        await olga.send_message(contact={"phone_number": "385911111111", "first_name": "M.", "user_id": 4242})
        [warning] = await olga.wait_replies(1)
        assert "Already in your team: <b>Marko Jurić</b>" in warning.text

    async with db.read(Scope.system()) as s:
        [lead] = (await s.exec(select(Lead))).all()
        notes = (await s.exec(select(Activity).order_by(Activity.id))).all()
    assert (lead.telegram_id, lead.telegram_username) == (4242, "markoj")
    assert [n.text for n in notes] == [
        "Hi! Could you send me the price list?",
        "We liked the demo.\n\nBut the price is too high.\n\nCan you do 10% less?",
    ]


async def test_subscribe_in_a_forum_topic_sends_the_summary_there(database_url, db, tmp_path):
    async with running_bot(database_url, tmp_path, REMINDER_POLL_SECONDS=1, LOG_LEVEL="WARNING") as bot:
        olga = await bot.fg.user(ADMIN_ID, first_name="Olga")
        await olga.ask("/start", n=2)
        forum = await bot.fg.user(ADMIN_ID, first_name="Olga", chat_id=FORUM, chat_type="supergroup", chat_title="HQ")
        topic = {"message_thread_id": TOPIC, "is_topic_message": True}
        await forum.send_text("/link", **topic)
        [linked] = await forum.wait_replies(1)
        assert thread_of(linked) == TOPIC
        await forum.send_text("/subscribe daily 9:00", **topic)
        [ok] = await forum.wait_replies(1)
        assert "funnel summary every day" in ok.text and thread_of(ok) == TOPIC
        async with db.begin(Scope.system()) as s:
            await s.exec(update(GroupSubscription).values(next_due_at=utcnow() - timedelta(minutes=1)))
        [summary] = await forum.wait_replies(1, timeout=20)
        assert summary.photo and thread_of(summary) == TOPIC
