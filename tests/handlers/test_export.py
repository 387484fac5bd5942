"""/export as CSV and Excel for a manager (the team's records) and a rep (their own only), the
zero-record answer, a record's vCard and data report, and /retention for managers."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
import vobject
from telegram.request import RequestData

from bot.db import Scope
from bot.domain.retention import Retention
from bot.services import members
from tests.support import WriteWatch, add_lead, alert, make_team, msg, says, sent

NOTHING = "Nothing to export: there are no records yet."


@pytest.fixture
def files(tg: Any) -> dict[str, bytes]:
    """The documents the bot sends, by file name (read from the multipart upload)."""
    got: dict[str, bytes] = {}
    request = tg.request.do_request

    async def do_request(url: str, method: str, request_data: RequestData | None = None, *a: Any, **k: Any) -> Any:
        if request_data is not None and request_data.contains_files:
            for part in (request_data.multipart_data or {}).values():
                name, content = part[0], part[1]
                got[str(name)] = bytes(content)
        return await request(url, method, request_data, *a, **k)

    tg.request.do_request = do_request
    return got


@pytest.fixture(autouse=True)
def watch(tg: Any) -> Any:
    w = WriteWatch(tg)
    yield w
    assert w.problems == []


async def test_manager_and_rep_export_csv_and_xlsx(tg, db, files):
    people = await make_team(db, "Acme", 700)
    await add_lead(db, people["rep1"], "Ana")
    await add_lead(db, people["rep2"], "Boris")
    manager = tg.person(701, "manager")
    [menu] = sent(await manager.send("/export"))
    assert says(menu, "Records to export: {n}, with their notes and stage history. Which format?", n=2)
    await manager.tap(menu, msg("CSV"))
    records = [n for n in files if n.endswith("-records.csv")]
    assert len(records) == 1 and any(n.endswith("-notes.csv") for n in files)
    raw = files[records[0]]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(r["first_name"] for r in rows) == ["Ana", "Boris"]
    assert {r["stage"] for r in rows} == {"lead"} and {r["owner"] for r in rows} == {"rep1", "rep2"}
    files.clear()
    await manager.tap(menu, msg("Excel"))
    [name] = [n for n in files if n.endswith(".xlsx")]
    book = openpyxl.load_workbook(io.BytesIO(files[name]), read_only=True)
    assert book.sheetnames == ["records", "notes", "history"]
    sheet = list(book["records"].iter_rows(values_only=True))
    header = sheet[0]
    assert sorted(r[header.index("first_name")] for r in sheet[1:]) == ["Ana", "Boris"]
    assert len(list(book["history"].iter_rows(values_only=True))) == 3  # header + two "created"

    files.clear()
    rep = tg.person(702, "rep1")
    [menu] = sent(await rep.send("/export"))
    assert says(menu, "Records to export: {n}, with their notes and stage history. Which format?", n=1)
    await rep.tap(menu, msg("Excel"))
    [name] = [n for n in files if n.endswith(".xlsx")]
    book = openpyxl.load_workbook(io.BytesIO(files[name]), read_only=True)
    names = [r[1] for r in list(book["records"].iter_rows(values_only=True))[1:]]
    assert names == ["Ana"]


async def test_export_of_nothing_says_so(tg, db):
    await make_team(db, "Acme", 710)
    rep = tg.person(712, "rep1")
    [answer] = sent(await rep.send("/export"))
    assert says(answer, NOTHING)
    assert alert(await rep.press("1xp:csv")) == msg(NOTHING)
    assert alert(await rep.press("1xp:pdf")) == msg("This button is no longer active. Please send the command again.")


async def test_vcard_and_data_report_of_a_record(tg, db, files):
    people = await make_team(db, "Acme", 720)
    lead = await add_lead(db, people["rep1"], "Ana")
    rep = tg.person(722, "rep1")
    await rep.press(f"1xvc:{lead.id}")
    card = vobject.readOne(files[f"{lead.code}.vcf"].decode())
    assert card.fn.value == "Ana" and card.email.value == "ana@acme.hr"
    await rep.press(f"1xrep:{lead.id}")
    report = json.loads(files[f"data-report-{lead.code}.json"])
    assert report["record"]["first_name"] == "Ana" and report["history"][0]["event"] == "created"
    other = tg.person(723, "rep2")
    assert alert(await other.press(f"1xrep:{lead.id}")) == msg("That record is not available to you.")


async def test_retention_is_a_managers_setting(tg, db):
    people = await make_team(db, "Acme", 730)
    manager = tg.person(731, "manager")
    [shown] = sent(await manager.send("/retention"))
    assert says(shown, "Retention is off: records are kept until someone deletes them.")
    calls = await manager.tap(shown, "12 ")
    assert sent(calls, "editMessageText")
    async with db.read(Scope.system()) as s:
        team = await members.get_team(s, people["manager"].team_id)
    assert Retention.of(team.settings).months == 12
    rep = tg.person(732, "rep1")
    [shown] = sent(await rep.send("/retention"))
    assert not shown.buttons
    assert alert(await rep.press("1xret:0")) == msg("Only a manager can change these.")
