"""The team funnel summary on a big team: 1,000,000 records and 5,000,000 stage changes (two years
of history, 20 reps, sources, scores, 40 named events, expected closes), on SQLite and on
PostgreSQL. Reports the summary's query time for a day, a week, a month and a quarter (median of
five runs after a warm-up run; the by-source section and the forecast included, and apart), the
/events figures' time, and the chart's render time.

    python bench/summary.py [--records 1000000] [--db sqlite|postgres|both] [--url postgresql+asyncpg://...]

The PostgreSQL database named in --url is left alone: the bench makes `<name>_bench_summary` beside
it. The SQLite file lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

import models  # noqa: E402
from bench.common import fresh_database  # noqa: E402
from bot import charts  # noqa: E402
from bot.db import Database, Scope  # noqa: E402
from bot.domain import summary as maths  # noqa: E402
from bot.i18n import Catalogs  # noqa: E402
from bot.presentation import summaries as summary_view  # noqa: E402
from bot.services import sources, summaries  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZONE = "Europe/Zagreb"
REPS = 20
CHANGES_PER_RECORD = 5
PATH = [models.Stage.SUSPECT, models.Stage.LEAD, models.Stage.PROSPECT, models.Stage.OPPORTUNITY]
CHUNK = 20_000
SOURCES = list(models.LeadSource)
EVENTS = [f"Fair {i}" for i in range(40)]
TEAM = {
    "name": "Big team",
    "timezone": ZONE,
    "currency": "EUR",
    "language": "en",
    "settings": {},
    "created_at": NOW,
    "updated_at": NOW,
}


def generate(start_id: int, count: int, team_id: int, rep_ids: list[int], rng: random.Random):
    """`count` records from `start_id`, each with five history rows: created, then moves along the
    funnel (won or lost at the end), or parking events once a record stops moving."""
    records, changes = [], []
    two_years = 730 * 86400
    for lead_id in range(start_id, start_id + count):
        owner = rep_ids[lead_id % len(rep_ids)]
        gaps = [timedelta(seconds=rng.randrange(3600, 20 * 86400)) for _ in range(CHANGES_PER_RECORD - 1)]
        at = NOW - sum(gaps, timedelta()) - timedelta(seconds=rng.randrange(two_years))
        created = at
        stage = models.Stage.SUSPECT
        rows = [(None, stage, at, None, models.HistoryEvent.CREATED)]
        stuck = rng.random() < 0.45
        entered = at
        closed_at = None
        for gap in gaps:
            at = at + gap
            if stuck or stage.is_closed:
                rows.append((stage, stage, at, None, models.HistoryEvent.PARKED))  # same stage: a park
                continue
            if stage is models.Stage.OPPORTUNITY:
                nxt = models.Stage.CUSTOMER if rng.random() < 0.4 else models.Stage.LOST
            else:
                nxt = PATH[PATH.index(stage) + 1] if rng.random() < 0.8 else models.Stage.LOST
            rows.append((stage, nxt, at, int((at - entered).total_seconds()), models.HistoryEvent.MOVED))
            stage, entered = nxt, at
            closed_at = at if nxt.is_closed else None
            stuck = rng.random() < 0.25
        amount = (
            Decimal(rng.randrange(500, 50_000)) if stage in (models.Stage.OPPORTUNITY, models.Stage.CUSTOMER) else None
        )
        source = rng.choice(SOURCES)
        closes = NOW.date() + timedelta(days=rng.randrange(-30, 150)) if stage is models.Stage.OPPORTUNITY else None
        records.append(
            {
                "id": lead_id, "team_id": team_id, "owner_id": owner, "code": f"b{lead_id:09d}",
                "first_name": f"Contact {lead_id}", "emails": [], "phones": [], "name_key": f"contact {lead_id}",
                "company_key": "", "search_text": f"contact {lead_id}", "stage": stage,
                "parked": stage in maths.OPEN and rng.random() < 0.1, "qualification": {},
                "parked_until": NOW + timedelta(days=rng.randrange(1, 60)) if rng.random() < 0.05 else None,
                "deal_amount": amount, "currency": "EUR" if amount is not None else None,
                "probability": 50 if stage is models.Stage.OPPORTUNITY else None,
                "lost_reason": rng.choice(("price", "timing", "competitor")) if stage is models.Stage.LOST else None,
                "source": source, "source_detail": rng.choice(EVENTS) if source is models.LeadSource.MEETING else None,
                "score": rng.randrange(0, 101) if rng.random() < 0.6 else None, "expected_close_date": closes,
                "created_at": created, "updated_at": at, "last_activity_at": at, "stage_changed_at": entered,
                "closed_at": closed_at,
            }
        )  # fmt: skip
        for from_stage, to_stage, when, seconds, event in rows:
            changes.append(
                {
                    "team_id": team_id, "lead_id": lead_id, "event": event, "from_stage": from_stage,
                    "to_stage": to_stage, "member_id": owner, "at": when, "seconds_in_stage": seconds,
                }
            )  # fmt: skip
    return records, changes


async def measure(url: str, label: str) -> None:
    db = Database(url)
    async with db.begin(Scope.system()) as s:
        team = (await s.exec(models.Team.__table__.select())).first()  # type: ignore[attr-defined]
    team_obj = models.Team(id=team.id, name=team.name, timezone=ZONE, currency="EUR", language="en", settings={})
    scope = Scope(team_id=team.id, member_id=None, sees_team=True)
    periods = {
        "day (yesterday)": maths.complete_period("day", NOW, ZONE),
        "week (last week)": maths.complete_period("week", NOW, ZONE),
        "month so far": maths.period_to_date("month", NOW, ZONE),
        "quarter so far": maths.period_to_date("quarter", NOW, ZONE),
    }
    print(f"\n{label}: summary query time (median of 5 after a warm-up)")
    last = None
    for name, period in periods.items():
        times = []
        for i in range(6):
            started = time.perf_counter()
            async with db.begin(scope) as s:
                result = await summaries.compute(s, team_obj, period, now=NOW)
            if i:
                times.append((time.perf_counter() - started) * 1000)
        last = result
        moved = result.current.moved
        new_times = []
        for i in range(6):
            started = time.perf_counter()
            async with db.begin(scope) as s:
                await sources.cohort(s, team.id, period.start, period.end, pass_mark=60)
                await sources.cohort(s, team.id, period.prev_start, period.prev_end, pass_mark=60)
                await sources.open_deals(s, team.id)
            if i:
                new_times.append((time.perf_counter() - started) * 1000)
        print(
            f"  {name:18} {statistics.median(times):7.0f} ms  (of which by source and forecast"
            f" {statistics.median(new_times):.0f} ms; moves in the period: {moved:,};"
            f" new records: {sum(r.new for r in result.sources):,})"
        )
    times = []
    for i in range(6):
        started = time.perf_counter()
        async with db.begin(scope) as s:
            events = await sources.events(s, team.id, pass_mark=60, currency="EUR")
        if i:
            times.append((time.perf_counter() - started) * 1000)
    print(f"  /events figures    {statistics.median(times):7.0f} ms  ({len(events)} events)")
    await db.dispose()
    assert last is not None
    t = Catalogs().get("en")
    heading, text_ = summary_view.render_summary(t, last, title=team.name)
    chart = summary_view.chart_of(t, last, heading)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        png = charts.render_png(chart)
        times.append((time.perf_counter() - started) * 1000)
    print(f"  chart render: median {statistics.median(times):.0f} ms ({len(png) // 1024} KB); text {len(text_)} chars")


async def run(url: str, records: int, label: str) -> None:
    url = await fresh_database(url, "bench_summary")
    started = time.perf_counter()
    await seed(url, records)
    print(f"  loaded in {time.perf_counter() - started:.0f} s")
    await measure(url, label)


async def seed(url: str, records: int) -> None:
    """Bulk-load through SQLAlchemy Core (the real column types), a chunk per transaction."""
    engine = create_async_engine(url)
    lead, change = models.Lead.__table__, models.StageChange.__table__  # type: ignore[attr-defined]
    rng = random.Random(7)
    async with engine.begin() as conn:
        team_id = (
            await conn.execute(
                models.Team.__table__.insert().values(**TEAM)  # type: ignore[attr-defined]
            )
        ).inserted_primary_key[0]
        rep_ids = []
        for i in range(REPS):
            result = await conn.execute(
                models.Member.__table__.insert().values(  # type: ignore[attr-defined]
                    team_id=team_id,
                    telegram_user_id=70_000 + i,
                    first_name=f"Rep {i}",
                    role="rep",
                    language="en",
                    is_active=True,
                    created_at=NOW,
                    updated_at=NOW,
                )  # fmt: skip
            )
            rep_ids.append(result.inserted_primary_key[0])
    started = time.perf_counter()
    for start in range(1, records + 1, CHUNK):
        rows, history = generate(start, min(CHUNK, records + 1 - start), team_id, rep_ids, rng)
        async with engine.begin() as conn:
            await conn.execute(lead.insert(), rows)
            await conn.execute(change.insert(), history)
        done = start + len(rows) - 1
        if done % 200_000 < CHUNK:
            print(f"  {done:,} records loaded ({time.perf_counter() - started:.0f} s)", flush=True)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('lead', 'id'), {records + 1})"))
            await conn.execute(text("VACUUM ANALYZE"))
        else:
            await conn.execute(text("ANALYZE"))
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--url", default=os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    print(f"{args.records:,} records, {args.records * CHANGES_PER_RECORD:,} stage changes, {REPS} reps")
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            await run(f"sqlite+aiosqlite:///{tmp}/summary.db", args.records, "SQLite")
    if args.db in ("postgres", "both"):
        await run(args.url, args.records, "PostgreSQL")


if __name__ == "__main__":
    asyncio.run(main())
