"""Large .vcf files: the reader's worst cases, and an import through the real handler while another
member keeps asking for /help (SQLite by default, PostgreSQL when DATABASE_URL names one).

    python bench/imports.py [--contacts 10000] [--emails 3]

Prints the reader's time on the worst files of each kind at the size limit, the import's time and
throughput, the longest write transaction of the import (SQLite's write lock is held that long),
and the other member's /help latency while the import runs (median and worst).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONTACT = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Novak{i};Petra;;;\r\nFN:Petra Novak{i}\r\nORG:Moravia Stavby s.r.o.\r\n"
    "TITLE:Jednatelka\r\nTEL;TYPE=CELL:+420 602 {i:06d}\r\n{emails}END:VCARD\r\n"
)


def vcf(contacts: int, emails: int) -> bytes:
    return "".join(
        CONTACT.format(i=i, emails="".join(f"EMAIL:petra{i}.{k}@moravia.cz\r\n" for k in range(emails)))
        for i in range(contacts)
    ).encode()


def reader() -> None:
    from bot.domain import vcards

    size = vcards.MAX_VCF_BYTES
    worst = {
        "BEGIN:VCARD repeated, no END": b"BEGIN:VCARD\n" * (size // 12),
        "one parameter list of commas": ("BEGIN:VCARD\nTEL;X=" + "," * (size - 40) + ":1\nEND:VCARD\n").encode(),
        "quoted-printable soft breaks": b"BEGIN:VCARD\nNOTE;ENCODING=QUOTED-PRINTABLE:" + b"=\n" * (size // 3),
        "random bytes": os.urandom(size),
        f"{vcards.MAX_CONTACTS} ordinary contacts": vcf(vcards.MAX_CONTACTS, 1),
    }
    print(f"reader, files of at most {size / 1e6:.0f} MB:")
    for name, data in worst.items():
        started = time.perf_counter()
        result = vcards.parse_vcards(data)
        took = time.perf_counter() - started
        print(f"  {name:34} {len(data) / 1e6:5.2f} MB  {took:6.2f} s  ({len(result.cards)} read)")


async def importing(contacts: int, emails: int) -> None:
    from bench.common import fresh_database
    from bot.app import build_application
    from bot.config import Settings
    from bot.db import Database, Scope
    from bot.domain.vcards import close_pool
    from bot.state import state_of
    from models import Member, Role, Team
    from tests.telegram_fake import TOKEN, FakeTelegram, RecordingRequest

    url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    url = await fresh_database(url, "imports")
    settings = Settings(
        telegram_bot_token=TOKEN, database_url=url, admin_ids="9001", default_timezone="Europe/Zagreb", _env_file=None
    )
    request = RecordingRequest()
    app = build_application(settings, request=request, rate_limiter=False, migrate=False)
    holds: list[float] = []
    async with app:
        db: Database = state_of(app).db
        begin = db.begin

        @asynccontextmanager
        async def timed(scope: Scope) -> AsyncIterator[Any]:
            started = time.perf_counter()
            async with begin(scope) as session:
                yield session
            holds.append(time.perf_counter() - started)

        db.begin = timed  # type: ignore[method-assign]
        tg = FakeTelegram(app, request)
        olga = tg.person(9001, "Olga")
        await olga.send("/start")
        async with db.begin(Scope.system()) as s:
            team = Team(name="Other team")
            s.add(team)
            await s.flush()
            s.add(Member(team_id=team.id, telegram_user_id=7001, first_name="Ivo", role=Role.OWNER, timezone="UTC"))
        ivo = tg.person(7001, "Ivo")
        await ivo.send("/help")
        data = vcf(contacts, emails)
        holds.clear()
        latencies: list[float] = []
        started = time.perf_counter()
        task = asyncio.create_task(olga.send_document(data, "contacts.vcf", "text/vcard"))
        while not task.done():
            asked = time.perf_counter()
            await ivo.send("/help")
            latencies.append(time.perf_counter() - asked)
            await asyncio.sleep(0.2)
        await task
        took = time.perf_counter() - started
        report = [c for c in request.calls if c.method == "editMessageText"][-1].text
        close_pool()
    size = f"{len(data) / 1e6:.2f} MB"
    print(f"import of {contacts} contacts with {emails} e-mails each ({size}), {db.engine.dialect.name}:")
    print(f"  {took:.1f} s in all, {contacts / took:.0f} contacts/s (reading the file included)")
    longest, median = max(holds) * 1000, statistics.median(holds) * 1000
    print("  longest five (index, ms):", sorted(((round(h * 1000), i) for i, h in enumerate(holds)), reverse=True)[:5])
    print(f"  write transactions: {len(holds)}, longest {longest:.0f} ms, median {median:.0f} ms")
    print(
        f"  another team's /help meanwhile: {len(latencies)} asked, "
        f"median {statistics.median(latencies) * 1000:.0f} ms, "
        f"worst {max(latencies) * 1000:.0f} ms"
    )
    print("  report: " + report.replace("\n", " | ")[:300])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--emails", type=int, default=3)
    parser.add_argument("--skip-reader", action="store_true")
    args = parser.parse_args()
    if not args.skip_reader:
        reader()
    asyncio.run(importing(args.contacts, args.emails))


if __name__ == "__main__":
    main()
