"""The real bot process against the emulated Bot API: /export as CSV and Excel for a manager (the
team's records) and a rep (their own only), an export of nothing, and 🗑 Delete: the record is gone
from /find, /leads, the stage tally the summaries count from, reminders and every table."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy import func
from sqlmodel import select

from bot.db import Scope
from bot.services import leads
from models import Activity, ContactPoint, ErasureAudit, Lead, Reminder, StageChange, StageTally
from models.base import utcnow
from tests.e2e.conftest import running_bot
from tests.support import add_lead, make_team


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def test_export_and_delete(database_url, db, tmp_path):
    people = await make_team(db, "Acme", 6100)
    ana = await add_lead(db, people["rep1"], "Ana")
    await add_lead(db, people["rep2"], "Boris")
    async with db.begin(Scope.of(people["rep1"])) as s:
        lead = await leads.get_visible(s, ana.id)
        await leads.add_note(s, lead, people["rep1"], "asked for a quote", now=utcnow())
        s.add(
            Reminder(team_id=lead.team_id, owner_id=lead.owner_id, lead_id=lead.id, due_at=utcnow() + timedelta(days=3))
        )
    empty = await make_team(db, "Empty", 6200)
    del empty

    async with running_bot(database_url, tmp_path, LOG_LEVEL="WARNING") as bot:
        fg = bot.fg
        manager = await fg.user(6101, first_name="manager")
        [menu] = await manager.ask("/export")
        assert "Records to export: 2" in menu.text
        _, docs = await manager.click("CSV", n=3)
        by_name = {d.document["file_name"]: d for d in docs}
        [records] = [n for n in by_name if n.endswith("-records.csv")]
        rows = _rows(await manager.download(by_name[records]))
        assert sorted(r["first_name"] for r in rows) == ["Ana", "Boris"]
        [notes] = [n for n in by_name if n.endswith("-notes.csv")]
        assert [r["text"] for r in _rows(await manager.download(by_name[notes]))] == ["asked for a quote"]
        _, [xlsx] = await manager.click("Excel", n=1, message=menu)
        book = openpyxl.load_workbook(io.BytesIO(await manager.download(xlsx)), read_only=True)
        sheet = list(book["records"].iter_rows(values_only=True))
        assert sorted(r[sheet[0].index("first_name")] for r in sheet[1:]) == ["Ana", "Boris"]

        rep = await fg.user(6102, first_name="rep1")
        [menu] = await rep.ask("/export")
        assert "Records to export: 1" in menu.text
        _, [xlsx] = await rep.click("Excel", n=1)
        book = openpyxl.load_workbook(io.BytesIO(await rep.download(xlsx)), read_only=True)
        sheet = list(book["records"].iter_rows(values_only=True))
        assert [r[sheet[0].index("first_name")] for r in sheet[1:]] == ["Ana"]

        nobody = await fg.user(6202, first_name="rep1")
        [answer] = await nobody.ask("/export")
        assert "Nothing to export" in answer.text

        # Delete Ana's record from its card
        [found] = await rep.ask("/find Ana")
        _, [card] = await rep.click("Ana · Acme d.o.o.", n=1, message=found)
        _, [confirm] = await rep.click("🗑 Delete", n=1, message=card)
        assert "notes: 1" in confirm.text and "pending reminders: 1" in confirm.text
        _, [done] = await rep.click("🗑 Yes, delete", n=1, message=confirm)
        assert "Deleted" in done.text
        [nothing] = await rep.ask("/find Ana")
        assert "Nothing found" in nothing.text
        [listing] = await rep.ask("/leads")
        assert "No records yet" in listing.text
        [mlist] = await manager.ask("/leads")
        assert "Ana" not in mlist.text and "Boris" in mlist.text
        assert await fg.unsupported_calls() == []

    async with db.read(Scope.system()) as s:
        for model in (ContactPoint, Activity, StageChange, Reminder):
            query = select(func.count()).select_from(model).where(model.lead_id == ana.id)
            assert (await s.exec(query)).one() == 0, model
        assert (await s.exec(select(func.count()).select_from(Lead).where(Lead.id == ana.id))).one() == 0
        tally = sum(t.n for t in await s.exec(select(StageTally).where(StageTally.team_id == ana.team_id)))
        assert tally == 1
        [audit] = (await s.exec(select(ErasureAudit))).all()
        assert audit.lead_id == ana.id and audit.erased_by_id == people["rep1"].id
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log
