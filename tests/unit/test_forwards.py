"""Forwarded messages: who sent them as far as their privacy settings let Telegram say, and which
forwards make one batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.forwards import (
    BATCH_WINDOW,
    SenderKind,
    card_in,
    chat_link,
    clean_username,
    extends,
    joined,
    sender_of,
)

T0 = datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)
MARKO = {
    "type": "user",
    "date": 1,
    "sender_user": {"id": 4242, "is_bot": False, "first_name": "Marko", "last_name": "Jurić", "username": "markoj"},
}


def test_a_user_who_shows_their_account_gives_name_username_and_id():
    sender = sender_of(MARKO)
    assert sender.kind is SenderKind.USER and sender.is_person and not sender.name_only
    assert (sender.user_id, sender.username, sender.name) == (4242, "markoj", "Marko Jurić")
    card = sender.card()
    assert (card.first_name, card.last_name, card.telegram_id, card.telegram_username) == (
        "Marko",
        "Jurić",
        4242,
        "markoj",
    )


def test_a_user_with_a_name_only_and_no_username():
    sender = sender_of({"type": "user", "date": 1, "sender_user": {"id": 7, "is_bot": False, "first_name": "Ana"}})
    assert (sender.user_id, sender.username, sender.name) == (7, None, "Ana")
    assert sender.card().last_name is None and sender.card().telegram_id == 7


def test_a_hidden_user_gives_only_a_name():
    sender = sender_of({"type": "hidden_user", "date": 1, "sender_user_name": "  Petra   Novak "})
    assert sender.kind is SenderKind.HIDDEN and sender.is_person and sender.name_only
    assert (sender.user_id, sender.username, sender.name) == (None, None, "Petra Novak")
    card = sender.card()
    assert (card.first_name, card.last_name, card.telegram_id) == ("Petra", "Novak", None)
    assert not card.is_empty


def test_a_channel_post_and_a_group_message_are_not_people():
    channel = sender_of(
        {
            "type": "channel",
            "date": 1,
            "message_id": 5,
            "chat": {"id": -100, "type": "channel", "title": "Solar News", "username": "solarnews"},
        }
    )
    assert channel.kind is SenderKind.CHANNEL and not channel.is_person
    assert (channel.name, channel.username, channel.user_id) == ("Solar News", "solarnews", None)
    signed = sender_of(
        {
            "type": "channel",
            "date": 1,
            "message_id": 5,
            "author_signature": "Ivo",
            "chat": {"id": -100, "type": "channel", "title": "Solar News"},
        }
    )
    assert signed.name == "Ivo" and not signed.is_person
    group = sender_of({"type": "chat", "date": 1, "sender_chat": {"id": -200, "type": "supergroup", "title": "Buyers"}})
    assert group.kind is SenderKind.CHAT and not group.is_person and group.name == "Buyers"


def test_forwards_of_one_sender_within_the_window_make_one_batch():
    marko = sender_of(MARKO)
    assert extends(marko.key, T0, marko, T0)  # the same second
    assert extends(marko.key, T0, marko, T0 + BATCH_WINDOW)
    assert not extends(marko.key, T0, marko, T0 + BATCH_WINDOW + timedelta(seconds=1))  # a new forward later
    assert not extends(marko.key, T0, marko, T0 - timedelta(seconds=1))  # older than the batch
    other = sender_of({"type": "user", "date": 1, "sender_user": {"id": 4243, "is_bot": False, "first_name": "Marko"}})
    assert not extends(marko.key, T0, other, T0)  # someone else, even at once


def test_hidden_senders_are_told_apart_by_name():
    petra = sender_of({"type": "hidden_user", "date": 1, "sender_user_name": "Petra"})
    ivo = sender_of({"type": "hidden_user", "date": 1, "sender_user_name": "Ivo"})
    assert extends(petra.key, T0, petra, T0 + timedelta(seconds=1))
    assert not extends(petra.key, T0, ivo, T0)


def test_a_batch_becomes_one_note_within_the_limit():
    assert joined(["Hello", "  ", "Price too high?\n"], 3000) == "Hello\n\nPrice too high?"
    cut = joined(["x" * 50, "y" * 50], 60)
    assert len(cut) == 60 and cut.endswith("…")


def test_open_chat_links():
    assert chat_link(4242, "markoj") == "https://t.me/markoj"
    assert chat_link(4242, None) == "tg://user?id=4242"
    assert chat_link(None, None) is None
    assert clean_username("@Marko_J") == "Marko_J"
    assert clean_username("no spaces allowed") is None and clean_username("ab") is None


def test_the_person_a_group_message_is_about():
    marko = MARKO["sender_user"]
    ivo = {"id": 9, "is_bot": False, "first_name": "Ivo"}
    plain = {"message_id": 1, "from": marko, "text": "Hello"}
    assert card_in(plain, "HR").telegram_id == 4242
    shared = {
        "message_id": 2,
        "from": ivo,
        "contact": {"phone_number": "385911111111", "first_name": "Ana", "user_id": 77},
    }
    card = card_in(shared, "HR")
    assert (card.first_name, card.phones, card.telegram_id) == ("Ana", ["+385911111111"], 77)  # the contact, not Ivo
    forwarded = {
        "message_id": 3,
        "from": ivo,
        "text": "x",
        "forward_origin": {"type": "hidden_user", "date": 1, "sender_user_name": "Petra"},
    }
    assert card_in(forwarded, None).first_name == "Petra" and card_in(forwarded, None).telegram_id is None
    channel = {
        "message_id": 4,
        "from": ivo,
        "text": "x",
        "forward_origin": {
            "type": "channel",
            "date": 1,
            "message_id": 1,
            "chat": {"id": -1, "type": "channel", "title": "News"},
        },
    }
    assert card_in(channel, None) is None
    mention = {
        "message_id": 5,
        "from": ivo,
        "text": "Ask Marko",
        "entities": [{"type": "text_mention", "offset": 4, "length": 5, "user": marko}],
    }
    assert card_in(mention, None).telegram_id == 4242
    assert card_in({"message_id": 6, "from": {"id": 1, "is_bot": True, "first_name": "Bot"}, "text": "x"}, None) is None
