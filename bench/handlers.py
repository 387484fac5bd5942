"""The handlers' own cost per journey step: updates handled in process by the real Application
(no network, no inbox, no rate limiter; Bot API calls recorded by the tests' fake), on SQLite.

    python bench/handlers.py [--journeys 30] [--root PATH]

`--root` runs the same steps against another checkout of the project (e.g. a `git worktree` of an
older commit), to compare two versions on one machine in one sitting.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

ANA = "Ana Kovačević\nDirektorica prodaje\nAdria Solar d.o.o.\nTel: +385 91 234 5678\nana.kovacevic@adriasolar.hr"


def sent(calls: list[Any], method: str = "sendMessage") -> list[Any]:
    return [c for c in calls if c.method == method]


async def run(journeys: int) -> dict[str, list[float]]:
    from bot.app import build_application
    from bot.config import Settings
    from bot.db import Database
    from tests.telegram_fake import TOKEN, FakeTelegram, RecordingRequest

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    await db.upgrade()
    await db.dispose()
    settings = Settings(
        telegram_bot_token=TOKEN, database_url=url, admin_ids="9001", default_timezone="Europe/Zagreb", _env_file=None
    )
    request = RecordingRequest()
    app = build_application(settings, request=request, rate_limiter=False, migrate=False)
    times: dict[str, list[float]] = {}

    async def step(name: str, call: Awaitable[list[Any]]) -> list[Any]:
        started = time.perf_counter()
        calls = await call
        times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return calls

    async with app:
        olga = FakeTelegram(app, request).person(9001, "Olga")
        await olga.send("/start")
        await olga.press("1tz:set:Europe/Zagreb")
        for i in range(journeys):
            [preview] = sent(await step("typed card", olga.send(ANA.replace("Ana", f"Ana{i}"))))
            [saved] = sent(await step("Save", olga.tap(preview, "Save")), "editMessageText")
            question = sent(await step("Qualify now", olga.tap(saved, "Qualify now")))[-1]
            for label in ("Yes", "Yes", "Yes"):
                question = sent(await step("answer (button)", olga.tap(question, label)))[-1]
            question = sent(await step("timeline (typed)", olga.send("in three months")))[-1]
            question = sent(await step("answer (button)", olga.tap(question, "Yes")))[-1]
            await step("value (typed)", olga.send("20k"))
            await step("/leads", olga.send("/leads"))
            await step("/help", olga.send("/help"))
            await step("/find", olga.send(f"/find ana{i}"))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=30)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    times = asyncio.run(run(args.journeys))
    print(f"handling time per step, {args.journeys} journeys, {args.root}")
    for name, values in times.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"  {name:18} p50 {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   (n={len(values)})")


if __name__ == "__main__":
    main()
