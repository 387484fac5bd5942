"""Reminder delivery at scale: N due reminders, two bot processes on one PostgreSQL, the Bot API
emulator in place of Telegram. Reports messages per second against Telegram's 30 a second, how
many were sent twice (duplicates) and how many never went out (lost), and which process sent them.
Then the date parser's time per phrase as the bot calls it, after warm-up.

    python bench/reminders.py [--count 10000] [--processes 2] [--url postgresql+asyncpg://...]

The database named in --url is left alone: the bench makes `<name>_bench_reminders` beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e" / "fakegram"))

import drive  # noqa: E402
from sqlalchemy import func, insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from bot.db import Database, Scope  # noqa: E402
from models import Member, Reminder, ReminderStatus, Team  # noqa: E402
from models.base import utcnow  # noqa: E402

TOKEN = "424242:AAH" + "x" * 32
TELEGRAM_LIMIT = 30.0


async def seed(url: str, count: int, reps: int) -> None:
    """`reps` members without a time zone (so no morning briefs) sharing `count` due reminders."""
    db = Database(url)
    now = utcnow()
    async with db.begin(Scope.system()) as s:
        team = Team(name="Bench")
        s.add(team)
        await s.flush()
        conn = await s.connection()  # Core bulk inserts, under the session's transaction
        await conn.execute(
            insert(Member),
            [{"team_id": team.id, "telegram_user_id": 10_000_000 + i, "first_name": f"Rep {i}"} for i in range(reps)],
        )
        ids = list((await s.exec(select(Member.id).order_by(Member.id))).all())
        rows = [
            {
                "team_id": team.id,
                "owner_id": ids[i % reps],
                "kind": "custom",
                "due_at": now - timedelta(seconds=count - i),
                "reason": f"bench reminder {i}",
                "status": "pending",
            }
            for i in range(count)
        ]
        for start in range(0, count, 2000):
            await conn.execute(insert(Reminder), rows[start : start + 2000])
    await db.dispose()


async def outcome(url: str) -> dict[str, object]:
    db = Database(url)
    async with db.begin(Scope.system()) as s:
        by_status = dict(
            (await s.exec(select(Reminder.status, func.count()).group_by(Reminder.status))).all()  # type: ignore[call-overload]
        )
        first, last = (await s.exec(select(func.min(Reminder.sent_at), func.max(Reminder.sent_at)))).one()
        by_owner = dict(
            (
                await s.exec(
                    select(Reminder.lease_owner, func.count())  # type: ignore[call-overload]
                    .where(Reminder.status == ReminderStatus.SENT)
                    .group_by(Reminder.lease_owner)
                )
            ).all()
        )
    await db.dispose()
    return {"status": by_status, "first": first, "last": last, "owners": by_owner}


async def deliver(url: str, count: int, processes: int, limit_s: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with drive.Stack(None, token=TOKEN, log_dir=tmp, timeout=10) as fg:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": fg.url,
                "DATABASE_URL": url,
                "REMINDER_POLL_SECONDS": "1",
                "LOG_LEVEL": "WARNING",
                "DEFAULT_TIMEZONE": "Europe/Zagreb",
            }
            bots = []
            for i in range(processes):
                log = (Path(tmp) / f"bot{i}.log").open("wb")
                bots.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bot",
                        "run",
                        env=env,
                        cwd=tmp,
                        stdout=log,
                        stderr=asyncio.subprocess.STDOUT,
                    )
                )
            started = time.perf_counter()
            db = Database(url)
            done = 0
            try:
                while time.perf_counter() - started < limit_s:
                    await asyncio.sleep(2)
                    async with db.begin(Scope.system()) as s:
                        done = (
                            await s.exec(
                                select(func.count()).where(
                                    Reminder.status.in_((ReminderStatus.SENT, ReminderStatus.FAILED))  # type: ignore[attr-defined]
                                )
                            )
                        ).one()
                    print(f"  {done}/{count} delivered after {time.perf_counter() - started:.0f} s", flush=True)
                    if done >= count:
                        break
                await asyncio.sleep(3)  # anything sent twice would show up in the emulator's count now
                calls = (await fg.state())["calls"]
            finally:
                await db.dispose()
                for bot in bots:
                    bot.terminate()
                for bot in bots:
                    await bot.wait()
    result = await outcome(url)
    status = result["status"]
    sent = status.get(ReminderStatus.SENT, 0)  # type: ignore[union-attr]
    span = (result["last"] - result["first"]).total_seconds() if result["first"] else 0.0  # type: ignore[operator]
    rate = (sent - 1) / span if span else 0.0
    emulator_sends = calls.get("sendMessage", 0)
    print(f"\nreminders: {count}, bot processes: {processes} (one PostgreSQL)")
    print(f"sent: {sent}, failed: {status.get(ReminderStatus.FAILED, 0)}, lost: {count - sent}")  # type: ignore[union-attr]
    print(f"sendMessage calls the emulator received: {emulator_sends}, duplicates: {emulator_sends - sent}")
    print(f"first to last send: {span:.1f} s -> {rate:.1f} messages/s ({100 * rate / TELEGRAM_LIMIT:.0f}% of 30/s)")
    print(f"sent by process: {result['owners']}")


def dates_timing() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.domain import dates
    from tests.unit.test_dates import ROWS

    now = datetime(2025, 1, 15, 9, 0, tzinfo=ZoneInfo("Europe/Zagreb"))
    dates.warm_up()
    times = []
    for _ in range(5):
        for language, phrase, _ in ROWS:
            start = time.perf_counter()
            dates.read_when(phrase, language=language, zone="Europe/Zagreb", now=now)
            times.append((time.perf_counter() - start) * 1000)
    print(f"\nread_when over {len(ROWS)} table phrases x 5 (after warm-up; bench/dates.py has the full figures):")
    print(f"  median {statistics.median(times):.2f} ms, p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=2_500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument(
        "--url", default=os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--dates-only", action="store_true")
    args = parser.parse_args()
    if not args.dates_only:
        url = await fresh_database(args.url, "bench_reminders")
        await seed(url, args.count, args.reps)
        await deliver(url, args.count, args.processes, args.timeout)
    dates_timing()


if __name__ == "__main__":
    asyncio.run(main())
