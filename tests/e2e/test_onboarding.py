"""The real bot process against the emulated Bot API: a stranger, the first owner, an invite, a rep,
/help, the command menu, and a kill -9 in the middle that loses nothing."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_ID
from tests.e2e.conftest import running_bot
from tests.telegram_fake import TOKEN


async def test_stranger_owner_invite_rep_help_and_kill9(database_url, db, tmp_path):
    del db  # empties the tables first
    async with running_bot(database_url, tmp_path) as bot:
        fg = bot.fg
        stranger = await fg.user(5001, first_name="Eve")
        [r] = await stranger.ask("/start")
        assert "ask your team's manager for an invite link" in r.text

        olga = await fg.user(ADMIN_ID, first_name="Olga")
        welcome, tz = await olga.ask("/start", n=2)
        assert "you are its owner" in welcome.text
        assert "Which time zone" in tz.text
        _, [edited] = await olga.click("1tz:set:Europe/Zagreb", n=1)
        assert edited.edited and "Time zone set to Zagreb" in edited.text

        [inv] = await olga.ask("/invite")
        payload = re.search(r"\?start=(i-[A-Za-z0-9_-]+)", inv.text).group(1)
        assert "salesbot_e2e_bot" in inv.text
        assert inv.button_texts == ["Share the invite"]

        rita = await fg.user(5002, first_name="Rita")
        joined, ask_tz = await rita.ask(f"/start {payload}", n=2)
        assert "You joined as a rep" in joined.text and "time zone" in ask_tz.text
        [help_msg] = await rita.ask("/help")
        assert "Your sales assistant" in help_msg.text and "/invite" not in help_msg.text

        commands = {c["command"] for c in await fg.bot_commands()}
        assert {"start", "help", "settings", "cancel", "invite"} <= commands
        assert await fg.unsupported_calls() == []

        # kill -9 and a restart: nothing saved is lost. (The emulator hands an update to whichever
        # long poll is open, even a dead one, so the next message is sent once the bot polls again.)
        await bot.kill9()
        await bot.start_again()
        [settings] = await rita.ask("/settings")
        assert "Team: Olga's team (rep)" in settings.text
        [again] = await stranger.ask("/help")
        assert "invite link" in again.text
        [used] = await (await fg.user(5003, first_name="Mallory")).ask(f"/start {payload}")
        assert "already been used" in used.text

    assert bot.stack.bot_returncode == 0  # SIGTERM stops it cleanly
    log = (tmp_path / "bot.log").read_text()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "Traceback" not in log
