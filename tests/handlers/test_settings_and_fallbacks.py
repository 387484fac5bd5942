"""/settings, the time zone prompt, /cancel, unknown input, stale buttons and the error handler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.app import set_commands
from bot.db import Database, Scope
from bot.presentation.links import group_payload
from bot.services import members
from models import FlowState, Member, Role, Team
from models.errors import DomainError
from tests.conftest import ADMIN_ID
from tests.support import alert, catalogue, make_team, msg, owner, says, sent
from tests.telegram_fake import TOKEN, FakeTelegram

SETTINGS = "<b>Settings</b>\nLanguage: {language}\nTime zone: {zone}\nTeam: {team} ({role})"
ZONE_SAVED = "Time zone set to {zone}. Your local time is {time}. You can change it in /settings."
UNKNOWN_ZONE = (
    "I don't know that time zone. Try a city such as Zagreb or Warsaw, a name such as "
    "Europe/Prague, or an offset such as UTC+2. /cancel stops."
)
NOT_A_CARD = (
    "I could not find a name, company, e-mail or phone in that. Send the card's text, a photo of "
    "the card, a shared contact or a .vcf file, or use /new to type it field by field."
)
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
OTHER_MESSAGE = "I can't use that kind of message here. Send /help to see what I can do."
WELCOME = (
    "Welcome, {name}! Your team <b>{team}</b> is ready and you are its owner.\n\n"
    "Invite your reps with /invite. Send /help to see what I can do."
)
STALE = "This button is no longer active. Please send the command again."
MANAGER_HELP = (
    "/invite – invite a rep to your team (/invite manager for a manager)",
    "/qualification – the team's qualification criteria and pass mark",
    "/subscribe – in your team's group: daily or weekly funnel summaries there (see /settings)",
)


async def member_row(db: Database, telegram_user_id: int = ADMIN_ID) -> Member:
    async with db.read(Scope.system()) as s:
        return (await s.exec(select(Member).where(col(Member.telegram_user_id) == telegram_user_id))).one()


async def flows(db: Database) -> list[FlowState]:
    async with db.read(Scope.system()) as s:
        return list((await s.exec(select(FlowState))).all())


async def test_timezone_by_button_then_shown_in_settings(tg, db):
    olga = await owner(tg)
    [menu] = sent(await olga.send("/settings"))
    assert says(menu, SETTINGS) and "Olga's team" in menu.text and msg("not set yet") in menu.text
    [edited] = sent(await olga.tap(menu, msg("Time zone")), "editMessageText")
    assert says(edited, "Choose your time zone, or pick another one:")
    [saved] = sent(await olga.tap(edited, "Zagreb"), "editMessageText")
    assert says(saved, ZONE_SAVED) and "Zagreb" in saved.text
    assert (await member_row(db)).timezone == "Europe/Zagreb"
    [menu] = sent(await olga.send("/settings"))
    assert "Zagreb" in menu.text and msg("not set yet") not in menu.text


async def test_an_unknown_zone_button_is_refused_and_nothing_changes(tg, db):
    olga = await owner(tg)
    calls = await olga.press("1tz:set:Mars/Base")
    assert alert(calls) == msg("That time zone is not known.") and not sent(calls, "editMessageText")
    assert (await member_row(db)).timezone is None


async def test_timezone_typed_by_city_with_a_retry(tg, db):
    olga = await owner(tg)
    calls = await olga.press("1tz:ask")
    [prompt] = sent(calls, "editMessageText")
    assert prompt.text == msg("Type your city or time zone, for example Zagreb, Europe/Prague or UTC+2.")
    [refusal] = sent(await olga.send("Atlantis"))
    assert says(refusal, UNKNOWN_ZONE)
    [saved] = sent(await olga.send("warsaw"))
    assert says(saved, ZONE_SAVED) and "Warsaw" in saved.text
    assert (await member_row(db)).timezone == "Europe/Warsaw"
    assert await flows(db) == []
    [answer] = sent(await olga.send("warsaw"))  # the flow is over: plain text now means a card
    assert says(answer, NOT_A_CARD)


async def test_language_choice_is_saved_and_the_bot_speaks_it(tg, db):
    olga = await owner(tg)
    assert (await member_row(db)).language == "en"
    [langs] = sent(await olga.press("1set:lang"), "editMessageText")
    assert says(langs, "Choose your language:")
    current = catalogue("en")("✓ {language}", language="English")  # (msg() has a `language` of its own)
    assert current in [b["text"] for b in langs.buttons]
    [menu] = sent(await olga.tap(langs, "Hrvatski"), "editMessageText")
    assert (await member_row(db)).language == "hr"
    assert says(menu, SETTINGS, "hr") and "Hrvatski" in menu.text
    assert msg("Language", "hr") in [b["text"] for b in menu.buttons]  # the buttons too
    [answer] = sent(await olga.send("/frobnicate"))  # the next reply speaks Croatian
    assert answer.text == msg(UNKNOWN_COMMAND, "hr") != msg(UNKNOWN_COMMAND)
    [refusal] = sent(await olga.press("1set:lang:xx"), "editMessageText")
    assert refusal.text == msg("That language is not available.", "hr")
    assert (await member_row(db)).language == "hr"


async def test_settings_close_and_back(tg):
    olga = await owner(tg)
    [closed] = sent(await olga.press("1set:close"), "editMessageText")
    assert says(closed, SETTINGS) and not closed.buttons
    [menu] = sent(await olga.press("1set:menu"), "editMessageText")
    assert says(menu, SETTINGS) and msg("Language") in [b["text"] for b in menu.buttons]
    assert alert(await olga.press("1set:bogus")) == msg(STALE)


async def test_managers_get_the_group_link_in_settings_reps_do_not(tg, db):
    team = await make_team(db, "T", 3300)
    [menu] = sent(await tg.person(team["manager"].telegram_user_id, "Max").send("/settings"))
    link = menu.button(msg("➕ Add me to your team's group"))["url"]
    assert link.endswith(f"?startgroup={group_payload(team['manager'].team_id, TOKEN)}")  # signed
    [menu] = sent(await tg.person(team["rep1"].telegram_user_id, "Rita").send("/settings"))
    assert all("url" not in b for b in menu.buttons)


async def test_cancel_always_answers_and_ends_the_flow(tg, db):
    olga = await owner(tg)
    [answer] = sent(await olga.send("/cancel"))
    assert answer.text == msg("There is nothing to cancel. Send /help to see what I can do.")
    await olga.press("1tz:ask", message_id=55)
    calls = await olga.send("/cancel")
    assert sent(calls)[0].text == msg("Cancelled. Everything you saved before is kept.")
    [drop] = sent(calls, "editMessageReplyMarkup")
    assert drop.params["message_id"] == 55
    assert await flows(db) == []


async def test_unknown_command_other_media_and_long_text(tg):
    olga = await owner(tg)
    assert sent(await olga.send("/frobnicate"))[0].text == msg(UNKNOWN_COMMAND)
    too_long = "That message is too long for me. Please send a shorter one."
    assert sent(await olga.send("x" * 5000))[0].text == msg(too_long)
    sticker = {
        "file_id": "st1",
        "file_unique_id": "st1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    [answer] = sent(await olga.send_message(sticker=sticker))
    assert answer.text == msg(OTHER_MESSAGE)
    [answer] = sent(await olga.send_message(voice={"file_id": "v1", "file_unique_id": "v1", "duration": 3}))
    assert answer.text == msg(OTHER_MESSAGE)


async def test_stale_and_unknown_buttons_get_a_clear_answer(tg):
    olga = await owner(tg)
    for data in ("0old:1", "garbage", "1zzz:1", "1tz:frob"):
        calls = await olga.press(data)
        [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert answer.params["text"] == msg(STALE) and answer.params["show_alert"] is True
        assert not sent(calls) and not sent(calls, "editMessageText")


async def test_an_unexpected_error_gets_an_apology_and_a_logged_traceback(
    tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    olga = await owner(tg)

    async def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(members, "get_team", boom)
    calls = await olga.send("/help")  # /help does not touch get_team
    assert says(sent(calls)[0], "<b>Your sales assistant</b>")
    calls = await olga.send("/settings")
    apology = msg("Sorry, something went wrong on my side. Nothing you saved is lost; please try again.")
    assert [c.text for c in sent(calls)] == [apology]
    assert any(r.exc_info and "kaboom" in str(r.exc_info[1]) for r in caplog.records)


async def test_help_lists_the_manager_commands_only_for_managers(tg, db):
    team = await make_team(db, "T", 3200)
    for role, sees in (("owner", True), ("manager", True), ("rep1", False)):
        [help_text] = sent(await tg.person(team[role].telegram_user_id, role).send("/help"))
        assert says(help_text, "<b>Your sales assistant</b>") and msg("/help – this message") in help_text.text
        for line in MANAGER_HELP:
            assert (msg(line) in help_text.text) is sees, (role, line)


async def test_commands_menu_is_set_per_language(tg):
    await set_commands(tg.app)
    calls = [c for c in tg.request.calls if c.method == "setMyCommands" and "scope" not in c.params]
    in_groups = [c for c in tg.request.calls if c.method == "setMyCommands" and "scope" in c.params]
    assert {c["command"] for c in in_groups[0].params["commands"]} == {
        "funnel",
        "subscribe",
        "unsubscribe",
        "link",
        "unlink",
        "lead",
    }
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
        "events",
        "remind",
        "funnel",
        "nudges",
        "qualification",
        "team",
        "export",
        "retention",
    }
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_language) == {None, "en", "hr", "cs", "pl", "mk", "fa"}
    hr = {c["description"] for c in by_language["hr"]}
    assert hr >= {msg("Language and time zone", "hr"), msg("What I can do", "hr")}
    assert by_language["fa"][1]["description"] == msg("What I can do", "fa") != "What I can do"


async def test_first_contact_takes_the_telegram_language(tg, db):
    calls = await tg.person(ADMIN_ID, "Ivana", language_code="hr").send("/start")
    [welcome, _zone_question] = sent(calls)
    assert says(welcome, WELCOME, "hr") and "Ivana" in welcome.text and not says(welcome, WELCOME)
    assert (await member_row(db)).language == "hr"
    stranger = (
        "Hello! I am a private sales assistant for teams. To use me, ask your team's manager for an invite link. "
        "Your Telegram user id is {id}."
    )
    calls = await tg.person(4444, "Jan", language_code="cs").send("/start")
    assert sent(calls)[0].text == msg(stranger, "cs", id="4444") != msg(stranger, id="4444")
    calls = await tg.person(4445, "Kim", language_code="ko").send("/start")
    assert sent(calls)[0].text == msg(stranger, id="4445")


async def test_the_team_currency_is_chosen_in_settings_and_read_in_amounts(tg, db):
    olga = await owner(tg)
    [menu] = sent(await olga.send("/settings"))
    assert msg("Team currency: {currency}", currency="Euro") in menu.text
    [question] = sent(await olga.tap(menu, msg("Team currency")), "editMessageText")
    assert says(question, "Which currency does the team count in? Amounts typed without one are read in it.")
    [saved] = sent(await olga.tap(question, "Czech Koruna"), "editMessageText")
    assert msg("Team currency: {currency}", currency="Czech Koruna") in saved.text
    async with db.read(Scope.system()) as s:
        team = await members.get_team(s, (await member_row(db)).team_id)
    assert team is not None and team.currency == "CZK"


async def test_a_new_teams_currency_follows_its_owners_language(db):
    async with db.begin(Scope.system()) as s:
        for user_id, language in ((501, "cs"), (502, "pl"), (503, "fa"), (504, "en")):
            await members.bootstrap_owner(
                s, telegram_user_id=user_id, first_name="O", last_name=None, username=None, language=language,
                default_timezone="UTC", now=datetime.now(UTC), team_name=f"T{user_id}",
            )  # fmt: skip
    async with db.read(Scope.system()) as s:
        found = {t.name: t.currency for t in (await s.exec(select(Team))).all()}
    assert found == {"T501": "CZK", "T502": "PLN", "T503": "IRR", "T504": "EUR"}


async def test_a_rep_cannot_change_the_team_currency(db):
    async with db.begin(Scope.system()) as s:
        rep = Member(team_id=1, telegram_user_id=7, first_name="R", language="en", role=Role.REP)
        with pytest.raises(DomainError):
            await members.set_currency(s, rep, "USD")
