"""/settings, the time zone prompt, /cancel, unknown input, stale buttons and the error handler."""

from __future__ import annotations

from sqlmodel import select

from bot.db import Scope
from models import FlowState, Member
from tests.conftest import ADMIN_ID


def texts(calls, method="sendMessage"):
    return [c.text for c in calls if c.method == method]


async def owner(tg):
    person = tg.person(ADMIN_ID, "Olga")
    await person.send("/start")
    return person


async def member_row(db) -> Member:
    async with db.begin(Scope.system()) as s:
        return (await s.exec(select(Member).where(Member.telegram_user_id == ADMIN_ID))).one()


async def test_timezone_by_button_then_shown_in_settings(tg, db):
    olga = await owner(tg)
    calls = await olga.send("/settings")
    [menu] = [c for c in calls if c.method == "sendMessage"]
    assert "Time zone: not set yet" in menu.text
    calls = await olga.tap(menu, "Time zone")
    [edited] = [c for c in calls if c.method == "editMessageText"]
    calls = await olga.tap(edited, "Europe/Zagreb")
    assert "Time zone set to Europe/Zagreb" in texts(calls, "editMessageText")[0]
    assert (await member_row(db)).timezone == "Europe/Zagreb"


async def test_timezone_typed_by_city_with_a_retry(tg, db):
    olga = await owner(tg)
    calls = await olga.press("1tz:ask")
    assert "Type your city" in texts(calls, "editMessageText")[0]
    calls = await olga.send("Atlantis")
    assert "I don't know that time zone" in texts(calls)[0]
    calls = await olga.send("warsaw")
    assert "Time zone set to Europe/Warsaw" in texts(calls)[0]
    assert (await member_row(db)).timezone == "Europe/Warsaw"
    calls = await olga.send("warsaw")  # the flow is over
    assert "could not find a name, company" in texts(calls)[0]  # plain text now means a card


async def test_language_choice_is_saved(tg, db):
    olga = await owner(tg)
    calls = await olga.press("1set:lang")
    [langs] = [c for c in calls if c.method == "editMessageText"]
    assert any("English" in b["text"] for b in langs.buttons)
    calls = await olga.press("1set:lang:en")
    assert "Language: English" in texts(calls, "editMessageText")[0]
    calls = await olga.press("1set:lang:xx")
    assert "not available" in texts(calls, "editMessageText")[0]
    assert (await member_row(db)).language == "en"


async def test_cancel_always_answers_and_ends_the_flow(tg, db):
    olga = await owner(tg)
    calls = await olga.send("/cancel")
    assert "nothing to cancel" in texts(calls)[0]
    await olga.press("1tz:ask", message_id=55)
    calls = await olga.send("/cancel")
    assert "Cancelled" in texts(calls)[0]
    [drop] = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert drop.params["message_id"] == 55
    async with db.begin(Scope.system()) as s:
        assert (await s.exec(select(FlowState))).all() == []


async def test_unknown_command_other_media_and_long_text(tg):
    olga = await owner(tg)
    assert "don't know that command" in texts(await olga.send("/frobnicate"))[0]
    assert "too long" in texts(await olga.send("x" * 5000))[0]


async def test_stale_and_unknown_buttons_get_a_clear_answer(tg):
    olga = await owner(tg)
    for data in ("0old:1", "garbage", "1zzz:1"):
        calls = await olga.press(data)
        [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert "no longer active" in answer.params["text"]


async def test_an_unexpected_error_gets_an_apology_and_a_logged_traceback(tg, monkeypatch, caplog):
    olga = await owner(tg)
    from bot.services import members

    async def boom(*_args, **_kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(members, "get_team", boom)
    calls = await olga.send("/help")  # /help does not touch get_team
    assert "Your sales assistant" in texts(calls)[0]
    calls = await olga.send("/start")
    assert any("Sorry, something went wrong" in t for t in texts(calls))
    assert any(r.exc_info and "kaboom" in str(r.exc_info[1]) for r in caplog.records)


async def test_help_lists_invite_only_for_managers(tg):
    olga = await owner(tg)
    assert "/invite" in texts(await olga.send("/help"))[0]


async def test_commands_menu_is_set_per_language(tg):
    from bot.app import set_commands

    await set_commands(tg.app)
    calls = [c for c in tg.request.calls if c.method == "setMyCommands" and "scope" not in c.params]
    in_groups = [c for c in tg.request.calls if c.method == "setMyCommands" and "scope" in c.params]
    assert {c["command"] for c in in_groups[0].params["commands"]} == {"funnel", "subscribe", "unsubscribe"}
    assert len(in_groups) == 7
    assert calls and {c["command"] for c in calls[0].params["commands"]} == {
        "start",
        "help",
        "settings",
        "cancel",
        "invite",
        "new",
        "leads",
        "find",
        "note",
        "pipeline",
        "remind",
        "funnel",
        "nudges",
        "qualification",
    }
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_language) == {None, "en", "hr", "cs", "pl", "mk", "fa"}
    assert {c["description"] for c in by_language["hr"]} >= {"Jezik i vremenska zona", "Što sve mogu"}
    assert by_language["fa"][1]["description"] == "کارهایی که می‌توانم انجام دهم"


async def test_first_contact_takes_the_telegram_language(tg, db):
    calls = await tg.person(ADMIN_ID, "Ivana", language_code="hr").send("/start")
    assert texts(calls)[0].startswith("Dobro došli, Ivana!")
    assert (await member_row(db)).language == "hr"
    calls = await tg.person(4444, "Jan", language_code="cs").send("/start")
    assert texts(calls)[0].startswith("Dobrý den! Jsem soukromý obchodní asistent")
    calls = await tg.person(4445, "Kim", language_code="ko").send("/start")
    assert texts(calls)[0].startswith("Hello! I am a private sales assistant")
