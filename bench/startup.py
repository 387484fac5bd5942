"""Start-up time and idle memory of `salesbot run`, measured against the Bot API emulator.

For each run: start the emulator, start the bot as a subprocess, send /start at once (the
emulator queues it), and time from spawning the process to holding the answer. Then let the
bot idle and read its resident memory. Runs on a fresh SQLite file (migrations included) and on
an existing one.

    python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e" / "fakegram"))

import drive  # noqa: E402

TOKEN = "424242:AAH" + "x" * 32
ADMIN = 9001


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_run(workdir: Path, idle: float) -> tuple[float, float]:
    async with drive.Stack(None, token=TOKEN, log_dir=workdir, timeout=30) as fg:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fg.stack.url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
            "ADMIN_IDS": str(ADMIN),
            "LOG_LEVEL": "WARNING",
        }
        user = await fg.user(ADMIN, first_name="Olga")
        t0 = time.perf_counter()
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
            await user.send_text("/help")
            await user.wait_replies(1, timeout=30)
            elapsed = time.perf_counter() - t0
            await asyncio.sleep(idle)
            memory = rss_mb(proc.pid)
        finally:
            proc.terminate()
            await proc.wait()
        return elapsed, memory


def forget_updates(path: Path) -> None:
    """Each run starts a new emulator, whose update ids start again at 1: the inbox would take the
    second run's first update for one it already handled (Telegram never reuses an id that soon)."""
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM inbox_update")
        conn.execute("DELETE FROM inbox_chat")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idling before reading RSS")
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"fresh database": [], "existing database": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            results["fresh database"].append(await one_run(workdir, args.idle))
            forget_updates(workdir / "bench.db")
            results["existing database"].append(await one_run(workdir, args.idle))
    print(f"salesbot start-up, {args.runs} runs each, medians (min-max)")
    for name, rows in results.items():
        times = [r[0] * 1000 for r in rows]
        mems = [r[1] for r in rows]
        print(
            f"  {name:18} first answer {statistics.median(times):6.0f} ms ({min(times):.0f}-{max(times):.0f})"
            f"   idle RSS {statistics.median(mems):5.1f} MB ({min(mems):.1f}-{max(mems):.1f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
