"""Inputs that must not hurt: the gate fails closed, edits are never handled twice, buttons with
any data get an answer, failed statements keep their values out of the logs, and what the bot
writes is its owner's alone."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import select

from bot.db import Database, Scope, restrict_sqlite_files
from bot.logs import setup_logging
from bot.presentation.fitting import MESSAGE_LIMIT, units
from bot.services import leads, members
from models import Activity, CardDraft, Invite, Lead, Member
from models.base import utcnow
from tests.conftest import ADMIN_ID
from tests.support import ANA, alert, msg, says, sent

APOLOGY = "Sorry, something went wrong on my side. Nothing you saved is lost; please try again."
EDITED = (
    "I don't apply edits to messages: what you sent first is what I kept. "
    "Send the correction as a new message, or open the record to change it."
)


async def test_when_the_gate_cannot_decide_the_update_stops_there_with_one_apology(tg, monkeypatch, caplog):
    owner = tg.person(ADMIN_ID, "Olga")
    await owner.send("/start")

    async def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, ConnectionRefusedError("the database is down"))

    monkeypatch.setattr(members, "find_by_telegram_id", down)
    with caplog.at_level(logging.ERROR):
        calls = await owner.send("/help")
    [answer] = sent(calls)
    assert answer.text == msg(APOLOGY)  # and no handler ran without a member (no help text, no second reply)
    assert "access gate could not decide" in caplog.text
    calls = await owner.press("1set:lang:en")
    assert [c.method for c in calls].count("sendMessage") == 1 and says(sent(calls)[0], APOLOGY)


def _edit(person, message_id: int, text_: str) -> dict:
    message = person._message(text_)
    message["message_id"] = message_id
    message["edit_date"] = message["date"] + 5
    return {"update_id": next(person._update_ids), "edited_message": message}


async def test_an_edited_message_is_never_handled_as_a_new_one(tg, db):
    owner = tg.person(ADMIN_ID, "Olga")
    await owner.send("/start")
    await owner.send(ANA)  # a pasted card: one draft
    calls = await tg.process(_edit(owner, 900, ANA + "\nextra"))
    [answer] = sent(calls)
    assert answer.text == msg(EDITED)
    calls = await tg.process(_edit(owner, 901, "/invite"))
    assert [c.text for c in sent(calls)] == [msg(EDITED)]  # no second invite
    async with db.read(Scope.system()) as s:
        assert len((await s.exec(select(CardDraft))).all()) == 1  # the first paste's, no second draft
        assert (await s.exec(select(Invite))).all() == [] and (await s.exec(select(Activity))).all() == []
        assert (await s.exec(select(Lead))).all() == []
    # in a group, an edit gets silence
    group_edit = _edit(owner, 902, "/funnel")
    group_edit["edited_message"]["chat"] = {"id": -100, "type": "group", "title": "Sales"}
    assert sent(await tg.process(group_edit)) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.text(max_size=80), st.binary(max_size=64).map(lambda b: b.decode("latin-1"))))
async def test_a_button_with_any_data_gets_an_answer_and_no_error(tg, data):
    calls = await tg.person(ADMIN_ID, "Olga").press(data)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, (data, [c.method for c in calls])
    assert not any(says(c, APOLOGY) for c in sent(calls)), data


async def test_buttons_with_huge_ids_or_no_data_are_no_longer_active(tg):
    owner = tg.person(ADMIN_ID, "Olga")
    await owner.send("/start")
    for data in ("", "1rec:99999999999999999999", "1rec:-1", "1rec:", "1mv:1:" + "9" * 40, "2rec:1", "1rec:1:2:3:4"):
        calls = await owner.press(data)
        assert alert(calls) and not any(says(c, APOLOGY) for c in sent(calls)), data


async def test_a_failed_statement_is_logged_without_its_values(db: Database, caplog):
    with caplog.at_level(logging.INFO), pytest.raises(DBAPIError) as failed:
        async with db.core() as conn:
            await conn.execute(text("SELECT * FROM no_such_table WHERE name = :name"), {"name": "Ana Kovačević"})
    assert "no_such_table" in str(failed.value)
    assert "Ana Kovačević" not in str(failed.value) and "Ana Kovačević" not in caplog.text
    root, hook = logging.getLogger(), sys.excepthook
    saved = (
        root.handlers[:],
        root.level,
        logging.getLogger("aiosqlite").level,
        logging.getLogger("sqlalchemy.engine").level,
    )
    try:
        setup_logging("DEBUG", [])  # even at DEBUG, the statement logs stay quiet
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], sys.excepthook = saved[0], hook
        root.setLevel(saved[1])
        logging.getLogger("aiosqlite").setLevel(saved[2])
        logging.getLogger("sqlalchemy.engine").setLevel(saved[3])


def test_files_the_bot_writes_are_its_owners_alone(tmp_path):
    database = tmp_path / "sales.db"
    database.write_bytes(b"")
    database.chmod(0o644)
    restrict_sqlite_files(f"sqlite+aiosqlite:///{database}")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    # a database the CLI creates (and its journal, backups, exports: the umask) is 0600 too
    fresh = tmp_path / "fresh.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{fresh}", "PYTHONPATH": str(Path.cwd())}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


async def test_a_record_with_hundreds_of_addresses_opens_and_every_message_fits(tg, db):
    owner_person = tg.person(ADMIN_ID, "Olga")
    await owner_person.send("/start")
    async with db.read(Scope.system()) as s:
        olga = (await s.exec(select(Member))).one()
    emails = [f"ana.{i}@example-{i}.hr" for i in range(400)]
    async with db.begin(Scope.of(olga)) as s:
        lead = await leads.create_lead(s, olga, now=utcnow(), first_name="Ana", company="Acme " * 36, emails=emails)
    calls = await owner_person.press(f"1rec:{lead.id}")
    shown = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    assert shown and all(units(c.text) <= MESSAGE_LIMIT for c in shown)
    assert "ana.0@example-0.hr" in shown[-1].text and "ana.399@" not in shown[-1].text
    # a pasted card with as many addresses: its preview fits too
    calls = await owner_person.send("Ana Horvat\nAcme d.o.o.\n" + "\n".join(emails[:300]))
    assert sent(calls) and all(units(c.text) <= MESSAGE_LIMIT for c in sent(calls))
