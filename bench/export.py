"""Export 100,000 records (with a note and a history row each) as XLSX and as CSV from SQLite, as a
manager sees them: time (wall, and the process's CPU time, steadier on a busy machine) and peak
resident memory of the process doing the export (each format in a fresh process, so one does not
inherit the other's peak).

    python bench/export.py [--records 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from bot.db import Database, Scope  # noqa: E402
from bot.services import export  # noqa: E402
from models import Activity, Lead, Member, Role, StageChange, Team  # noqa: E402
from models.enums import HistoryEvent, Stage  # noqa: E402

STAGES = list(Stage)


async def build(url: str, n: int) -> None:
    db = Database(url)
    now = datetime.now(UTC)
    async with db.begin(Scope.system()) as s:
        team = Team(name="Bench")
        s.add(team)
        await s.flush()
        manager = Member(team_id=team.id, telegram_user_id=1, first_name="Mia", role=Role.MANAGER)
        s.add(manager)
        await s.flush()
        team_id, member_id = team.id, manager.id
    batch = 5000
    for start in range(0, n, batch):
        async with db.begin(Scope.system()) as s:
            leads = []
            for i in range(start, min(n, start + batch)):
                at = now - timedelta(hours=i)
                leads.append(
                    {
                        "id": i + 1,
                        "team_id": team_id,
                        "owner_id": member_id,
                        "code": f"c{i:07d}",
                        "first_name": f"Ana{i}",
                        "last_name": "Kovačević",
                        "company": f"Adria Solar {i % 500} d.o.o.",
                        "job_title": "Direktorica prodaje",
                        "emails": [f"ana{i}@adriasolar.hr"],
                        "phones": ["+385912345678"],
                        "stage": STAGES[i % len(STAGES)],
                        "qualification": {"need": "yes", "budget": "unsure"},
                        "score": 62,
                        "deal_amount": Decimal("12500.00"),
                        "currency": "EUR",
                        "probability": 50,
                        "last_activity_at": at,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
            await s.exec(insert(Lead), params=leads)
            await s.exec(
                insert(Activity),
                params=[
                    {
                        "team_id": team_id,
                        "lead_id": r["id"],
                        "member_id": member_id,
                        "text": "Asked for a quote",
                        "at": now,
                    }
                    for r in leads
                ],
            )
            await s.exec(
                insert(StageChange),
                params=[
                    {
                        "team_id": team_id,
                        "lead_id": r["id"],
                        "member_id": member_id,
                        "event": HistoryEvent.CREATED,
                        "to_stage": Stage.LEAD,
                        "at": now,
                    }
                    for r in leads
                ],
            )
    await db.dispose()


async def run_export(url: str, fmt: str) -> None:
    db = Database(url)
    async with db.read(Scope(team_id=1, member_id=1, sees_team=True)) as s:
        start, cpu = time.perf_counter(), time.process_time()
        result = await export.export_records(s, export.Format(fmt), "Europe/Zagreb", "bench")
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(p.stat().st_size for p in result.files)
    result.cleanup()
    await db.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{fmt}: {took:.1f} s ({cpu:.1f} s CPU), peak RSS {peak_mb:.0f} MB, {size / 1e6:.1f} MB of files")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--child", choices=["csv", "xlsx"])
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        asyncio.run(run_export(args.url, args.child))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = asyncio.run(fresh_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", "bench_export"))
        start = time.perf_counter()
        asyncio.run(build(url, args.records))
        print(f"built {args.records} records (+1 note, +1 history row each) in {time.perf_counter() - start:.0f} s")
        for fmt in ("xlsx", "csv"):
            subprocess.run([sys.executable, __file__, "--child", fmt, "--url", url], check=True)


if __name__ == "__main__":
    main()
