"""The bot's own time per step of a full journey (capture, qualify, advance, win), through the
Bot API emulator, with SQLite.

The emulator and the driver cost time too, so the same harness first measures its "echo floor":
an ordinary python-telegram-bot echo bot with the same rate limiter answering text messages. The
bot's own time is a step's reply time minus that floor.

    python bench/journey.py [--journeys 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "e2e" / "fakegram"
sys.path.insert(0, str(HARNESS))

import drive  # noqa: E402

TOKEN = "424242:AAH" + "x" * 32
OWNER = 9001


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def echo_floor(samples: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"RATE_LIMITER": "1", "LOG_LEVEL": "WARNING"}
        async with drive.Stack(
            [sys.executable, str(HARNESS / "echo_bot.py")], token=TOKEN, bot_env=env, log_dir=tmp, timeout=20
        ) as fg:
            user = await fg.user(1, first_name="E")
            times = []
            for i in range(samples + 20):
                t0 = time.perf_counter()
                await user.ask(f"hello {i}")
                if i >= 20:
                    times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


async def journeys(count: int) -> dict[str, list[float]]:
    steps: dict[str, list[float]] = {"text": [], "button": []}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with drive.Stack(None, token=TOKEN, log_dir=workdir, timeout=20) as fg:
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": fg.stack.url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                "ADMIN_IDS": str(OWNER),
                "LOG_LEVEL": "WARNING",
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=env,
                cwd=str(workdir),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                await fg.wait_bot_polling(30)
                olga = await fg.user(OWNER, first_name="Olga")
                await olga.ask("/start", n=2)
                await olga.click("1tz:set:UTC", n=1)

                async def text(message: str, n: int = 1) -> None:
                    t0 = time.perf_counter()
                    await olga.ask(message, n=n)
                    steps["text"].append((time.perf_counter() - t0) * 1000)

                async def tap(label: str, n: int = 1) -> None:
                    t0 = time.perf_counter()
                    await olga.click(label, n=n)
                    steps["button"].append((time.perf_counter() - t0) * 1000)

                for i in range(count):
                    await text(
                        f"Person{i} Buyer{i}\nSales Director\nFirm{i} Ltd\n+44 20 7946 {1000 + i}\np{i}@firm{i}.co.uk"
                    )
                    await tap("✅ Save")
                    await tap("✅ Qualify now")
                    for _ in range(3):
                        await tap("Yes", n=2)
                    await text("in two months")
                    await tap("Yes", n=2)
                    await text("25.000 EUR")
                    await tap("➡️ Advance to prospect")
                    await tap("Open the record")
                    await tap("➡️ opportunity")
                    await text("40.000 EUR")
                    await tap("50%")
                    await text("end of month")
                    await tap("Open the record")
                    await tap("🏆 Won")
                    await tap("Same: €40,000.00")
            finally:
                proc.terminate()
                await proc.wait()
    return steps


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=15)
    parser.add_argument("--floor-samples", type=int, default=100)
    args = parser.parse_args()
    floor = await echo_floor(args.floor_samples)
    steps = await journeys(args.journeys)
    print(f"echo floor (PTB echo bot with the same rate limiter, text): median {floor:.1f} ms")
    for kind, values in steps.items():
        own = [v - floor for v in values]
        print(
            f"{kind:6} steps: {len(values):4}  reply p50 {pct(values, 0.5):6.1f} ms  p95 {pct(values, 0.95):6.1f} ms"
            f"   bot's own time p50 {pct(own, 0.5):6.1f} ms  p95 {pct(own, 0.95):6.1f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main())
